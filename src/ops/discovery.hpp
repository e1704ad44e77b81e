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

// Nodes asked at once by every fan-out (--concurrency). Execs are long-running requests, outside
// the API server's max-in-flight limits; 20 keeps 100 nodes at 50 ms exec latency under 1 s
// (bench/RESULTS.md) while a 429 on the upgrade is still honoured (Retry-After).
inline constexpr size_t k_default_concurrency = 20;

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
