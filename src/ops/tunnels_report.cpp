#include "ops/tunnels_report.hpp"

#include "ipsec/node_report.hpp"
#include "ipsec/tunnels_show.hpp"
#include "ops/exec.hpp"
#include "ops/sb_chassis.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace ops {

namespace {

struct NodeOutcome {
  std::string chassis;
  std::optional<ipsec::NodeTunnels> tunnels;
  std::string error;
};

// The node's own chassis as its tunnels name it: OVN makes every tunnel's Local name (the CN
// of the node's certificate, which peers check against their remote_name) the node's system-id.
// "" when the output does not say it for sure (no tunnels, PSK mode, disagreeing blocks).
std::string
chassis_named_by(const ipsec::NodeTunnels& shown)
{
  std::string name;
  for (const auto& tunnel : shown.tunnels) {
    if (!tunnel.local_name || tunnel.local_name->empty() || *tunnel.local_name == "None" ||
        (!name.empty() && name != *tunnel.local_name)) {
      return "";
    }
    name = *tunnel.local_name;
  }
  return name;
}

std::string
read_chassis(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout)
{
  const auto id = exec_in(cluster, *node.target, ipsec::system_id_command(), timeout);
  return ipsec::node_row(node, id, "").chassis;
}

// A node whose tunnels/show failed is still a peer in the other nodes' rows, which should
// name it rather than show its raw chassis id: read its system-id within what is left of the
// node's --timeout (so a node that hangs costs one timeout, not two). "" when that fails too.
std::string
chassis_after_failure(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout,
                      std::chrono::steady_clock::time_point started)
{
  auto left = timeout;
  if (timeout.count() > 0) {
    left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (left < std::chrono::milliseconds(200)) {
      return "";
    }
  }
  try {
    return read_chassis(cluster, node, left);
  } catch (const util::Error&) {
    return ""; // the node's row already carries the first failure
  }
}

// The node's tunnels/show, parsed as it streams in (no node's text is held whole), and its
// chassis name: from the tunnels when they name it, which saves one exec per node, else read.
NodeOutcome
fetch_node(kube::Cluster& cluster, const ipsec::NodeTarget& node, bool want_tunnels, std::chrono::milliseconds timeout)
{
  NodeOutcome out;
  const auto started = std::chrono::steady_clock::now();
  if (!node.target) {
    out.error = node.problem;
    return out;
  }
  try {
    if (!want_tunnels) {
      out.chassis = read_chassis(cluster, node, timeout);
      return out;
    }
    ipsec::TunnelsShowParser parser;
    const auto shown = exec_in(cluster, *node.target, ipsec::tunnels_show_command(), timeout, std::nullopt,
                               [&parser](std::string_view chunk) { parser.feed(chunk); });
    if (shown.exit_code != 0) {
      out.error = ipsec::describe_monitor_failure(shown);
    } else {
      parser.feed(shown.out); // empty unless the cluster ignored the sink
      out.tunnels = parser.finish();
      out.chassis = chassis_named_by(*out.tunnels);
    }
    if (out.chassis.empty()) {
      out.chassis = read_chassis(cluster, node, timeout);
    }
  } catch (const util::Error& e) {
    out.error = e.what();
    if (want_tunnels) {
      out.chassis = chassis_after_failure(cluster, node, timeout, started);
    }
  }
  return out;
}

} // namespace

ipsec::TunnelsReport
collect_tunnels(kube::Cluster& cluster, const Discovery& found, const std::vector<std::string>& only_nodes,
                size_t concurrency, std::chrono::milliseconds timeout, const std::vector<ipsec::Chassis>& known_chassis)
{
  const std::set<std::string> wanted(only_nodes.begin(), only_nodes.end());
  const auto is_wanted = [&](const std::string& node) { return wanted.empty() || wanted.count(node) != 0; };
  std::map<std::string, std::string> known; // node → chassis
  for (const auto& chassis : known_chassis) {
    known.emplace(chassis.node, chassis.name);
  }

  std::vector<NodeOutcome> outcomes(found.nodes.size());
  util::parallel_for(found.nodes.size(), concurrency, [&](size_t i) {
    const auto& node = found.nodes[i];
    if (!is_wanted(node.node)) {
      if (const auto it = known.find(node.node); it != known.end()) {
        outcomes[i].chassis = it->second; // named by the Chassis table: nothing to ask
        return;
      }
    }
    outcomes[i] = fetch_node(cluster, node, is_wanted(node.node), timeout);
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

ipsec::TunnelsReport
read_tunnels(const Session& session, const std::vector<std::string>& only_nodes, size_t concurrency,
             std::chrono::milliseconds timeout)
{
  const auto found = discover_nodes(session, {});
  // With --node, the other nodes matter only as names for remote chassis: one SB read
  // replaces asking each of them.
  std::vector<ipsec::Chassis> known;
  if (!only_nodes.empty()) {
    std::vector<std::string> names;
    for (const auto& node : found.nodes) {
      names.push_back(node.node);
    }
    known = read_sb_chassis(session, names, timeout);
  }
  auto report = collect_tunnels(session.cluster, found, only_nodes, concurrency, timeout, known);
  for (const auto& warning : ipsec::report_warnings(report)) {
    session.log(1, "warning: " + warning);
  }
  return report;
}

} // namespace ops
