#include "cli/collect_tunnels.hpp"

#include "ipsec/node_report.hpp"
#include "ipsec/tunnels_show.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace cli {

namespace {

struct NodeOutcome {
  std::string chassis;
  std::optional<ipsec::NodeTunnels> tunnels;
  std::string error;
};

kube::ExecRequest
request_for(const ipsec::PodTarget& target, std::vector<std::string> argv, std::chrono::milliseconds timeout)
{
  kube::ExecRequest request;
  request.ns = target.ns;
  request.pod = target.pod;
  request.container = target.container;
  request.command = std::move(argv);
  request.timeout = timeout;
  return request;
}

// The node's chassis name, then (when wanted) its tunnels/show, parsed.
NodeOutcome
fetch_node(kube::Cluster& cluster, const ipsec::NodeTarget& node, bool want_tunnels, std::chrono::milliseconds timeout)
{
  NodeOutcome out;
  if (!node.target) {
    out.error = node.problem;
    return out;
  }
  try {
    const auto id = cluster.exec(request_for(*node.target, ipsec::system_id_command(), timeout));
    const auto row = ipsec::node_row(node, id, "");
    out.chassis = row.chassis;
    if (!want_tunnels) {
      return out;
    }
    const auto shown = cluster.exec(request_for(*node.target, ipsec::tunnels_show_command(), timeout));
    if (shown.exit_code != 0) {
      out.error = ipsec::describe_monitor_failure(shown);
      return out;
    }
    out.tunnels = ipsec::parse_tunnels_show(shown.out);
  } catch (const util::Error& e) {
    out.error = e.what();
  }
  return out;
}

} // namespace

ipsec::TunnelsReport
collect_tunnels(kube::Cluster& cluster, const Discovery& found, const std::vector<std::string>& only_nodes,
                size_t concurrency, std::chrono::milliseconds timeout)
{
  const std::set<std::string> wanted(only_nodes.begin(), only_nodes.end());
  const auto is_wanted = [&](const std::string& node) { return wanted.empty() || wanted.count(node) != 0; };

  std::vector<NodeOutcome> outcomes(found.nodes.size());
  util::parallel_for(found.nodes.size(), concurrency, [&](size_t i) {
    outcomes[i] = fetch_node(cluster, found.nodes[i], is_wanted(found.nodes[i].node), timeout);
  });

  ipsec::TunnelsReport report;
  for (size_t i = 0; i < found.nodes.size(); ++i) {
    const auto& node = found.nodes[i].node;
    if (!outcomes[i].chassis.empty()) {
      report.chassis.push_back({outcomes[i].chassis, node});
    }
    if (is_wanted(node)) {
      report.nodes.push_back({node, outcomes[i].chassis, std::move(outcomes[i].tunnels), outcomes[i].error});
    }
  }
  for (const auto& node : nodes_not_found(found, only_nodes)) {
    report.nodes.push_back({node, "", std::nullopt, std::string(k_no_pod_on_node)});
  }
  return report;
}

} // namespace cli
