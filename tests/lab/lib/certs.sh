# shellcheck shell=bash
# Certificates the way Kube-OVN's ipsec.sh / start-ipsec.sh make them (docs/reference/lab.md §6): node1's
# ovs-pki is the CA; every node makes a key and request, the CA signs it, the node gets its
# cert and the CA cert in /etc/ipsec.d and names them in Open_vSwitch other_config.
# A separate step so that `kubectl ko ipsec init` (issue 5) can take its place (`up --no-certs`).

LAB_CA_NODE=node1

ca_ready() { [ -f "$(node_dir "$LAB_CA_NODE")/var/lib/openvswitch/pki/switchca/cacert.pem" ]; }

init_ca() {
  ca_ready && return 0
  in_node_logged "$LAB_CA_NODE" ovs-pki init --force
  ca_ready || die "ovs-pki init on $LAB_CA_NODE made no switchca (see $(member_log "$LAB_CA_NODE"))"
}

# Key + request in the node; the request lands in the node's /etc/ipsec.d/reqs.
make_request() {
  local n=$1 sid d
  sid=$(node_system_id "$n")
  d=$(node_dir "$n")
  in_node_logged "$n" ovs-pki req -u "$sid" --force
  mv "$d/work/$sid-privkey.pem" "$d/etc/ipsec.d/private/"
  mv "$d/work/$sid-req.pem" "$d/etc/ipsec.d/reqs/"
}

# Signs one node's request on the CA node (one at a time: ovs-pki keeps a serial file), hands
# the node its cert and the CA cert (the lab's `kubectl cp`), and sets other_config.
sign_and_install() {
  local n=$1 sid d ca
  sid=$(node_system_id "$n")
  d=$(node_dir "$n")
  ca=$(node_dir "$LAB_CA_NODE")
  cp "$d/etc/ipsec.d/reqs/$sid-req.pem" "$ca/work/"
  in_node_logged "$LAB_CA_NODE" ovs-pki sign -b "$sid" switch
  mv "$ca/work/$sid-cert.pem" "$d/etc/ipsec.d/certs/"
  rm -f "$ca/work/$sid-req.pem"
  cp "$ca/var/lib/openvswitch/pki/switchca/cacert.pem" "$d/etc/ipsec.d/cacerts/cacert.pem"
  in_node_logged "$n" ovs-vsctl --timeout=10 set Open_vSwitch . \
    "other_config:certificate=/etc/ipsec.d/certs/$sid-cert.pem" \
    "other_config:private_key=/etc/ipsec.d/private/$sid-privkey.pem" \
    other_config:ca_cert=/etc/ipsec.d/cacerts/cacert.pem
}

# The whole §6 set-up for the given nodes (the CA is made once, on node1).
make_certs() {
  init_ca
  for_nodes_parallel make_request "$@"
  local n
  for n in "$@"; do
    sign_and_install "$n"
  done
}
