#include "cli/discovery.hpp"

#include <fmt/format.h>

#include <set>

namespace cli {

Discovery
discover_nodes(kube::Cluster& cluster, const std::string& ns, const std::vector<std::string>& only_nodes,
               const std::function<void(const std::string&)>& log)
{
  const auto ovs = cluster.list_pods(ns, std::string(ipsec::k_ovs_selector), "");
  const auto cni = cluster.list_pods(ns, std::string(ipsec::k_cni_selector), "");
  Discovery out;
  out.layout = ipsec::detect_layout(cni, ovs);
  out.nodes = ipsec::node_targets(out.layout, ovs, cni, only_nodes);
  out.cni_pods = cni;
  if (log) {
    log(fmt::format("layout: {}; {} ovs-ovn and {} kube-ovn-cni pods in {}", ipsec::describe(out.layout), ovs.size(),
                    cni.size(), ns));
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

} // namespace cli
