# shellcheck shell=bash
# The lab's commands (see `lab --help`), built from the other lib/*.sh parts.

require_ready() {
  load_state
  [ "${LAB_READY:-0}" = 1 ] || die "the lab in $LAB_DIR is half-started; run: $LAB_SELF --dir $LAB_DIR down"
}

write_cluster_json() {
  python3 "$LAB_HOME/lib/cluster_json.py" --dir "$LAB_DIR" --prefix "$LAB_PREFIX" --nodes "${LAB_NODES[*]}" \
    --layout "${1:-$LAB_LAYOUT}" --enable-ovn-ipsec "${LAB_OVN_IPSEC:-false}" --nsenter "$(command -v nsenter)" --restart-hook --out "$2"
}

# EXIT trap of a failing `up`: take down what was made, keep the logs, say where they are.
up_exit() {
  local rc=$?
  [ "$rc" = 0 ] && return 0
  warn "up failed; tearing down (logs stay in $LAB_DIR/nodes)"
  teardown
}

cmd_up() {
  preflight
  [[ $OPT_NODES =~ ^[1-9]$ ]] || die "--nodes must be 1…$LAB_MAX_NODES, not $OPT_NODES"
  LAB_LAYOUT=${OPT_LAYOUT:-ovs-ovn}
  LAB_OVN_IPSEC=${OPT_OVN_IPSEC:-false}
  # With the flag true Kube-OVN makes the certificates, not the lab's ovs-pki step (certs.sh).
  [ "$LAB_OVN_IPSEC" = false ] || LAB_CERTS=0
  lock_lab
  if [ -f "$(state_file)" ]; then
    require_ready
    say "already up in $LAB_DIR (${LAB_NODES[*]}); to start afresh: $LAB_SELF --dir $LAB_DIR down"
    return 0
  fi
  local stale
  stale=$(lab_netns | tr '\n' ' ')
  [ -z "$stale" ] || die "namespaces ${stale% } exist but $LAB_DIR has no lab: another lab uses the prefix" \
    "\"$LAB_PREFIX\" (use --prefix), or a crashed one left them ($LAB_SELF --dir $LAB_DIR --prefix $LAB_PREFIX down)"
  local i
  for ((i = 1; i <= OPT_NODES; i++)); do LAB_NODES+=("node$i"); done
  mkdir -p "$LAB_DIR"
  rm -rf "$LAB_DIR/nodes" "$(controller_dir)" # logs a `down --keep-logs` left
  LAB_READY=0
  save_state
  trap up_exit EXIT

  create_underlay
  local m
  for m in central "${LAB_NODES[@]}"; do create_member "$m"; done
  say "$(elapsed) s: namespaces for central ${LAB_NODES[*]}"
  start_central
  create_join_switch
  for_nodes_parallel start_chassis "${LAB_NODES[@]}"
  wait_full_mesh
  add_node_nics "${LAB_NODES[@]}"
  say "$(elapsed) s: OVN central and ${#LAB_NODES[@]} chassis up, Geneve full mesh, $LAB_NODE_NIC on the join switch"
  # With certificates the lab is where Kube-OVN v1.12's ipsec.sh init leaves a cluster: keys,
  # certificates, OVSDB pointing at them and the IPsec daemons running. Without, it is what
  # start-ovs.sh (v1.12.35) leaves: OVS and OVN only, no ovs-monitor-ipsec, no strongSwan:
  # nothing starts them until someone does (`kubectl ko ipsec init`).
  # With --enable-ovn-ipsec true it is where Kube-OVN v1.13's kube-ovn-controller and cni-servers
  # leave a cluster (kubeovn_ipsec.sh); with false Kube-OVN does nothing for IPsec, and the
  # lab's own certificate step is as above.
  if [ "$LAB_OVN_IPSEC" = true ]; then
    kubeovn_controller_start
    say "$(elapsed) s: kube-ovn-controller --enable-ovn-ipsec=true: NB ipsec=true, CA (ovs-pki init) for Secret ovn-ipsec-ca"
    kubeovn_enroll_nodes "${LAB_NODES[@]}"
    say "$(elapsed) s: cni-servers: keys and certificates in $LAB_KEY_DIR, IPsec daemons started"
    wait_configured "${LAB_NODES[@]}"
  elif [ "$LAB_CERTS" = 1 ]; then
    make_certs "${LAB_NODES[@]}"
    say "$(elapsed) s: certificates (ovs-pki, CA on $LAB_CA_NODE)"
    start_monitors "${LAB_NODES[@]}"
  fi
  write_cluster_json "$LAB_LAYOUT" "$LAB_DIR/cluster.json"
  LAB_READY=1
  save_state
  trap - EXIT
  if [ "$LAB_OVN_IPSEC" = true ]; then
    say "up in $(elapsed) s: central + ${LAB_NODES[*]} in $LAB_DIR (namespaces $LAB_PREFIX-*)," \
      "Kube-OVN --enable-ovn-ipsec=true: certificates in $LAB_KEY_DIR, IPsec daemons running, NB ipsec=true," \
      "all tunnels CONFIGURED"
    say "cluster description for tests/apiserver: $LAB_DIR/cluster.json (layout $LAB_LAYOUT, --enable-ovn-ipsec=true," \
      "Secret kube-system/ovn-ipsec-ca)"
    return 0
  fi
  say "up in $(elapsed) s: central + ${LAB_NODES[*]} in $LAB_DIR (namespaces $LAB_PREFIX-*)," \
    "$([ "$LAB_CERTS" = 1 ] && echo 'certificates set, IPsec daemons running' || echo 'no certificates, no IPsec daemons'), NB ipsec=false"
  say "cluster description for tests/apiserver: $LAB_DIR/cluster.json (layout $LAB_LAYOUT$([ "$LAB_LAYOUT" = kube-ovn-cni ] && echo ', --enable-ovn-ipsec=false'))"
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "must run as root (it removes network namespaces and mounts)"
  lock_lab
  if [ -f "$(state_file)" ]; then
    load_state
  else
    local stray
    stray=$(lab_netns | tr '\n' ' ')
    if [ ! -d "$LAB_DIR/ns" ] && [ -z "$stray" ]; then
      say "no lab in $LAB_DIR (prefix $LAB_PREFIX): nothing to do"
      return 0
    fi
    # Without a state file these namespaces may be another lab directory's: only on request.
    [ -d "$LAB_DIR/ns" ] || [ -n "$OPT_FORCE" ] ||
      die "namespaces ${stray% } exist but $LAB_DIR has no lab; if they are leftovers, remove them with: down --force --prefix $LAB_PREFIX"
  fi
  teardown
  if [ -n "$OPT_KEEP_LOGS" ]; then
    say "down in $(elapsed) s; logs kept in $LAB_DIR/nodes"
  else
    rm -rf "$LAB_DIR/nodes" "$(controller_dir)"
    say "down in $(elapsed) s"
  fi
}

cmd_exec() {
  (($# >= 2)) || die "usage: lab exec NODE -- CMD [ARGS...]"
  load_state
  local name=$1
  shift
  [ "$name" = central ] || has_node "$name" || die "no member \"$name\" (members: central ${LAB_NODES[*]})"
  in_node "$name" "$@"
}

# The member's daemons, each as its pidfile name, with ":STOPPED" when it does not run.
daemon_words() {
  local m=$1 f pid words=() files
  if [ "$m" = central ]; then files=("${LAB_PIDFILES[@]:6}"); else files=("${LAB_PIDFILES[@]:0:6}"); fi
  for f in "${files[@]}"; do
    pid=$(pid_from "$(node_dir "$m")/run/$f" || true)
    if [ -n "$pid" ] && alive "$pid"; then words+=("$(basename "$f" .pid)"); else words+=("$(basename "$f" .pid):STOPPED"); fi
  done
  printf '%s' "${words[*]}"
}

cmd_status() {
  load_state
  local m ipsec tunnels all_up=0 words
  ipsec=$(in_node central ovn-nbctl --timeout=5 get NB_Global . ipsec 2>/dev/null || echo '?')
  local layout=$LAB_LAYOUT certs
  [ "$LAB_LAYOUT" != kube-ovn-cni ] || layout="$layout (--enable-ovn-ipsec=$LAB_OVN_IPSEC)"
  certs=$([ "$LAB_CERTS" = 1 ] && echo yes || echo no)
  [ "$LAB_OVN_IPSEC" != true ] || certs="Kube-OVN's ($LAB_KEY_DIR)"
  say "$LAB_DIR: prefix $LAB_PREFIX, layout $layout, certificates $certs," \
    "NB_Global.ipsec=$ipsec"
  for m in central "${LAB_NODES[@]}"; do
    words=$(daemon_words "$m")
    [[ $words != *STOPPED* ]] || all_up=1
    if [ "$m" = central ]; then
      printf '%-8s %-11s %s\n' "$m" "$(node_ip "$m")" "$words"
      continue
    fi
    tunnels=$(in_node "$m" ovs-appctl -t ovs-monitor-ipsec tunnels/show 2>/dev/null | grep -c '(CONFIGURED)' || true)
    printf '%-8s %-11s %s  %s CONFIGURED tunnel(s)  chassis %s\n' "$m" "$(node_ip "$m")" "$words" "${tunnels:-0}" \
      "$(node_system_id "$m")"
  done
  return "$all_up"
}

# Running chassis: ovs-monitor-ipsec alive.
running_nodes() {
  local n pid
  for n in "${LAB_NODES[@]}"; do
    pid=$(pid_from "$(node_dir "$n")/run/openvswitch/ovs-monitor-ipsec.pid" || true)
    [ -n "$pid" ] && alive "$pid" && printf '%s\n' "$n"
  done
  return 0
}

# Every node has an ESTABLISHED IKE_SA with each of the others: counted as distinct peers (the
# remote end of "…: ESTABLISHED 3 seconds ago, LOCAL[id]...REMOTE[id]"), since one pair can show
# two IKE_SAs during a re-key or a crossed initiation and would otherwise hide a missing peer.
established_everywhere() {
  local n want=$(($# - 1)) peers
  for n in "$@"; do
    peers=$(in_node "$n" ipsec status 2>/dev/null |
      sed -n 's/.*: ESTABLISHED .*\.\.\.\([^[]*\)\[.*/\1/p' | sort -u | grep -c . || true)
    [ "${peers:-0}" -ge "$want" ] || return 1
  done
}

# `ipsec up` for each of the node's out conns whose peer has no ESTABLISHED IKE_SA yet (the
# IKE_SA carries the name of the pair's -in- conn, hence the match on the tunnel name).
ipsec_up_missing() {
  in_node "$1" bash -c '
    established=" $(ipsec status 2>/dev/null | sed -n "s/^\(ovn-[0-9a-f]*-[0-9]*\)-in-[0-9]*\[[0-9]*\]: ESTABLISHED.*/\1/p" | tr "\n" " ")"
    for conn in $(sed -n "s/^conn \(ovn-.*-out-[0-9]*\)$/\1/p" /etc/ipsec.conf); do
      case $established in *" ${conn%-out-*} "*) continue ;; esac
      timeout 10 ipsec up "$conn" >/dev/null 2>&1 &
    done
    wait' </dev/null >/dev/null 2>&1 || true
}

cmd_trigger_ike() {
  require_ready
  local nodes n p
  mapfile -t nodes < <(running_nodes)
  ((${#nodes[@]} >= 2)) || die "trigger-ike needs two running nodes (running: ${nodes[*]:-none})"
  # The userspace datapath sends Geneve below the IP stack, so nothing hits the trap policies:
  # a kernel-originated datagram to each peer's Geneve port makes charon start IKE (docs/reference/lab.md §8).
  for n in "${nodes[@]}"; do
    for p in "${nodes[@]}"; do
      [ "$n" = "$p" ] || in_node "$n" bash -c "echo lab-ike-trigger > /dev/udp/$(node_ip "$p")/6081" || true
    done
  done
  if ! poll 3 established_everywhere "${nodes[@]}"; then
    # A datagram does nothing while the kernel still holds the larval state of an earlier one
    # (165 s), e.g. after ovs-monitor-ipsec tore the IKE_SAs down on a configuration change.
    for_nodes_parallel ipsec_up_missing "${nodes[@]}"
    poll 20 established_everywhere "${nodes[@]}" ||
      die "IKE not ESTABLISHED between all of ${nodes[*]} after 20 s (is IPsec on? see: $LAB_SELF exec node1 -- ipsec status)"
  fi
  say "IKE ESTABLISHED between every pair of ${nodes[*]} in $(elapsed) s"
}

cmd_add_node() {
  preflight
  lock_lab
  require_ready
  local last=${LAB_NODES[${#LAB_NODES[@]} - 1]} n
  n="node$(($(node_index "$last") + 1))"
  [ "$(node_index "$last")" -lt "$LAB_MAX_NODES" ] || die "the lab has $LAB_MAX_NODES nodes already"
  create_member "$n"
  start_chassis "$n"
  LAB_NODES+=("$n")
  save_state
  poll 60 geneve_mesh_for "$n" || die "$n has no Geneve port to every other chassis after 60 s"
  add_node_nic "$n" || die "$n: no $LAB_NODE_NIC"
  if [ "$LAB_OVN_IPSEC" = true ]; then
    # The new node's cni-server with --enable-ovn-ipsec=true enrolls itself (kubeovn_ipsec.sh).
    kubeovn_enroll_node "$n" || die "$n: the v1.13 enrolment failed (see $(member_log "$n"))"
    local running
    mapfile -t running < <(running_nodes)
    wait_configured "${running[@]}"
  elif [ "$LAB_CERTS" = 1 ]; then
    make_certs "$n"
    start_monitor "$n"
  fi
  write_cluster_json "$LAB_LAYOUT" "$LAB_DIR/cluster.json"
  say "$n ($(node_ip "$n"), chassis $(node_system_id "$n")) added in $(elapsed) s; $LAB_DIR/cluster.json updated"
}

# The new node sees every other chassis, and every running node sees it.
geneve_mesh_for() {
  local new=$1 want n
  want=$(($(chassis_count) - 1))
  [ "$want" -ge $((${#LAB_NODES[@]} - 1)) ] && [ "$(geneve_count "$new")" -ge "$want" ] || return 1
  for n in $(running_nodes); do
    [ "$(geneve_count "$n")" -ge "$want" ] || return 1
  done
}

cmd_stop_node() {
  (($# == 1)) || die "usage: lab stop-node NODE"
  lock_lab
  require_ready
  has_node "$1" || die "no node \"$1\" (nodes: ${LAB_NODES[*]})"
  stop_daemons "$1"
  say "$1: daemons stopped in $(elapsed) s (its namespaces stay until down)"
}

# A pod restart as Kubernetes does it to a v1.12 ovs-ovn pod: the container's processes and
# files are gone (the IPsec daemons, /etc/ipsec.d), the host paths stay (OVSDB in
# /etc/origin/openvswitch, hence other_config naming the certificate files). OVS and OVN keep
# running here: the new container would start them again (start-ovs.sh) with the same state.
# Layout kube-ovn-cni: then the new cni-server's start with --enable-ovn-ipsec (the option, else
# the lab's value; kubeovn_ipsec.sh).
cmd_restart_pod() {
  (($# == 1)) || die "usage: lab restart-pod NODE [--enable-ovn-ipsec true|false]"
  lock_lab
  require_ready
  has_node "$1" || die "no node \"$1\" (nodes: ${LAB_NODES[*]})"
  [ -z "$OPT_OVN_IPSEC" ] || [ "$LAB_LAYOUT" = kube-ovn-cni ] ||
    die "--enable-ovn-ipsec needs a lab with --layout kube-ovn-cni (a v1.12 ovs-ovn pod has no such flag)"
  local d f pids=()
  d=$(node_dir "$1")
  for f in "${LAB_PIDFILES[@]:0:3}"; do
    pids+=("$(pid_from "$d/run/$f" || true)")
  done
  stop_pids "${pids[@]}"
  rm -f "$d/run/charon.ctl" "$d/run/charon.vici" "$d/run/starter.charon.pid" "$d/run/charon.pid" \
    "$d/run/openvswitch/ovs-monitor-ipsec.pid" "$d"/run/openvswitch/ovs-monitor-ipsec.*.ctl
  find "$d/etc/ipsec.d" -type f -delete
  if [ "$LAB_LAYOUT" = kube-ovn-cni ]; then
    # The pod is kube-ovn-cni: /etc/ipsec.d loses its CA link too.
    find "$d/etc/ipsec.d" -type l -delete
    kubeovn_restart_cni "$1" "${OPT_OVN_IPSEC:-$LAB_OVN_IPSEC}"
    return 0
  fi
  say "$1: pod restarted in $(elapsed) s (IPsec daemons gone, /etc/ipsec.d empty, OVSDB kept)"
}

cmd_certs() {
  preflight
  lock_lab
  require_ready
  [ "$LAB_OVN_IPSEC" != true ] ||
    die "this lab runs Kube-OVN with --enable-ovn-ipsec=true: its cni-servers made the certificates ($LAB_KEY_DIR)"
  make_certs "${LAB_NODES[@]}"
  LAB_CERTS=1
  save_state
  say "certificates set on ${LAB_NODES[*]} in $(elapsed) s (CA on $LAB_CA_NODE)"
}

cmd_cluster_json() {
  require_ready
  write_cluster_json "${OPT_LAYOUT:-$LAB_LAYOUT}" "$OPT_OUT"
}
