#include "ops/node_report.hpp"

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
  for (size_t i = 0; i < runs.size(); ++i) {
    report.rows.push_back(ipsec::node_row(found.nodes[i], runs[i].result, runs[i].error));
  }
  return report;
}

} // namespace ops
