#pragma once
// The I/O half of finding Kube-OVN's pods: lists them through the cluster seam and hands the
// decisions to ipsec/targets. Shared by every command that works on nodes.

#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

struct Discovery {
  ipsec::Layout layout = ipsec::Layout::ovs_ovn;
  std::vector<ipsec::NodeTarget> nodes;
};

// Lists ovs-ovn and kube-ovn-cni pods in `ns`, detects the layout, and picks each node's pod.
// `log` receives -v lines (the detected layout).
Discovery discover_nodes(kube::Cluster& cluster, const std::string& ns, const std::vector<std::string>& only_nodes,
                         const std::function<void(const std::string&)>& log);

// The message for a node named with --node that has no Kube-OVN pod.
inline constexpr std::string_view k_no_pod_on_node = "no Kube-OVN pod on this node (is the node name right?)";

// The nodes of `wanted` that `found` has no entry for, sorted.
std::vector<std::string> nodes_not_found(const Discovery& found, const std::vector<std::string>& wanted);

} // namespace cli
