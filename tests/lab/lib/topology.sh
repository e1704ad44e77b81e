# shellcheck shell=bash
# Network namespaces on one Linux bridge, and per member ("central", "nodeN") a private tree
# bind-mounted over /run, /etc/openvswitch, /etc/ipsec.* … inside a pinned mount namespace, so
# every daemon and CLI uses its default paths as inside a Kube-OVN pod (docs/reference/lab.md §3-4).

# Paths private to each member: bind mounts of <node dir>/<path> over /<path>.
LAB_PRIVATE_DIRS=(run etc/openvswitch var/lib/openvswitch var/log/openvswitch etc/ovn var/lib/ovn var/log/ovn
  etc/ipsec.d etc/strongswan.d)
LAB_PRIVATE_FILES=(etc/ipsec.conf etc/ipsec.secrets)
# Kube-OVN >= 1.13 with --enable-ovn-ipsec=true: the cni-server container mounts the node's
# hostPath /etc/origin/ovs_ipsec_keys (volume ovs-ipsec-keys) at /etc/ovs_ipsec_keys (charts/
# kube-ovn/templates/ovncni-ds.yaml, v1.13.15). The host has no /etc/ovs_ipsec_keys to mount it
# on, and making one would show an empty directory in every other lab's nodes, so such a lab's
# members get a private /etc (an overlay over the host's, writes going to <node dir>/etc-overlay)
# in which the mount point is made. Without the flag the path does not exist, as in a real pod.
LAB_KEYS_DIR=etc/ovs_ipsec_keys

# Whether the member gets the /etc overlay and <node dir>/etc/ovs_ipsec_keys: the nodes (where
# kube-ovn-cni pods run) of a lab brought up with --enable-ovn-ipsec true; never central.
lab_has_keys_dir() { [ "${LAB_OVN_IPSEC:-false}" = true ] && [ "$1" != central ]; }

# The bridge namespace, and the private bind mount that namespace files can be pinned on.
create_underlay() {
  local ul
  ul=$(netns_of ul)
  ip netns add "$ul"
  ip -n "$ul" link add br-ul type bridge
  ip -n "$ul" link set br-ul up
  ip -n "$ul" link set lo up
  mkdir -p "$LAB_DIR/ns"
  # unshare --mount=FILE needs FILE on a mount whose propagation is not shared.
  mount --bind "$LAB_DIR/ns" "$LAB_DIR/ns"
  mount --make-private "$LAB_DIR/ns"
}

# A member's netns with eth0 (its address) on the underlay bridge.
create_netns() {
  local name=$1 ns ul
  ns=$(netns_of "$name")
  ul=$(netns_of ul)
  ip netns add "$ns"
  ip link add "v-$name" netns "$ul" type veth peer name eth0 netns "$ns"
  ip -n "$ul" link set "v-$name" master br-ul up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(node_ip "$name")/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# The host-side tree whose parts become the member's private /run, /etc/ipsec.d, ...
prepare_tree() {
  local d p
  d=$(node_dir "$1")
  for p in "${LAB_PRIVATE_DIRS[@]}" run/openvswitch run/ovn work; do
    mkdir -p "$d/$p"
  done
  mkdir -p "$d"/etc/ipsec.d/{cacerts,certs,private,reqs,crls,aacerts,acerts,ocspcerts,policies}
  chmod 700 "$d/etc/ipsec.d/private"
  if lab_has_keys_dir "$1"; then
    mkdir -p "$d/$LAB_KEYS_DIR" "$d/etc-overlay/upper" "$d/etc-overlay/work"
    chmod 755 "$d/$LAB_KEYS_DIR" # a hostPath the runtime creates: 0755, root
  fi
  cp -a /etc/strongswan.d/. "$d/etc/strongswan.d/"
  # libcharon-extra-plugins turns on ~20 more charon plugins host-wide; keep the plain baseline.
  if dpkg-query -W -f='${Status}' libcharon-extra-plugins 2>/dev/null | grep -q 'install ok installed'; then
    local f
    for f in $(dpkg -L libcharon-extra-plugins | grep '^/etc/strongswan.d/charon/.*\.conf$'); do
      sed -i 's/^\(\s*\)load = yes/\1load = no/' "$d$f"
    done
  fi
  # charon logs only to syslog, which does not exist here: without this its errors are invisible.
  cat >"$d/etc/strongswan.d/zz-lab-filelog.conf" <<'CONF'
charon {
    filelog {
        lab {
            path = /var/log/openvswitch/charon.log
            time_format = %F %T
            default = 1
            knl = 2
            cfg = 1
            flush_line = yes
            append = yes
        }
    }
}
CONF
  : >"$d/etc/ipsec.conf"
  : >"$d/etc/ipsec.secrets"
  chmod 600 "$d/etc/ipsec.secrets"
}

# Creates the member's mount namespace, pinned on <dir>/ns/NAME.mnt, with its private paths.
# Built from the host namespaces with unshare: `ip netns exec` makes a throw-away mount
# namespace per call, so nothing mounted there could be pinned.
create_mountns() {
  local name=$1 keys=
  touch "$LAB_DIR/ns/$name.mnt"
  lab_has_keys_dir "$name" && keys=$LAB_KEYS_DIR
  unshare --mount="$LAB_DIR/ns/$name.mnt" --propagation private \
    nsenter --net="/run/netns/$(netns_of "$name")" /bin/sh -ec '
      tree=$1; pins=$2; keys=$3; shift 3
      # Copies of the other pins and of the host netns mounts would keep those alive.
      umount -l "$pins" 2>/dev/null || true
      umount -l /run/netns 2>/dev/null || true
      umount -l /sys && mount -t sysfs sysfs /sys
      if [ -n "$keys" ]; then
        # The private /etc that can hold the ovs-ipsec-keys mount point (see LAB_KEYS_DIR).
        mount -t overlay koi-lab-etc -o "lowerdir=/etc,upperdir=$tree/etc-overlay/upper,workdir=$tree/etc-overlay/work" /etc
        mkdir -p "/$keys"
        set -- "$@" "$keys"
      fi
      for p in "$@"; do mount --bind "$tree/$p" "/$p"; done
    ' sh "$(node_dir "$name")" "$LAB_DIR/ns" "$keys" "${LAB_PRIVATE_DIRS[@]}" "${LAB_PRIVATE_FILES[@]}"
}

# One member from nothing to a namespace pair ready for its daemons.
create_member() {
  create_netns "$1"
  prepare_tree "$1"
  create_mountns "$1"
}
