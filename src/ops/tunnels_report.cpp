#include "ops/tunnels_report.hpp"

#include "ops/tunnels_fetch.hpp"
#include "util/parallel.hpp"

namespace ops {

std::vector<ipsec::WaitNode>
collect_wait_nodes(kube::Cluster& cluster, const Discovery& found, ipsec::WaitGoal goal, ipsec::ChassisIds& ids,
                   size_t concurrency, std::chrono::milliseconds timeout)
{
  std::vector<ipsec::WaitNode> nodes(found.nodes.size());
  util::parallel_for(found.nodes.size(), concurrency, [&](size_t i) {
    ipsec::WaitNodeBuilder builder(ids, goal);
    const auto fetched = fetch_node_tunnels(cluster, found.nodes[i], timeout, {},
                                            [&builder](ipsec::Tunnel&& tunnel) { builder.add(tunnel); });
    nodes[i] = builder.finish(fetched);
  });
  return nodes;
}

} // namespace ops
