# shellcheck shell=bash
# Kube-OVN >= 1.13 with --enable-ovn-ipsec=true (`up --layout kube-ovn-cni --enable-ovn-ipsec true`):
# what kube-ovn-controller and each node's cni-server do, step for step, so the lab ends where
# their daemons leave a node. Sources (kubeovn/kube-ovn, tag v1.13.15; v1.14.x is the same):
#   pkg/controller/controller.go  Run(): SetOVNIPSec(flag) (NB_Global.ipsec := the flag), then
#                                 InitDefaultOVNIPsecCA() when the flag is true;
#   pkg/controller/pki.go         `ovs-pki init --force`, its switchca cacert.pem and
#                                 private/cakey.pem become Secret kube-system/ovn-ipsec-ca
#                                 (data keys cacert, cakey);
#   pkg/controller/signer.go      signs each node's CSR (signer kubeovn.io/signer) with that CA:
#                                 the request's subject and DNS SANs, SHA512WithRSA, 10 years,
#                                 a random serial below 2^62, basic constraints, nothing else;
#   pkg/daemon/ipsec.go           ManageIPSecKeys() in the cni-server (pkg/daemon/controller.go,
#                                 at start then every 24 h): the key, request, certificate and CA
#                                 in /etc/ovs_ipsec_keys, other_config pointing at them, the CA
#                                 linked into /etc/ipsec.d/cacerts, then `service openvswitch-ipsec`
#                                 and `service ipsec` unless `service X status` says they run.
# v1.15+ names the files differently (ipsec-cert-<n>.pem, one CA file per certificate in
# /etc/ipsec.d/cacerts) and can use cert-manager; the lab follows v1.13/v1.14.
# The CSR object's round trip through the API server (create, auto-approve, sign, delete) is not
# modelled: the lab's controller signs the node's request file directly.

LAB_KEY_DIR=/etc/ovs_ipsec_keys # ipsec.go ipsecKeyDir, the cni-server's mount of the node's hostPath

# kube-ovn-controller's container: not a member (it has no exec in cluster.json and no namespace
# here); its /var/lib/openvswitch/pki is its own (the chart mounts no host path there).
controller_dir() { printf '%s/controller' "$LAB_DIR"; }
kubeovn_ca_dir() { printf '%s/var/lib/openvswitch/pki/switchca' "$(controller_dir)"; }
kubeovn_ca_ready() { [ -f "$(kubeovn_ca_dir)/cacert.pem" ] && [ -f "$(kubeovn_ca_dir)/private/cakey.pem" ]; }

# The controller's start with --enable-ovn-ipsec=true: NB_Global.ipsec=true (SetOVNIPSec), then
# the CA (InitDefaultOVNIPsecCA: ovs-pki init --force; cluster_json.py serves its two files as
# Secret kube-system/ovn-ipsec-ca).
kubeovn_controller_start() {
  local c
  c=$(controller_dir)
  in_node_logged central ovn-nbctl --no-wait set NB_Global . ipsec=true
  kubeovn_ca_ready && return 0
  mkdir -p "$c/work" "$c/var/lib/openvswitch"
  (cd "$c/work" && ovs-pki --dir="$c/var/lib/openvswitch/pki" --log="$c/ovs-pki.log" init --force) \
    </dev/null >>"$c/lab.log" 2>&1 9>&-
  kubeovn_ca_ready || die "ovs-pki init made no switchca in $c (see $c/lab.log, $c/ovs-pki.log)"
}

# signer.go's handleAddOrUpdateCsr for one request (PEM, as the CSR's spec.request): prints the
# certificate PEM (its status.certificate). Go's x509 template: Subject = the request's,
# DNSNames = the request's DNS SANs, BasicConstraintsValid (CA:FALSE, critical), the issuer's
# subject key id as authority key id, no key usage, no subject key id; SHA512WithRSA;
# NotBefore now-1s (openssl: now), NotAfter now+10*365 days; serial rand.Int(2^62).
kubeovn_sign() {
  local req=$1 ca ext sans serial
  ca=$(kubeovn_ca_dir)
  sans=$(openssl req -in "$req" -noout -text |
    sed -n '/X509v3 Subject Alternative Name/{n;p}' | tr -d ' ' | tr ',' '\n' | grep '^DNS:' | paste -sd, -)
  serial=$(($(printf '0x%s' "$(openssl rand -hex 8)") & 0x3fffffffffffffff))
  ext=$(mktemp "$(controller_dir)/work/ext.XXXXXX")
  {
    echo 'basicConstraints = critical, CA:FALSE'
    echo 'subjectKeyIdentifier = none'
    echo 'authorityKeyIdentifier = keyid'
    [ -z "$sans" ] || echo "subjectAltName = $sans"
  } >"$ext"
  openssl x509 -req -in "$req" -CA "$ca/cacert.pem" -CAkey "$ca/private/cakey.pem" -set_serial "$serial" \
    -days 3650 -sha512 -extfile "$ext" 2>>"$(controller_dir)/lab.log"
  local rc=$?
  rm -f "$ext"
  return "$rc"
}

# One node's cni-server with --enable-ovn-ipsec=true at start (v1.13.15 ManageIPSecKeys, no
# certificate yet): CreateIPSecKeys, then StartIPSecService. Commands run inside the node as
# the cni-server runs them; the controller's part (signing) runs on the host side.
kubeovn_enroll_node() {
  local n=$1 sid d cert log
  d=$(node_dir "$n")
  log=$(member_log "$n")
  # getOVSSystemID
  sid=$(in_node "$n" ovs-vsctl --retry -t 60 get Open_vSwitch . external-ids:system-id </dev/null 2>>"$log" 9>&-) ||
    { warn "$n: no system-id in OVSDB"; return 1; }
  sid=${sid//\"/}
  # initIPSecKeysDir, generateCSRCode
  in_node_logged "$n" mkdir -p "$LAB_KEY_DIR" || { warn "$n: mkdir $LAB_KEY_DIR failed (see $log)"; return 1; }
  in_node_logged "$n" openssl genrsa -out "$LAB_KEY_DIR/ipsec-privkey.pem" 2048 ||
    { warn "$n: openssl genrsa failed (see $log)"; return 1; }
  in_node_logged "$n" openssl req -new -text -extensions v3_req -addext "subjectAltName = DNS:$sid" \
    -subj "/C=CN/O=kubeovn/OU=kind/CN=$sid" -key "$LAB_KEY_DIR/ipsec-privkey.pem" -out "$LAB_KEY_DIR/ipsec-req.pem" ||
    { warn "$n: openssl req failed (see $log)"; return 1; }
  # createCSR: the controller signs; the node writes the certificate with
  # `openssl x509 -outform pem -text -out` (text dump, then PEM) from the PEM on stdin, and the
  # Secret's cacert with mode 0600 (os.WriteFile).
  cert=$(kubeovn_sign "$d$LAB_KEY_DIR/ipsec-req.pem") || { warn "$n: signing failed (see $(controller_dir)/lab.log)"; return 1; }
  printf '%s\n' "$cert" | in_node "$n" openssl x509 -outform pem -text -out "$LAB_KEY_DIR/ipsec-cert.pem" \
    >>"$log" 2>&1 9>&- || { warn "$n: writing the certificate failed (see $log)"; return 1; }
  in_node "$n" sh -c 'umask 077; cat >"$1"' sh "$LAB_KEY_DIR/ipsec-cacert.pem" <"$(kubeovn_ca_dir)/cacert.pem" \
    >>"$log" 2>&1 9>&- || { warn "$n: writing the CA failed (see $log)"; return 1; }
  # configureOVSWithIPSecKeys
  in_node_logged "$n" ovs-vsctl --retry -t 60 set Open_vSwitch . \
    "other_config:certificate=$LAB_KEY_DIR/ipsec-cert.pem" \
    "other_config:private_key=$LAB_KEY_DIR/ipsec-privkey.pem" \
    "other_config:ca_cert=$LAB_KEY_DIR/ipsec-cacert.pem" || { warn "$n: ovs-vsctl set failed (see $log)"; return 1; }
  kubeovn_start_ipsec_service "$n"
}

# StartIPSecService: linkCACertToIPSecDir (unless the link's path exists), then restartService
# for openvswitch-ipsec and ipsec: only when `service X status` exits non-zero. Kube-OVN then says
# `service X restart`; nothing of X runs at that point, so the lab says `start`, which ends in
# the same state without Debian's openvswitch-ipsec script's 10 s DODTIME sleep in `restart`.
# After openvswitch-ipsec (whose ovs-monitor-ipsec restarts strongSwan itself), `service ipsec
# status` normally succeeds and ipsec is left alone, as in Kube-OVN.
kubeovn_start_ipsec_service() {
  local n=$1 svc
  in_node_logged "$n" sh -c '[ -e /etc/ipsec.d/cacerts/ipsec-cacert.pem ] || ln -s "$1" /etc/ipsec.d/cacerts/ipsec-cacert.pem' \
    sh "$LAB_KEY_DIR/ipsec-cacert.pem" || { warn "$n: linking the CA failed (see $(member_log "$n"))"; return 1; }
  for svc in openvswitch-ipsec ipsec; do
    in_node_logged "$n" service "$svc" status && continue
    in_node_logged "$n" service "$svc" start || {
      warn "$n: service $svc start failed (see $(member_log "$n"))"
      return 1
    }
  done
  poll 30 test -S "$(node_dir "$n")/run/charon.ctl" || {
    warn "$n: strongSwan's charon did not come up within 30 s (see $(node_dir "$n")/var/log/openvswitch)"
    return 1
  }
  poll 10 test -s "$(node_dir "$n")/run/charon.pid"
}

kubeovn_enroll_nodes() { for_nodes_parallel kubeovn_enroll_node "$@"; }

configured_count() {
  in_node "$1" ovs-appctl -t ovs-monitor-ipsec tunnels/show 2>/dev/null | grep -c '(CONFIGURED)' || true
}

# Every given node's monitor shows a CONFIGURED tunnel to each other chassis in the SB.
all_configured() {
  local n want
  want=$(($(chassis_count) - 1))
  for n in "$@"; do
    [ "$(configured_count "$n")" -ge "$want" ] || return 1
  done
}

wait_configured() {
  poll 30 all_configured "$@" ||
    die "not every tunnel of $* is CONFIGURED after 30 s (see $LAB_DIR/nodes/<node>/var/log/openvswitch/ovs-monitor-ipsec.log)"
}
