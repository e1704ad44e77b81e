#!/usr/bin/env python3
"""The test API server's restart hook for the lab's Kube-OVN >= 1.13 pods (cluster_json.py writes
it; tests/apiserver/README.md "Restart hooks"): the server runs it for every kube-ovn-controller
or kube-ovn-cni pod a rollout or a delete replaces, with the new pod (JSON) on stdin, and the pod
gets ready only when it exits 0. It makes the lab do what that pod's container does at start
(Kube-OVN v1.13.15), through `lab restart-controller` / `lab restart-pod` (lib/kubeovn_ipsec.sh).

The flag is read from the container's args as pflag reads it (pkg/controller/config.go,
pkg/daemon/config.go): `--enable-ovn-ipsec` alone is true, `--enable-ovn-ipsec=V` is
strconv.ParseBool(V), the last one wins, absent is false; a bad value fails the start.
kube-ovn-controller with true keeps its CA in Secret kube-system/ovn-ipsec-ca
(pkg/controller/pki.go InitDefaultOVNIPsecCA): an existing Secret is used as it is (its CA
becomes the lab signer's), a missing one is made from a new `ovs-pki init --force`. The API
is the server's own (env KOI_APISERVER, KOI_APISERVER_TOKEN, KOI_APISERVER_CA).
"""
import argparse
import base64
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

FLAG = "--enable-ovn-ipsec"
KEYS_MOUNT = "/etc/ovs_ipsec_keys"  # pkg/daemon/ipsec.go ipsecKeyDir
SECRET_PATH = "/api/v1/namespaces/kube-system/secrets/ovn-ipsec-ca"  # pkg/util/const.go DefaultOVNIPSecCA
CONTAINERS = {"kube-ovn-controller": "kube-ovn-controller", "kube-ovn-cni": "cni-server"}
TRUE = {"1", "t", "T", "TRUE", "true", "True"}  # strconv.ParseBool
FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def fail(msg):
    sys.exit(f"pod_hook: {msg}")


def flag_of(container):
    value = "false"
    for arg in container.get("args", []) + container.get("command", []):
        if arg == FLAG:
            value = "true"
        elif arg.startswith(FLAG + "="):
            v = arg[len(FLAG) + 1:]
            if v not in TRUE | FALSE:
                fail(f'invalid argument "{v}" for "{FLAG}" flag: strconv.ParseBool: parsing "{v}": invalid syntax')
            value = "true" if v in TRUE else "false"
    return value


def keys_mounted(pod, container):
    host_paths = {v["name"] for v in pod["spec"].get("volumes", []) if "hostPath" in v}
    return any(m.get("mountPath", "").rstrip("/") == KEYS_MOUNT and m.get("name") in host_paths
               for m in container.get("volumeMounts", []))


def api(method, path, body=None):
    """(status, parsed JSON) of one request to the test API server, as the pod's service account."""
    try:
        url, token, ca = (os.environ[k] for k in ("KOI_APISERVER", "KOI_APISERVER_TOKEN", "KOI_APISERVER_CA"))
    except KeyError as e:
        fail(f"no {e.args[0]} in the environment: the controller's CA Secret lives in the API server")
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca), timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None


def ca_files(lab_dir):
    switchca = os.path.join(lab_dir, "controller", "var", "lib", "openvswitch", "pki", "switchca")
    return os.path.join(switchca, "cacert.pem"), os.path.join(switchca, "private", "cakey.pem")


def restart_controller(cli, flag):
    cert, key = ca_files(cli.dir)
    created = False
    if flag == "true":
        status, secret = api("GET", SECRET_PATH)
        if status == 200:
            data = secret.get("data", {})
            if not data.get("cacert") or not data.get("cakey"):
                fail("Secret kube-system/ovn-ipsec-ca has no cacert or cakey")
            for path, k in ((cert, "cacert"), (key, "cakey")):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(base64.b64decode(data[k]))
        elif status == 404:
            for path in (cert, key):  # a new container has no CA: ovs-pki init --force makes one
                if os.path.exists(path):
                    os.remove(path)
            created = True
        else:
            fail(f"GET Secret kube-system/ovn-ipsec-ca: HTTP {status}")
    lab(cli, ["restart-controller", FLAG, flag])
    if created:
        data = {}
        for path, k in ((cert, "cacert"), (key, "cakey")):
            with open(path, "rb") as f:
                data[k] = base64.b64encode(f.read()).decode("ascii")
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ovn-ipsec-ca", "namespace": "kube-system"},
                "data": data}
        status, _ = api("POST", "/api/v1/namespaces/kube-system/secrets", body)
        if status != 201:
            fail(f"creating Secret kube-system/ovn-ipsec-ca: HTTP {status}")


def lab(cli, args, env=None):
    r = subprocess.run(["bash", cli.lab, "--dir", cli.dir] + args, stdin=subprocess.DEVNULL, check=False,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        sys.exit(r.returncode)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", required=True, help="tests/lab/lab")
    ap.add_argument("--dir", required=True, help="the lab directory")
    cli = ap.parse_args()
    pod = json.load(sys.stdin)
    app = pod["metadata"].get("labels", {}).get("app")
    name = CONTAINERS.get(app)
    container = next((c for c in pod["spec"]["containers"] if c["name"] == name), None)
    if container is None:
        fail(f"pod {pod['metadata']['name']}: no {app} pod with container {name}")
    flag = flag_of(container)
    if app == "kube-ovn-controller":
        restart_controller(cli, flag)
        return
    # The chart mounts the key directory with the flag; kubectl-ko-ipsec's `off` keeps the mount so
    # that the cni-server's StopAndClearIPSecResouce removes the host's files (see kubeovn_ipsec.sh).
    # The flag without the volume is not modelled.
    mounted = keys_mounted(pod, container)
    if flag == "true" and not mounted:
        fail(f"pod {pod['metadata']['name']}: {FLAG}=true but the volume for {KEYS_MOUNT} is missing; "
             "the lab does not model that")
    lab(cli, ["restart-pod", pod["spec"]["nodeName"], FLAG, flag], {"KOI_LAB_KEYS_VOLUME": "yes" if mounted else "no"})


if __name__ == "__main__":
    main()
