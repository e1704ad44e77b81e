# shellcheck shell=bash
# Stopping daemons and removing the lab without collateral damage (docs/reference/lab.md §13): only PIDs the
# lab's pidfiles name or that live in its own namespaces get a signal, never a process name.

# Pidfiles under a member's run/, in stop order (the monitor first, or it restarts strongSwan).
LAB_PIDFILES=(openvswitch/ovs-monitor-ipsec.pid starter.charon.pid charon.pid ovn/ovn-controller.pid
  openvswitch/ovs-vswitchd.pid openvswitch/ovsdb-server.pid ovn/ovn-northd.pid ovn/ovnnb_db.pid ovn/ovnsb_db.pid)

# Alive and not a zombie: detached daemons are re-parented to PID 1, which may never reap them,
# and a zombie still passes `kill -0`.
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Whether the PID lives in one of this lab's network namespaces (-ef compares the nsfs inodes;
# a builtin, as teardown checks many PIDs on a busy machine).
in_lab_netns() {
  local ns
  for ns in /run/netns/"$LAB_PREFIX"-*; do
    [[ /proc/$1/ns/net -ef $ns ]] && return 0
  done
  return 1
}

# TERM to every listed PID that is alive and inside the lab, then KILL what is still alive after 5 s.
stop_pids() {
  local pid targets=()
  for pid in "$@"; do
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && in_lab_netns "$pid" && targets+=("$pid")
  done
  ((${#targets[@]})) || return 0
  kill -TERM "${targets[@]}" 2>/dev/null || true
  local deadline=$(($(date +%s%N) + 5000000000)) left
  while :; do
    left=()
    for pid in "${targets[@]}"; do
      alive "$pid" && left+=("$pid")
    done
    ((${#left[@]})) || return 0
    [ "$(date +%s%N)" -lt "$deadline" ] || break
    sleep 0.1
  done
  warn "killing ${left[*]} (still running 5 s after SIGTERM)"
  kill -KILL "${left[@]}" 2>/dev/null || true
}

pid_from() {
  local pid
  { read -r pid <"$1"; } 2>/dev/null || return 1
  printf '%s' "${pid//[^0-9]/}"
}

# Stops the daemons of the given members in three rounds across all of them: the monitors (or
# one would restart strongSwan), strongSwan, then OVN/OVS.
stop_daemons() {
  local round f m pids
  for round in "0 1" "1 2" "3 6"; do
    pids=()
    for f in "${LAB_PIDFILES[@]:${round% *}:${round#* }}"; do
      for m in "$@"; do
        pids+=("$(pid_from "$(node_dir "$m")/run/$f" || true)")
      done
    done
    stop_pids "${pids[@]}"
  done
}

# Every netns of this lab (also ones a half-finished `up` left behind).
lab_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${LAB_PREFIX}-(ul|central|node[0-9]+)\$" || true; }

# Stops everything, unpins the mount namespaces, deletes the network namespaces and the state.
teardown() {
  local members=() m ns
  for m in "$LAB_DIR"/nodes/*/; do
    [ -d "$m" ] && members+=("$(basename "$m")")
  done
  ((${#members[@]} == 0)) || stop_daemons "${members[@]}"
  # Whatever else still runs in the lab's namespaces (short-lived exec'd commands, stray ip).
  for ns in $(lab_netns); do
    # shellcheck disable=SC2046
    stop_pids $(ip netns pids "$ns" 2>/dev/null)
  done
  if [ -d "$LAB_DIR/ns" ]; then
    for m in "$LAB_DIR"/ns/*.mnt; do
      [ -e "$m" ] || continue
      umount "$m" 2>/dev/null || true
      rm -f "$m"
    done
    while mountpoint -q "$LAB_DIR/ns" && umount "$LAB_DIR/ns"; do :; done
    rmdir "$LAB_DIR/ns" 2>/dev/null || warn "could not remove $LAB_DIR/ns (still mounted?)"
  fi
  for ns in $(lab_netns); do
    ip netns del "$ns" || warn "could not delete netns $ns"
  done
  rm -f "$(state_file)" "$LAB_DIR/cluster.json"
}
