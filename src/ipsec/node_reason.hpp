#pragma once
// `status`'s REASON: why a node is not where the flag says it should be, in plain words, and the
// command that fixes it when there is one. Pure: a judged NodeStatus in, one line out.

#include "ipsec/node_status.hpp"

#include <string>
#include <string_view>

namespace ipsec {

// What the plugin tells users to run when a node needs init's work done again: a certificate
// missing, expired or from another CA, or the IPsec daemons down (init starts them as ipsec.sh
// does, and only on nodes that need it).
inline constexpr std::string_view k_fix_with_init = "run `kubectl ko ipsec init`";

// Whether `status` asks this node's strongSwan (`ipsec status`) too: only where the answer can
// explain something (the monitor down, or tunnels without their SAs); an up node costs nothing.
bool wants_ike_check(const NodeStatus& status);

// "" for a node that is up (IPsec on) or clean (IPsec off), from its judged health. Otherwise one line, the most basic
// cause first: a pod restarted (OVSDB names certificate files that are gone, the daemons down),
// the monitor down, a certificate missing / expired / from another CA, strongSwan down, then
// what is missing ("no tunnel to 2 of 5 peers", "no SAs with 1 of 5 peers yet").
std::string explain(const NodeStatus& status);

} // namespace ipsec
