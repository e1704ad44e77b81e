# shellcheck shell=bash
# Starting the real daemons (docs/reference/lab.md §5, §7): OVN central (NB, SB, northd), per chassis
# ovsdb-server + ovs-vswitchd (userspace datapath) + ovn-controller, and per chassis
# ovs-monitor-ipsec, which starts strongSwan's starter and charon in that chassis.
# Every daemon's stdio goes to the member's lab.log: a daemon that kept the caller's stdout open
# would make a caller that reads it to the end (a test harness, a pipe) wait forever.

member_log() { printf '%s/lab.log' "$(node_dir "$1")"; }

# Runs a command in a member with its output appended to the member's lab.log.
in_node_logged() {
  local name=$1
  shift
  # 9>&-: the lab's lock (lock_lab) must not live on in a daemon.
  in_node "$name" "$@" </dev/null >>"$(member_log "$name")" 2>&1 9>&-
}

start_central() {
  local c=central
  in_node_logged $c ovsdb-tool create /var/lib/ovn/ovnnb_db.db /usr/share/ovn/ovn-nb.ovsschema
  in_node_logged $c ovsdb-tool create /var/lib/ovn/ovnsb_db.db /usr/share/ovn/ovn-sb.ovsschema
  local db
  for db in nb:6641 sb:6642; do
    in_node_logged $c ovsdb-server -vconsole:off --detach --no-chdir --pidfile="/run/ovn/ovn${db%:*}_db.pid" \
      --log-file="/var/log/ovn/ovsdb-server-${db%:*}.log" --unixctl="/run/ovn/ovn${db%:*}_db.ctl" \
      --remote="punix:/run/ovn/ovn${db%:*}_db.sock" --remote="ptcp:${db#*:}:$LAB_CENTRAL_IP" \
      "/var/lib/ovn/ovn${db%:*}_db.db"
  done
  in_node_logged $c ovn-nbctl --no-wait init
  in_node_logged $c ovn-sbctl init
  in_node_logged $c ovn-northd -vconsole:off --detach --no-chdir --pidfile=/run/ovn/ovn-northd.pid \
    --log-file=/var/log/ovn/ovn-northd.log \
    --ovnnb-db=unix:/run/ovn/ovnnb_db.sock --ovnsb-db=unix:/run/ovn/ovnsb_db.sock
}

# ovsdb-server, ovs-vswitchd and ovn-controller of one chassis, with its fixed system-id.
start_chassis() {
  local n=$1 sid
  sid=$(node_system_id "$n")
  echo "$sid" >"$(node_dir "$n")/etc/openvswitch/system-id.conf"
  in_node_logged "$n" ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
  in_node_logged "$n" ovsdb-server -vconsole:off --detach --no-chdir --pidfile=/run/openvswitch/ovsdb-server.pid \
    --log-file=/var/log/openvswitch/ovsdb-server.log --unixctl=/run/openvswitch/ovsdb-server.ctl \
    --remote=punix:/run/openvswitch/db.sock --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
    /etc/openvswitch/conf.db
  in_node_logged "$n" ovs-vsctl --no-wait init
  in_node_logged "$n" ovs-vsctl --no-wait set Open_vSwitch . \
    "external_ids:system-id=$sid" "external_ids:hostname=$n" \
    "external_ids:ovn-remote=tcp:$LAB_CENTRAL_IP:6642" external_ids:ovn-encap-type=geneve \
    "external_ids:ovn-encap-ip=$(node_ip "$n")" external_ids:ovn-bridge-datapath-type=netdev
  # --disable-system + netdev bridges: the userspace datapath, no kernel openvswitch module.
  in_node_logged "$n" ovs-vswitchd -vconsole:off --disable-system --detach --no-chdir \
    --pidfile=/run/openvswitch/ovs-vswitchd.pid --log-file=/var/log/openvswitch/ovs-vswitchd.log \
    unix:/run/openvswitch/db.sock
  in_node_logged "$n" ovn-controller -vconsole:off --detach --no-chdir --pidfile=/run/ovn/ovn-controller.pid \
    --log-file=/var/log/ovn/ovn-controller.log unix:/run/openvswitch/db.sock
}

# Runs `fn node` for every given node at once; fails (naming them) if any failed.
for_nodes_parallel() {
  local fn=$1
  shift
  local n pids=() failed=()
  for n in "$@"; do
    "$fn" "$n" &
    pids+=($!)
  done
  local i=0
  for n in "$@"; do
    wait "${pids[i]}" || failed+=("$n")
    i=$((i + 1))
  done
  ((${#failed[@]} == 0)) || die "$fn failed on ${failed[*]} (see $LAB_DIR/nodes/<node>/lab.log and var/log/*)"
}

chassis_count() {
  in_node central ovn-sbctl --timeout=5 --bare --columns=name list Chassis 2>/dev/null | grep -c .
}

geneve_count() {
  in_node "$1" ovs-vsctl --timeout=5 --columns=name --bare find Interface type=geneve 2>/dev/null | grep -c .
}

# Every node in $LAB_NODES that runs (skipping stopped ones) sees a Geneve port to every other.
full_mesh() {
  local want=$((${#LAB_NODES[@]} - 1)) n
  [ "$(chassis_count)" -ge "${#LAB_NODES[@]}" ] || return 1
  for n in "${LAB_NODES[@]}"; do
    [ "$(geneve_count "$n")" -ge "$want" ] || return 1
  done
}

wait_full_mesh() {
  poll 60 full_mesh || die "no Geneve full mesh among ${LAB_NODES[*]} after 60 s (see $LAB_DIR/nodes/*/var/log/ovn)"
}

# The IPsec daemons as Kube-OVN v1.12.35's dist/images/ipsec.sh init starts them: the image's
# service scripts, `service openvswitch-ipsec` (Debian's init script: ovs-ctl start-ovs-ipsec,
# i.e. ovs-monitor-ipsec, which restarts strongSwan itself) then `service ipsec`. ipsec.sh says
# `restart`; here nothing runs yet, so `start` gives the same state without the script's 10 s
# stop wait. The monitor's --detach returns only after its `ipsec restart` (~3 s), hence one
# node per background job.
start_monitor() {
  local n=$1
  in_node_logged "$n" service openvswitch-ipsec start || {
    warn "$n: service openvswitch-ipsec start failed (see $(member_log "$n"))"
    return 1
  }
  in_node_logged "$n" service ipsec start || {
    warn "$n: service ipsec start failed (see $(member_log "$n"))"
    return 1
  }
  poll 30 test -S "$(node_dir "$n")/run/charon.ctl" || {
    warn "$n: strongSwan's charon did not come up within 30 s (see $(node_dir "$n")/var/log/openvswitch)"
    return 1
  }
  poll 10 test -s "$(node_dir "$n")/run/charon.pid"
}

start_monitors() { for_nodes_parallel start_monitor "$@"; }
