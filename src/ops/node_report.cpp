#include "ops/node_report.hpp"

#include "ipsec/chassis_ids.hpp"

#include "ops/discovery.hpp"
#include "ops/fanout.hpp"

namespace ops {

ipsec::NodeReport
read_nodes(const Session& session, const std::vector<std::string>& only_nodes, size_t concurrency,
           std::chrono::milliseconds timeout)
{
  const auto found = discover_nodes(session, only_nodes);
  const auto runs = exec_on_nodes(session.cluster, found.nodes, ipsec::system_id_command(), concurrency, timeout);
  ipsec::NodeReport report{found.layout, {}};
  std::vector<std::pair<std::string, std::string>> ids;
  for (size_t i = 0; i < runs.size(); ++i) {
    report.rows.push_back(ipsec::node_row(found.nodes[i], runs[i].result, runs[i].error));
    ids.emplace_back(report.rows.back().node, report.rows.back().chassis);
  }
  // Two nodes with one chassis id would share a certificate CN: flagged on both rows.
  const auto shared = ipsec::shared_chassis(ids);
  for (auto& row : report.rows) {
    if (const auto it = shared.find(row.node); it != shared.end() && row.error.empty()) {
      row.error = ipsec::shared_chassis_problem(row.chassis, it->second);
    }
  }
  return report;
}

} // namespace ops
