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

# The running kube-ovn-controller's --enable-ovn-ipsec: what restart-controller recorded, else the
# value the lab came up with (kubeovn_pin_controller_flag keeps that before lab.env's changes).
kubeovn_controller_flag() { cat "$(controller_dir)/enable-ovn-ipsec" 2>/dev/null || printf '%s' "${LAB_OVN_IPSEC:-false}"; }
kubeovn_pin_controller_flag() {
  [ -f "$(controller_dir)/enable-ovn-ipsec" ] && return 0
  mkdir -p "$(controller_dir)"
  printf '%s' "${LAB_OVN_IPSEC:-false}" >"$(controller_dir)/enable-ovn-ipsec"
}

# createCSR waits for the signature: the CSR stays Pending until a kube-ovn-controller runs with
# the flag true (only then are its CSR handlers registered, pkg/controller/controller.go) and has
# the CA; the daemon gives up after 300 polls of 1 s (v1.13.15 ipsec.go).
kubeovn_signer_ready() { [ "$(kubeovn_controller_flag)" = true ] && kubeovn_ca_ready; }

# One node's cni-server with --enable-ovn-ipsec=true at start (v1.13.15 ManageIPSecKeys, no
# certificate yet): CreateIPSecKeys, then StartIPSecService. Commands run inside the node as
# the cni-server runs them; the controller's part (signing) runs on the host side.
kubeovn_enroll_node() { kubeovn_create_keys "$1" && kubeovn_start_ipsec_service "$1"; }

# CreateIPSecKeys: initIPSecKeysDir, generateCSRCode, createCSR, configureOVSWithIPSecKeys.
kubeovn_create_keys() {
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
  # createCSR: the controller signs (once it runs with the flag true); the node writes the
  # certificate with `openssl x509 -outform pem -text -out` (text dump, then PEM) from the PEM on
  # stdin, and the Secret's cacert with mode 0600 (os.WriteFile).
  poll 300 kubeovn_signer_ready ||
    { warn "$n: no kube-ovn-controller with --enable-ovn-ipsec=true signed the request within 300 s"; return 1; }
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

# ---- pod restarts: what a rollout (or a pod delete) of Kube-OVN >= 1.13 does to the lab -------
# The test API server runs these through lib/pod_hook.py for every kube-ovn-controller or
# kube-ovn-cni pod a rollout replaces (cluster_json.py writes the hook). Kube-OVN v1.13.15:
# pkg/controller/controller.go Run(), pkg/daemon/controller.go Run(), pkg/daemon/ipsec.go.

# kube-ovn-controller's new container: SetOVNIPSec(flag) at every start, and with true
# InitDefaultOVNIPsecCA and the CSR handlers (the signer). The Secret itself is the API
# server's: pod_hook.py puts its CA into the controller's pki first (or removes the old one when
# the Secret is missing, so `ovs-pki init --force` makes a new CA, as the real one does) and
# creates the Secret afterwards. Takes no lab lock: a cni-server restart holding it may be
# waiting for this signer.
cmd_restart_controller() {
  if (($# != 0)) || [ -z "$OPT_OVN_IPSEC" ]; then die "usage: lab restart-controller --enable-ovn-ipsec true|false"; fi
  require_ready
  [ "$LAB_LAYOUT" = kube-ovn-cni ] || die "restart-controller needs a lab with --layout kube-ovn-cni"
  local c nb
  c=$(controller_dir)
  mkdir -p "$c/work"
  echo restarting >"$c/enable-ovn-ipsec" # the old container (and its signer) is gone
  if [ "$OPT_OVN_IPSEC" = true ]; then
    kubeovn_controller_start
  else
    # SetOVNIPSec writes only a changed value.
    nb=$(in_node central ovn-nbctl get NB_Global . ipsec 2>>"$c/lab.log") || die "ovn-nbctl get NB_Global . ipsec failed"
    [ "$nb" = false ] || in_node_logged central ovn-nbctl --no-wait set NB_Global . ipsec=false ||
      die "ovn-nbctl set NB_Global . ipsec=false failed (see $(member_log central))"
  fi
  printf '%s' "$OPT_OVN_IPSEC" >"$c/enable-ovn-ipsec"
  say "kube-ovn-controller restarted with --enable-ovn-ipsec=$OPT_OVN_IPSEC in $(elapsed) s" \
    "(NB ipsec=$OPT_OVN_IPSEC$([ "$OPT_OVN_IPSEC" = true ] && echo ', CA ready, signing'))"
}

# The volume ovs-ipsec-keys (hostPath <node dir>/etc/ovs_ipsec_keys) mounted at /etc/ovs_ipsec_keys
# in the new container, as the chart renders it with the flag true (and the plugin patches it in
# and out together with the flag). A lab brought up without the flag has no private /etc to make
# the mount point in: the overlay of topology.sh is mounted now, and the member's private paths
# under /etc bound again on top of it.
kubeovn_mount_keys() {
  local n=$1 d src
  d=$(node_dir "$n")
  in_node "$n" mountpoint -q "$LAB_KEY_DIR" && return 0
  mkdir -p "$d$LAB_KEY_DIR" "$d/etc-overlay/upper" "$d/etc-overlay/work"
  chmod 755 "$d$LAB_KEY_DIR" # a hostPath the runtime creates: 0755, root
  src=$(in_node "$n" findmnt -n -o SOURCE --target /etc)
  local etc_paths=() p
  for p in "${LAB_PRIVATE_DIRS[@]}" "${LAB_PRIVATE_FILES[@]}"; do [[ $p != etc/* ]] || etc_paths+=("$p"); done
  in_node_logged "$n" sh -ec '
    tree=$1; keys=$2; overlay=$3; shift 3
    if [ "$overlay" = no ]; then
      mount -t overlay koi-lab-etc -o "lowerdir=/etc,upperdir=$tree/etc-overlay/upper,workdir=$tree/etc-overlay/work" /etc
      for p in "$@"; do mount --bind "$tree/$p" "/$p"; done
    fi
    mkdir -p "$keys"
    mount --bind "$tree$keys" "$keys"' \
    sh "$d" "$LAB_KEY_DIR" "$([ "$src" = koi-lab-etc ] && echo yes || echo no)" "${etc_paths[@]}" ||
    { warn "$n: mounting $LAB_KEY_DIR failed (see $(member_log "$n"))"; return 1; }
}

# Without the volume the container has no /etc/ovs_ipsec_keys; the host path keeps its files.
kubeovn_unmount_keys() {
  in_node "$1" mountpoint -q "$LAB_KEY_DIR" || return 0
  in_node_logged "$1" sh -ec 'umount "$1"; rmdir "$1"' sh "$LAB_KEY_DIR" ||
    { warn "$1: unmounting $LAB_KEY_DIR failed (see $(member_log "$1"))"; return 1; }
}

# checkCertExpired: notBefore more than 365 days ago (expireTime); an unreadable certificate
# is an error, and ManageIPSecKeys then stops before StartIPSecService.
kubeovn_cert_expired() {
  local nb
  nb=$(in_node "$1" openssl x509 -in "$LAB_KEY_DIR/ipsec-cert.pem" -noout -startdate 2>>"$(member_log "$1")") ||
    { warn "$1: $LAB_KEY_DIR/ipsec-cert.pem does not parse"; return 2; }
  (($(date +%s) - $(date -d "${nb#notBefore=}" +%s) > 365 * 86400))
}

# RemoveIPSecKeys: the four files, the three other_config keys, the CA link; stops at the first
# failure, as the Go code returns.
kubeovn_remove_keys() {
  local n=$1 f
  for f in ipsec-privkey.pem ipsec-req.pem ipsec-cacert.pem ipsec-cert.pem; do
    in_node_logged "$n" rm -f "$LAB_KEY_DIR/$f" || return 1
  done
  for f in certificate private_key ca_cert; do
    in_node_logged "$n" ovs-vsctl --retry -t 60 remove Open_vSwitch . other_config "$f" || return 1
  done
  in_node_logged "$n" rm -f /etc/ipsec.d/cacerts/ipsec-cacert.pem
}

# ManageIPSecKeys (the cni-server's start with true).
kubeovn_manage_keys() {
  local n=$1 rc
  if ! in_node "$n" test -e "$LAB_KEY_DIR/ipsec-cert.pem"; then
    kubeovn_create_keys "$n" || return 1
  else
    kubeovn_cert_expired "$n" && rc=0 || rc=$?
    [ "$rc" != 2 ] || return 1
    if [ "$rc" = 0 ]; then
      kubeovn_remove_keys "$n" || warn "$n: removing the expired keys failed (see $(member_log "$n"))"
      kubeovn_create_keys "$n" || return 1
    fi
  fi
  kubeovn_start_ipsec_service "$n"
}

# StopAndClearIPSecResouce (the cni-server's start with false). Kube-OVN logs each failure and
# goes on (StopIPSecService skips the second stop when the first failed); the lab does the same
# but returns 1 at the end, so a failure is seen (the test API server keeps the pod unready).
# `service ipsec stop` is `ipsec stop` here: Debian's init script then also waits for and kills
# every process running /usr/lib/ipsec/charon (start-stop-daemon --exec, killall -9), which on a
# real node is its one charon but here is every node's, and every other lab's, on the machine.
# `ipsec stop` stops the node's starter through its pidfile; the restart already ended charon.
kubeovn_stop_and_clear() {
  local n=$1 rc=0
  if in_node_logged "$n" service openvswitch-ipsec stop; then
    in_node_logged "$n" ipsec stop || rc=1
  else
    rc=1
  fi
  kubeovn_remove_keys "$n" || rc=1
  { in_node_logged "$n" ip xfrm policy flush && in_node_logged "$n" ip xfrm state flush; } || rc=1
  ((rc == 0)) || warn "$n: StopAndClearIPSecResouce had errors (see $(member_log "$n"))"
  return "$rc"
}

# A kube-ovn-cni pod replaced by one whose cni-server has --enable-ovn-ipsec=FLAG (cmd_restart_pod
# has already stopped the old container's IPsec daemons and emptied /etc/ipsec.d).
kubeovn_restart_cni() {
  local n=$1 flag=$2
  if [ "$flag" = true ]; then
    kubeovn_mount_keys "$n" && kubeovn_manage_keys "$n" || die "$n: the new cni-server's ManageIPSecKeys failed"
  else
    # With the volume (kubectl-ko-ipsec's `off` keeps it; KOI_LAB_KEYS_VOLUME=yes from pod_hook.py)
    # RemoveIPSecKeys deletes the host's files; without it (the chart's false) they stay on the
    # host, and v1.13-v1.14's next start with true keeps the unexpired certificate without
    # setting the OVSDB keys (ManageIPSecKeys skips CreateIPSecKeys' configureOVSWithIPSecKeys).
    if [ "${KOI_LAB_KEYS_VOLUME:-no}" = yes ]; then
      kubeovn_mount_keys "$n" && kubeovn_stop_and_clear "$n" ||
        die "$n: the new cni-server's StopAndClearIPSecResouce failed"
    else
      kubeovn_unmount_keys "$n" && kubeovn_stop_and_clear "$n" ||
        die "$n: the new cni-server's StopAndClearIPSecResouce failed"
    fi
  fi
  if [ "$flag" != "$LAB_OVN_IPSEC" ]; then
    kubeovn_pin_controller_flag
    LAB_OVN_IPSEC=$flag
    save_state
  fi
  write_cluster_json "$LAB_LAYOUT" "$LAB_DIR/cluster.json"
  say "$n: kube-ovn-cni pod restarted with --enable-ovn-ipsec=$flag in $(elapsed) s" \
    "($([ "$flag" = true ] && echo "keys in $LAB_KEY_DIR, CA linked, IPsec daemons started" ||
      echo 'IPsec daemons stopped, OVSDB keys and CA link removed, xfrm flushed'))"
}
