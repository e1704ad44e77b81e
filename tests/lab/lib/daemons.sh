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
    "external_ids:ovn-encap-ip=$(node_ip "$n")" "external_ids:ovn-bridge-datapath-type=$LAB_DATAPATH"
  if [ "$LAB_DATAPATH" = system ]; then
    # The kernel datapath (a kernel with openvswitch, geneve and conntrack zones: the UML lab's
    # own kernel, uml/build-kernel.sh): Geneve leaves through the kernel's IP stack, so xfrm
    # encrypts it, as on a real Kube-OVN node.
    in_node_logged "$n" ovs-vswitchd -vconsole:off --detach --no-chdir \
      --pidfile=/run/openvswitch/ovs-vswitchd.pid --log-file=/var/log/openvswitch/ovs-vswitchd.log \
      unix:/run/openvswitch/db.sock
  else
    # --disable-system + netdev bridges: the userspace datapath, no kernel openvswitch module.
    in_node_logged "$n" ovs-vswitchd -vconsole:off --disable-system --detach --no-chdir \
      --pidfile=/run/openvswitch/ovs-vswitchd.pid --log-file=/var/log/openvswitch/ovs-vswitchd.log \
      unix:/run/openvswitch/db.sock
    add_phy_bridge "$n" || return 1
  fi
  in_node_logged "$n" ovn-controller -vconsole:off --detach --no-chdir --pidfile=/run/ovn/ovn-controller.pid \
    --log-file=/var/log/ovn/ovn-controller.log unix:/run/openvswitch/db.sock
}

# Kube-OVN's node port on the join switch, as kube-ovn-controller and the node's daemon make it
# (Kube-OVN v1.12.22; v1.13.15 does the same): the controller creates logical switch `join`
# (pkg/controller/init.go initNodeSwitch) and per node LSP node-<nodename> with addresses
# "<mac> <ip>" (pkg/controller/node.go handleAddNode -> pkg/ovs/ovn-nb-logical_switch_port.go
# CreateBareLogicalSwitchPort), writing both to the node's annotations; kube-ovn-cni (ovs-ovn's
# host network) then runs pkg/daemon/init.go InitNodeGateway -> pkg/daemon/ovs_linux.go
# configureNodeNic: `ovs-vsctl --may-exist add-port br-int ovn0 -- set interface ovn0
# type=internal -- set interface ovn0 external_ids:iface-id=node-<nodename> external_ids:ip=<ip>`,
# then configureNic: MAC, MTU (`mtu_request` on an openvswitch link, the kernel datapath's ovn0;
# the lab's netdev ovn0 is a tap and gets the same mtu_request, so OVS never resets it to the
# bridge's), link up, address <ip>/16. Not modelled: the join switch's router port 100.64.0.1
# on ovn-cluster, the routes to the pod CIDRs via it, the gateway ping.
create_join_switch() {
  in_node_logged central ovn-nbctl --may-exist ls-add "$LAB_JOIN_SWITCH"
}

add_node_nic() {
  local n=$1 lsp ip mac
  lsp=$(node_lsp "$n")
  ip=$(node_join_ip "$n")
  mac=$(node_join_mac "$n")
  in_node_logged central ovn-nbctl --may-exist lsp-add "$LAB_JOIN_SWITCH" "$lsp" -- \
    lsp-set-addresses "$lsp" "$mac $ip" || return 1
  in_node_logged "$n" /bin/sh -ec '
    nic=$1 lsp=$2 ip=$3 mac=$4 mtu=$5 plen=$6
    ovs-vsctl --timeout=30 --may-exist add-port br-int "$nic" -- set interface "$nic" type=internal -- \
      set interface "$nic" "external_ids:iface-id=$lsp" "external_ids:ip=$ip"
    ip link set "$nic" address "$mac"
    ovs-vsctl --timeout=30 set interface "$nic" "mtu_request=$mtu"
    ip link set "$nic" up
    ip addr replace "$ip/$plen" dev "$nic"
  ' sh "$LAB_NODE_NIC" "$lsp" "$ip" "$mac" "$LAB_NODE_NIC_MTU" "$LAB_JOIN_PREFIX_LEN" || {
    warn "$n: creating $LAB_NODE_NIC failed (see $(member_log "$n"))"
    return 1
  }
}

add_node_nics() { for_nodes_parallel add_node_nic "$@"; }

# The userspace datapath sends tunnel packets only through an OVS bridge that owns the route to
# the remote endpoint (OVS native tunneling, Documentation/howto/userspace-tunneling.rst): with
# the node's address on eth0, ofproto/trace ends in "native tunnel routing failed" and no Geneve
# packet leaves. So eth0 becomes a port of netdev bridge br-phy (eth0's MAC), the node's address
# moves to br-phy's tap, and the kernel's traffic (OVSDB to central, IKE) passes through it; the
# Geneve packets leave eth0 from ovs-vswitchd (AF_PACKET), below the node's IP stack and so below
# xfrm: never encrypted (docs/reference/lab.md §8). Kube-OVN's OVS-DPDK mode uses the same name for
# its tunnel bridge (v1.12.22 dist/images/start-ovs-dpdk-v2.sh, cni-server --dpdk-tunnel-iface=br-phy);
# its default (kernel datapath) has no such bridge. Before ovn-controller starts, so its
# connection to the SB never has to move.
add_phy_bridge() {
  local n=$1
  in_node_logged "$n" /bin/sh -ec '
    ip=$1
    ovs-vsctl --timeout=30 --may-exist add-br br-phy -- set bridge br-phy datapath_type=netdev \
      "other_config:hwaddr=$(cat /sys/class/net/eth0/address)" -- --may-exist add-port br-phy eth0
    ip addr flush dev eth0
    ip addr replace "$ip/24" dev br-phy
    ip link set br-phy up
  ' sh "$(node_ip "$n")" || {
    warn "$n: moving $(node_ip "$n") from eth0 to br-phy failed (see $(member_log "$n"))"
    return 1
  }
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
