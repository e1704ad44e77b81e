#include "ipsec/wait_goal.hpp"

#include "util/strings.hpp"

#include "ipsec/targets.hpp"
#include "ipsec/tunnel_sas.hpp"

#include <fmt/format.h>

#include <set>

namespace ipsec {

namespace {

std::string
peer_name(const Chassis& peer)
{
  return peer.node.empty() ? peer.name : fmt::format("{} ({})", peer.node, peer.name);
}

} // namespace

std::vector<std::string>
pending_for(const TunnelsReport& report, WaitGoal goal, bool stopped_daemons_are_clean)
{
  std::vector<std::string> pending;
  const auto chassis = all_chassis(report); // once: it walks every node, so not per node
  for (const auto& node : report.nodes) {
    if (goal == WaitGoal::removed && stopped_daemons_are_clean &&
        util::starts_with(node.error, k_monitor_not_running)) {
      continue;
    }
    if (!node.error.empty() || !node.tunnels) {
      pending.push_back(fmt::format("{}: cannot read its tunnels: {}", node.node, node.error));
      continue;
    }
    if (goal == WaitGoal::removed) {
      if (!node.tunnels->tunnels.empty()) {
        pending.push_back(fmt::format("{}: still has {} IPsec tunnel(s)", node.node, node.tunnels->tunnels.size()));
      }
      continue;
    }
    for (const auto& peer : missing_peers(chassis, node, /*configured_only=*/true)) {
      pending.push_back(fmt::format("{}: no CONFIGURED tunnel to {}", node.node, peer_name(peer)));
    }
    if (goal != WaitGoal::established) {
      continue;
    }
    for (const auto& tunnel : node.tunnels->tunnels) {
      if (tunnel.state == TunnelState::configured && sa_status(tunnel) != SaStatus::established) {
        pending.push_back(fmt::format("{}: tunnel {} to {} has no established SAs yet ({})", node.node,
                                      tunnel.interface, tunnel.remote_name.value_or("?"),
                                      to_string(sa_status(tunnel))));
      }
    }
  }
  return pending;
}

std::vector<std::string>
monitors_down(const TunnelsReport& report)
{
  std::vector<std::string> down;
  for (const auto& node : report.nodes) {
    if (util::starts_with(node.error, k_monitor_not_running)) {
      down.push_back(node.node);
    }
  }
  return down;
}

std::string
progress_summary(const TunnelsReport& report, const std::vector<std::string>& pending, WaitGoal goal)
{
  std::set<std::string> waiting;
  for (const auto& line : pending) {
    waiting.insert(line.substr(0, line.find(':')));
  }
  const size_t total = report.nodes.size();
  const char* what = goal == WaitGoal::removed       ? "without IPsec tunnels"
                     : goal == WaitGoal::established ? "established"
                                                     : "configured";
  return fmt::format("{}/{} nodes {}, {} item(s) pending", total - waiting.size(), total, what, pending.size());
}

} // namespace ipsec
