# shellcheck shell=bash
# Shared by every lab command: settings, messages, the state file, node naming and addressing,
# the preflight check, and running a command inside a node (the lab's `kubectl exec`).

LAB_DEFAULT_DIR=/tmp/kubectl-ko-ipsec-lab
LAB_MAX_NODES=9
LAB_CENTRAL_IP=10.99.0.1
MONITOR=/usr/share/openvswitch/scripts/ovs-monitor-ipsec
# OVS datapath of the nodes: netdev (userspace; the host kernel has no openvswitch module) or
# system (the kernel's; set by the UML lab when its guest runs the lab's own kernel).
LAB_DATAPATH=${KOI_LAB_DATAPATH:-netdev}
case $LAB_DATAPATH in netdev | system) ;; *) printf 'lab: KOI_LAB_DATAPATH must be netdev or system\n' >&2; exit 1 ;; esac

say() { printf 'lab: %s\n' "$*"; }
warn() { printf 'lab: %s\n' "$*" >&2; }
die() {
  printf 'lab: %s\n' "$*" >&2
  exit 1
}

# Seconds since the command started, with one decimal, for the progress lines.
elapsed() {
  local now
  now=$(date +%s%N)
  printf '%d.%d' $(((now - LAB_T0) / 1000000000)) $((((now - LAB_T0) / 100000000) % 10))
}

# ---- state ------------------------------------------------------------------------------------
# <dir>/lab.env holds what later commands need: the namespace prefix, the nodes, whether the
# lab made certificates, the layout of the cluster description, the value of Kube-OVN >= 1.13's
# --enable-ovn-ipsec the lab was brought up with (layout kube-ovn-cni; false otherwise), and the
# nodes' OVS datapath.

state_file() { printf '%s/lab.env' "$LAB_DIR"; }

save_state() {
  local tmp
  tmp="$(state_file).tmp"
  {
    printf 'LAB_PREFIX=%q\n' "$LAB_PREFIX"
    printf 'LAB_NODES=%q\n' "${LAB_NODES[*]}"
    printf 'LAB_CERTS=%q\n' "$LAB_CERTS"
    printf 'LAB_LAYOUT=%q\n' "$LAB_LAYOUT"
    printf 'LAB_OVN_IPSEC=%q\n' "${LAB_OVN_IPSEC:-false}"
    printf 'LAB_DATAPATH=%q\n' "$LAB_DATAPATH"
    printf 'LAB_READY=%q\n' "${LAB_READY:-0}"
  } >"$tmp"
  mv "$tmp" "$(state_file)"
}

# Loads the state of the lab in $LAB_DIR; fails with a one-line message when there is none.
load_state() {
  [ -f "$(state_file)" ] || die "no lab in $LAB_DIR (start one with: $LAB_SELF up)"
  local nodes
  # shellcheck disable=SC1090
  source "$(state_file)"
  nodes=$LAB_NODES
  read -r -a LAB_NODES <<<"$nodes"
}

# Serialises commands that change the lab (up, down, add-node, stop-node) per lab directory.
lock_lab() {
  mkdir -p "$(dirname "$LAB_DIR")"
  exec 9>"$LAB_DIR.lock"
  flock -w 120 9 || die "another lab command holds $LAB_DIR.lock for more than 120 s"
}

# ---- nodes ------------------------------------------------------------------------------------
# nodeN: address 10.99.0.(10+N), chassis name NNNNNNNN-xxxx-4000-8000-0000000000NN with a letter
# block per node, so the first 6 characters (which name the tunnel ports, ovn-NNNNNN-0) differ.

node_index() {
  [[ $1 =~ ^node([1-9])$ ]] || die "unknown node \"$1\" (nodes are node1…node$LAB_MAX_NODES)"
  printf '%s' "${BASH_REMATCH[1]}"
}

node_ip() {
  if [ "$1" = central ]; then
    printf '%s' "$LAB_CENTRAL_IP"
  else
    printf '10.99.0.%d' $((10 + $(node_index "$1")))
  fi
}

node_system_id() {
  local i letters=abcdefghi
  i=$(node_index "$1")
  local l=${letters:i-1:1}
  printf '%s%s%s%s%s%s%s%s-%s%s%s%s-4000-8000-0000000000%02d' \
    "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$l" "$l" "$l" "$l" "$i"
}

# Kube-OVN's join subnet (kube-ovn-controller --node-switch=join --node-switch-cidr=100.64.0.0/16,
# gateway 100.64.0.1, v1.12.22 pkg/controller/config.go): every node gets logical switch port
# node-<nodename> there and, in the node, OVS internal port ovn0 with that address. IPAM hands
# out the first free addresses after the gateway, so nodeN gets 100.64.0.(1+N); the MAC is
# random in Kube-OVN (util.GenerateMac, locally administered), fixed here. The MTU is the pod
# network's: the tunnel interface's 1500 minus util.GeneveHeaderLength (100).
LAB_JOIN_SWITCH=join
LAB_JOIN_PREFIX_LEN=16
LAB_NODE_NIC=ovn0
LAB_NODE_NIC_MTU=1400
node_join_ip() { printf '100.64.0.%d' $((1 + $(node_index "$1"))); }
node_join_mac() { printf '0a:00:64:00:00:%02x' $((1 + $(node_index "$1"))); }
node_lsp() { printf 'node-%s' "$1"; }

netns_of() { printf '%s-%s' "$LAB_PREFIX" "$1"; }
node_dir() { printf '%s/nodes/%s' "$LAB_DIR" "$1"; }

has_node() {
  local n
  for n in "${LAB_NODES[@]}"; do
    [ "$n" = "$1" ] && return 0
  done
  return 1
}

# Runs a command in a node's network and pinned mount namespace, from the host namespaces.
# stdout, stderr and the exit code pass through.
in_node() {
  local name=$1
  shift
  nsenter --net="/run/netns/$(netns_of "$name")" --mount="$LAB_DIR/ns/$name.mnt" \
    --wd="$(node_dir "$name")/work" -- "$@"
}

# Polls `cmd…` every 0.2 s until it succeeds or `seconds` pass; returns its last status.
poll() {
  local seconds=$1
  shift
  local deadline=$(($(date +%s) + seconds))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ---- preflight --------------------------------------------------------------------------------

# Every program the lab runs, with the Debian package that ships it.
LAB_NEEDS=(
  "ip:iproute2" "nsenter:util-linux" "unshare:util-linux" "flock:util-linux" "python3:python3"
  "ovsdb-server:openvswitch-switch" "ovs-vswitchd:openvswitch-switch" "ovs-vsctl:openvswitch-switch"
  "ovsdb-tool:openvswitch-common" "ovs-appctl:openvswitch-common" "ovs-pki:openvswitch-common"
  "$MONITOR:openvswitch-ipsec" "ovn-northd:ovn-central" "ovn-nbctl:ovn-common" "ovn-sbctl:ovn-common"
  "ovn-controller:ovn-host" "ipsec:strongswan-starter" "/usr/lib/ipsec/charon:strongswan-charon"
  "swanctl:strongswan-swanctl" "openssl:openssl"
)

# Fails with one line when not root or a program is missing (naming the packages to install).
preflight() {
  [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces and mounts)"
  local entry prog pkg missing=()
  for entry in "${LAB_NEEDS[@]}"; do
    prog=${entry%:*}
    pkg=${entry##*:}
    if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "$prog" ]; then
      [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) ||
    die "missing package(s): ${missing[*]} (install them with: bash .ci/install-deps, or apt-get install ${missing[*]})"
}
