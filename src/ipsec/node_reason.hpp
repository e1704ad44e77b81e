#pragma once
// `status`'s REASON: why a node is not where the flag says it should be, in plain words, and the
// command that fixes it when there is one. Pure: a judged NodeStatus in, one line out.

#include "ipsec/node_status.hpp"

#include <string>
#include <string_view>

namespace ipsec {

// Who brings a node's certificate and IPsec daemons back. Kube-OVN <= 1.12: nothing but
// ipsec.sh (and so the plugin's init: start-ovs.sh never starts the daemons). Kube-OVN >= 1.13
// with --enable-ovn-ipsec=true: the kube-ovn-cni daemon, which re-enrolls the node and starts
// the daemons whenever its pod starts (pkg/daemon/ipsec.go); running init there would fight it.
enum class Healer { plugin_init, kube_ovn };

// Kube-OVN heals the nodes when its --enable-ovn-ipsec owner says true.
Healer healer_for(const StatusReport& report);

// Whether `status` asks this node's strongSwan (`ipsec status`) too: only where the answer can
// explain something (the monitor down, or tunnels without their SAs); an up node costs nothing.
bool wants_ike_check(const NodeStatus& status);

// "" for a node that is up (IPsec on) or clean (IPsec off), from its judged health. Otherwise one
// line, the most basic cause first: a pod restarted (OVSDB names certificate files that are
// gone, the daemons down), the monitor down, a certificate missing / expired / from another CA,
// strongSwan down, then what is missing ("no CONFIGURED tunnel to 2 of 5 peers", "IKE has no
// SAs with 1 of 5 peers yet"), with the fix `healer` gives; `ns` is Kube-OVN's namespace.
std::string explain(const NodeStatus& status, Healer healer = Healer::plugin_init, std::string_view ns = "kube-system");

} // namespace ipsec
