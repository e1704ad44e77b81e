#include "ops/discovery.hpp"

#include "util/error.hpp"

#include <fmt/format.h>

#include <set>

namespace ops {

Discovery
discover_nodes(const Session& session, const std::vector<std::string>& only_nodes, bool log_layout)
{
  auto& cluster = session.cluster;
  const std::string& ns = session.ns;
  const auto ovs = cluster.list_pods(ns, std::string(ipsec::k_ovs_selector), "");
  const auto cni = cluster.list_pods(ns, std::string(ipsec::k_cni_selector), "");
  if (log_layout && ovs.empty() && cni.empty()) {
    // An empty table would read as "nothing to do" when the namespace is simply the wrong one.
    throw util::Error(fmt::format("no Kube-OVN pods in namespace {} (neither {} nor {}): Kube-OVN runs elsewhere? "
                                  "Set -n/--namespace or $KUBE_OVN_NS",
                                  ns, ipsec::k_ovs_selector, ipsec::k_cni_selector));
  }
  Discovery out;
  out.layout = ipsec::detect_layout(cni, ovs);
  out.nodes = ipsec::node_targets(out.layout, ovs, cni, only_nodes);
  out.cni_pods = cni;
  if (log_layout) {
    session.log(1, fmt::format("layout: {}; {} ovs-ovn and {} kube-ovn-cni pods in {}", ipsec::describe(out.layout),
                               ovs.size(), cni.size(), ns));
  }
  return out;
}

std::vector<std::string>
nodes_not_found(const Discovery& found, const std::vector<std::string>& wanted)
{
  std::set<std::string> missing(wanted.begin(), wanted.end());
  for (const auto& node : found.nodes) {
    missing.erase(node.node);
  }
  return {missing.begin(), missing.end()};
}

} // namespace ops
