#!/usr/bin/env bash
# Makes one set of `verify` captures (README.md here) from a running lab: for every node, towards
# every other node, what `kubectl ko ipsec verify` would see from that node's host network.
#   capture.sh OUTDIR "node1 node2 node3" -- tests/lab/lab --dir D --prefix P
#   capture.sh OUTDIR "node1 node2 node3" -- tests/lab/lab --uml --dir D
# Writes OUTDIR/<node>/{ip-addr-ovn0.txt,ovn0-mtu.txt,ovn-encap-ip.txt} and per peer
# OUTDIR/<node>/to-<peer>/{xfrm-state-before.txt,tcpdump.stdout,tcpdump.stderr,probe.txt,
# xfrm-state-after.txt}, and OUTDIR/meta.txt (NB_Global.ipsec, CONFIGURED tunnels per node).
# Addresses: nodeN has underlay 10.99.0.(10+N) and ovn0 100.64.0.(1+N) (tests/lab/lib/common.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: capture.sh OUTDIR NODES -- LAB-COMMAND...}
read -r -a nodes <<<"${2:?nodes}"
[ "${3:-}" = -- ] || { echo "usage: capture.sh OUTDIR NODES -- LAB-COMMAND..." >&2; exit 2; }
shift 3
lab=("$@")

# Runs inside a node: one window per peer (tcpdump started, then the datagrams, then stopped),
# the results as a base64 tar on stdout (the UML lab's exec has no other way out).
read -r -d '' in_node <<'SCRIPT' || true
set -u
probe=$1 sizes=$2
shift 2
d=$(mktemp -d)
ip -o -4 addr show dev ovn0 >"$d/ip-addr-ovn0.txt" 2>&1
cat /sys/class/net/ovn0/mtu >"$d/ovn0-mtu.txt" 2>&1
ovs-vsctl get Open_vSwitch . external_ids:ovn-encap-ip >"$d/ovn-encap-ip.txt" 2>&1
for spec in "$@"; do
  peer=${spec%%:*} rest=${spec#*:}
  ul=${rest%%:*} nic=${rest#*:}
  p="$d/to-$peer"
  mkdir "$p"
  ip -s xfrm state >"$p/xfrm-state-before.txt" 2>&1
  tcpdump -i any -nn -t -l "dst host $ul and (esp or udp dst port 6081)" >"$p/tcpdump.stdout" 2>"$p/tcpdump.stderr" &
  td=$!
  i=0
  until grep -q 'listening on' "$p/tcpdump.stderr" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
  # shellcheck disable=SC2086
  python3 "$probe" "$nic" $sizes >"$p/probe.txt" 2>&1
  sleep 0.5
  kill -INT $td
  wait $td
  ip -s xfrm state >"$p/xfrm-state-after.txt" 2>&1
done
tar -C "$d" -czf - . | base64
rm -rf "$d"
SCRIPT

ul_ip() { printf '10.99.0.%d' $((10 + ${1#node})); }
nic_ip() { printf '100.64.0.%d' $((1 + ${1#node})); }
sizes="1373 1372 1300 1200 1000 500 100"

mkdir -p "$out"
{
  printf 'lab: %s\n' "${lab[*]}"
  printf 'date: %s\n' "$(date -u +%FT%TZ)"
  printf 'NB_Global.ipsec: %s\n' "$("${lab[@]}" exec central -- ovn-nbctl --timeout=30 get NB_Global . ipsec)"
} >"$out/meta.txt"
for n in "${nodes[@]}"; do
  specs=()
  for p in "${nodes[@]}"; do
    [ "$p" = "$n" ] || specs+=("$p:$(ul_ip "$p"):$(nic_ip "$p")")
  done
  rm -rf "${out:?}/$n"
  mkdir -p "$out/$n"
  "${lab[@]}" exec "$n" -- bash -c "$in_node" bash "$here/probe.py" "$sizes" "${specs[@]}" | base64 -d | tar -xzf - -C "$out/$n"
  printf '%s CONFIGURED tunnels: %s\n' "$n" \
    "$("${lab[@]}" exec "$n" -- ovs-appctl -t ovs-monitor-ipsec tunnels/show 2>/dev/null | grep -c '(CONFIGURED)' || true)" >>"$out/meta.txt"
done
echo "capture.sh: $out"
