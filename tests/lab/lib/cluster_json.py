#!/usr/bin/env python3
"""Writes the test API server's cluster description for a running lab (format:
tests/apiserver/README.md): Kube-OVN's pods in kube-system, whose exec runs the real command
inside the node's (or central's) namespaces through nsenter, per docs/reference/lab.md section 4.

Layouts, as the plugin's detect_layout() sees them:
  ovs-ovn       Kube-OVN <= 1.12: app=ovs pods (container openvswitch) per node, plus
                kube-ovn-cni pods without --enable-ovn-ipsec;
  kube-ovn-cni  Kube-OVN >= 1.13: app=kube-ovn-cni pods (container cni-server) only. Every
                v1.13-v1.16 chart (charts/kube-ovn/templates/ovncni-ds.yaml, controller-deploy.yaml)
                passes --enable-ovn-ipsec=<ENABLE_OVN_IPSEC> (default false) to the cni-server and
                to kube-ovn-controller, so both always carry it, with the lab's value
                (--enable-ovn-ipsec). With true, the cni-server also mounts the hostPath
                /etc/origin/ovs_ipsec_keys (volume ovs-ipsec-keys) at /etc/ovs_ipsec_keys, and
                kube-ovn-controller has made Secret kube-system/ovn-ipsec-ca (pkg/controller/pki.go:
                data cacert, cakey from `ovs-pki init`), read here from the lab's controller dir
                (kept after a restart with false, as the real Secret is).
With --restart-hook (layout kube-ovn-cni), kube-ovn-controller and the kube-ovn-cni pods carry
"restart": the test API server runs lib/pod_hook.py for each pod a rollout replaces, so the lab
does what the new container does at start (tests/lab/README.md).
"""
import argparse
import base64
import hashlib
import json
import os
import sys

IMAGE = "docker.io/kubeovn/kube-ovn:v1.12.22"
IMAGE_V113 = "docker.io/kubeovn/kube-ovn:v1.13.15"  # layout kube-ovn-cni: the release its IPsec follows
IPSEC_KEYS_VOLUME = "ovs-ipsec-keys"
IPSEC_KEYS_HOST_PATH = "/etc/origin/ovs_ipsec_keys"  # the chart's OVN_IPSEC_KEY_DIR
IPSEC_KEYS_MOUNT_PATH = "/etc/ovs_ipsec_keys"  # pkg/daemon/ipsec.go ipsecKeyDir
IPSEC_CA_SECRET = "ovn-ipsec-ca"  # pkg/util/const.go DefaultOVNIPSecCA
POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what Kubernetes uses for generated name suffixes
USERS = [  # the same credentials as clusters/small.json, so the test harness' kubeconfigs work
    {"name": "admin", "token": "koi-admin-token-0123456789abcdef", "role": "admin"},
    {"name": "viewer", "token": "koi-viewer-token-0123456789abcdef", "role": "viewer"},
    {"name": "basic-admin", "username": "basic-admin", "password": "koi-basic-password", "role": "admin"},
    {"name": "admin", "certCN": "admin", "role": "admin"},
    {"name": "cert-viewer", "certCN": "cert-viewer", "role": "viewer"},
]
CNI_ARGS = ["--enable-mirror=false", "--encap-checksum=true", "--service-cluster-ip-range=10.96.0.0/12",
            "--network-type=geneve", "--cni-conf-name=01-kube-ovn.conflist", "--logtostderr=false",
            "--alsologtostderr=true", "--log_file=/var/log/kube-ovn/kube-ovn-cni.log"]


def suffix(name, length=5):
    """A stable random-looking pod name suffix."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(POD_ALPHABET[b % len(POD_ALPHABET)] for b in digest[:length])


def node_ip(node):
    return f"10.99.0.{10 + int(node[len('node'):])}"


def in_member(args, member):
    """The exec "run" prefix: nsenter into the member's netns and pinned mount namespace."""
    return {"run": [args.nsenter, f"--net=/run/netns/{args.prefix}-{member}",
                    f"--mount={args.dir}/ns/{member}.mnt", f"--wd={args.dir}/nodes/{member}/work", "--"]}


def restart_hook(cli):
    """The pod's "restart" for the test API server: lib/pod_hook.py, the new pod on its stdin."""
    here = os.path.dirname(os.path.abspath(__file__))
    return {"argv": [sys.executable, os.path.join(here, "pod_hook.py"), "--lab", os.path.join(os.path.dirname(here), "lab"),
                     "--dir", cli.dir]}


def pod(name, app, node, container, command, exec_member, args_list=None, extra_labels=None, cli=None,
        image=IMAGE, volumes=None, volume_mounts=None, restart=None):
    labels = {"app": app, "component": "network", "type": "infra"}
    labels.update(extra_labels or {})
    c = {"name": container, "image": image, "command": command}
    if args_list is not None:
        c["args"] = args_list
    if volume_mounts:
        c["volumeMounts"] = volume_mounts
    p = {"namespace": "kube-system", "name": name, "labels": labels, "nodeName": node, "hostNetwork": True,
         "containers": [c]}
    if volumes:
        p["volumes"] = volumes
    if exec_member is not None:
        p["exec"] = {"default": in_member(cli, exec_member)}
    if restart:
        p["restart"] = restart
    return p


def ipsec_ca_secret(cli, required):
    """Secret kube-system/ovn-ipsec-ca as pkg/controller/pki.go creates it (no type: Opaque); None
    when kube-ovn-controller never made a CA and `required` is false."""
    ca = os.path.join(cli.dir, "controller", "var", "lib", "openvswitch", "pki", "switchca")
    data = {}
    for key, path in (("cacert", os.path.join(ca, "cacert.pem")), ("cakey", os.path.join(ca, "private", "cakey.pem"))):
        try:
            with open(path, "rb") as f:
                data[key] = base64.b64encode(f.read()).decode("ascii")
        except OSError as e:
            if not required:
                return None
            sys.exit(f"cluster_json: --enable-ovn-ipsec true but no CA from kube-ovn-controller: {e}")
    return {"namespace": "kube-system", "name": IPSEC_CA_SECRET, "type": "Opaque", "data": data}


def cluster(cli):
    nodes = cli.nodes.split()
    control_plane = nodes[0]
    out_nodes, pods = [], []
    v113 = cli.layout == "kube-ovn-cni"
    ipsec = v113 and cli.enable_ovn_ipsec == "true"
    flag = [f"--enable-ovn-ipsec={cli.enable_ovn_ipsec}"] if v113 else []
    cni = {"image": IMAGE_V113} if v113 else {}
    hook = {"restart": restart_hook(cli)} if v113 and cli.restart_hook else {}
    cni.update(hook)
    if ipsec:
        cni["volumes"] = [{"name": IPSEC_KEYS_VOLUME, "hostPath": {"path": IPSEC_KEYS_HOST_PATH}}]
        cni["volume_mounts"] = [{"name": IPSEC_KEYS_VOLUME, "mountPath": IPSEC_KEYS_MOUNT_PATH}]
    for n in nodes:
        labels = {"ovn.kubernetes.io/ovs_dp_type": "userspace"}
        if n == control_plane:
            labels.update({"kube-ovn/role": "master", "node-role.kubernetes.io/control-plane": ""})
        out_nodes.append({"name": n, "internalIP": node_ip(n), "labels": labels})
        if cli.layout == "ovs-ovn":
            pods.append(pod(f"ovs-ovn-{suffix('ovs' + n)}", "ovs", n, "openvswitch", ["/kube-ovn/start-ovs.sh"], n,
                            cli=cli))
        pods.append(pod(f"kube-ovn-cni-{suffix('cni' + n)}", "kube-ovn-cni", n, "cni-server",
                        ["bash", "/kube-ovn/start-cniserver.sh"], n, args_list=CNI_ARGS + flag, cli=cli, **cni))
    leader = {"ovn-nb-leader": "true", "ovn-sb-leader": "true", "ovn-northd-leader": "true"}
    image = {"image": IMAGE_V113} if v113 else {}
    pods.append(pod(f"ovn-central-7b6d9c8f5-{suffix('central')}", "ovn-central", control_plane, "ovn-central",
                    ["/kube-ovn/start-db.sh"], "central", extra_labels=leader, cli=cli, **image))
    pods.append(pod(f"kube-ovn-controller-6c9f8d7b5-{suffix('controller')}", "kube-ovn-controller", control_plane,
                    "kube-ovn-controller", ["/kube-ovn/start-controller.sh"], None,
                    args_list=["--default-cidr=10.16.0.0/16", "--network-type=geneve"] + flag, cli=cli, **image,
                    **hook))
    out = {"users": USERS, "nodes": out_nodes, "pods": pods}
    secret = ipsec_ca_secret(cli, ipsec) if v113 else None
    if secret:
        out["secrets"] = [secret]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="the lab directory")
    ap.add_argument("--prefix", required=True, help="the lab's network namespace prefix")
    ap.add_argument("--nodes", required=True, help="space-separated node names (node1 node2 ...)")
    ap.add_argument("--layout", choices=["ovs-ovn", "kube-ovn-cni"], default="ovs-ovn")
    ap.add_argument("--enable-ovn-ipsec", choices=["true", "false"], default="false",
                    help="Kube-OVN >= 1.13's flag, rendered with layout kube-ovn-cni only")
    ap.add_argument("--nsenter", default="/usr/bin/nsenter")
    ap.add_argument("--restart-hook", action="store_true",
                    help="layout kube-ovn-cni: a restart hook (lib/pod_hook.py) on kube-ovn-controller and kube-ovn-cni")
    ap.add_argument("--out", default="-", help="file to write (atomically), - for stdout")
    cli = ap.parse_args()
    text = json.dumps(cluster(cli), indent=2) + "\n"
    if cli.out == "-":
        sys.stdout.write(text)
        return
    tmp = cli.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, cli.out)


if __name__ == "__main__":
    main()
