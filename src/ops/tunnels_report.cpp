#include "ops/tunnels_report.hpp"

#include "ops/tunnels_fetch.hpp"
#include "util/parallel.hpp"

namespace ops {

ipsec::TunnelsReport
collect_tunnels(kube::Cluster& cluster, const Discovery& found, size_t concurrency, std::chrono::milliseconds timeout)
{
  std::vector<ipsec::NodeTunnelsResult> results(found.nodes.size());
  util::parallel_for(found.nodes.size(), concurrency,
                     [&](size_t i) { results[i] = fetch_node_tunnels(cluster, found.nodes[i], timeout); });
  ipsec::TunnelsReport report;
  for (auto& result : results) {
    if (!result.chassis.empty()) {
      report.chassis.push_back({result.chassis, result.node});
    }
    report.nodes.push_back(std::move(result));
  }
  return report;
}

} // namespace ops
