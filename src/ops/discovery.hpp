#pragma once
// The I/O half of finding Kube-OVN's pods: lists them through the cluster seam and hands the
// decisions to ipsec/targets. Shared by every command that works on nodes.

#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"
#include "ops/session.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ops {

// Threads of every fan-out unless --concurrency says otherwise: as many as the cluster's exec
// limit may ever admit (kube/exec_limit.hpp: it starts at 32 execs at once and adapts, up to
// 64). The limit, not the thread count, decides how many execs are open.
inline constexpr size_t k_default_concurrency = kube::k_exec_concurrency_cap;

struct Discovery {
  ipsec::Layout layout = ipsec::Layout::ovs_ovn;
  std::vector<ipsec::NodeTarget> nodes;
  std::vector<kube::Pod> cni_pods; // kept for flag_owner(), so status lists them once
};

// Lists ovs-ovn and kube-ovn-cni pods in the session's namespace, detects the layout, and
// picks each node's pod. With `log_layout` (a command's first look, not a --wait poll), a -v line
// says the detected layout, and a namespace without any Kube-OVN node pod is a util::Error.
Discovery discover_nodes(const Session& session, const std::vector<std::string>& only_nodes, bool log_layout = true);

// The message for a node named with --node that has no Kube-OVN pod.
inline constexpr std::string_view k_no_pod_on_node = "no Kube-OVN pod on this node (is the node name right?)";

// The nodes of `wanted` that `found` has no entry for, sorted.
std::vector<std::string> nodes_not_found(const Discovery& found, const std::vector<std::string>& wanted);

} // namespace ops
