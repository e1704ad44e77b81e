#include "ipsec/node_status.hpp"

#include "ipsec/tunnel_sas.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipsec {

ChassisIndex::ChassisIndex(const std::vector<std::string>& names, std::size_t unresolved) : m_unresolved(unresolved)
{
  for (const auto& name : names) {
    m_index.emplace(name, m_index.size());
  }
}

std::optional<std::size_t>
ChassisIndex::find(std::string_view name) const
{
  const auto it = m_index.find(std::string(name));
  if (it == m_index.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string_view
to_string(NodeHealth health)
{
  switch (health) {
  case NodeHealth::failed:
    return "failed";
  case NodeHealth::monitor_down:
    return "monitor down";
  case NodeHealth::unreadable:
    return "unreadable";
  case NodeHealth::incomplete:
    return "incomplete";
  case NodeHealth::stale:
    return "tunnels remain";
  case NodeHealth::no_sas:
    return "no SAs";
  case NodeHealth::up:
    return "up";
  case NodeHealth::off:
    return "off";
  }
  return "failed";
}

TunnelTally::TunnelTally(const ChassisIndex& chassis, std::string_view own_chassis)
    : m_chassis(chassis), m_own(chassis.find(own_chassis)), m_configured(chassis.size()), m_established(chassis.size()),
      m_negotiating(chassis.size())
{}

void
TunnelTally::add(const Tunnel& tunnel)
{
  ++m_tunnels;
  // A node whose system-id could not be read still names itself in every tunnel.
  if (!m_own && tunnel.local_name) {
    m_own = m_chassis.find(*tunnel.local_name);
  }
  if (tunnel.state != TunnelState::configured) {
    ++m_not_configured;
    return;
  }
  const std::string remote = tunnel.remote_name.value_or("");
  const SaStatus sas = sa_status(tunnel);
  const std::optional<std::size_t> found = remote.empty() ? std::nullopt : m_chassis.find(remote);
  if (!found.has_value()) {
    auto& established = m_unknown_peers[remote];
    established = established || sas == SaStatus::established;
    return;
  }
  // value_or, not *: GCC 12 -O2 with -fsanitize=thread warns maybe-uninitialized on the latter.
  const std::size_t peer = found.value_or(0);
  m_configured[peer] = true;
  if (sas == SaStatus::established) {
    m_established[peer] = true;
  } else if (sas == SaStatus::acquiring || sas == SaStatus::partial) {
    m_negotiating[peer] = true;
  }
}

void
TunnelTally::fill(NodeStatus& status) const
{
  const auto peers = [this](const std::vector<bool>& marks) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < marks.size(); ++i) {
      count += (marks[i] && i != m_own) ? 1 : 0;
    }
    return count;
  };
  // Peers with an unreadable system-id are expected too; tunnels to unknown names stand in for
  // them, up to their number (a node that is itself unresolved is not its own peer).
  const std::size_t unresolved = m_chassis.unresolved() - (m_own || m_chassis.unresolved() == 0 ? 0 : 1);
  const std::size_t stand_ins = std::min(m_unknown_peers.size(), unresolved);
  std::size_t established_stand_ins = 0;
  for (const auto& [name, established] : m_unknown_peers) {
    established_stand_ins += established ? 1 : 0;
  }
  status.expected = m_chassis.size() - (m_own ? 1 : 0) + unresolved;
  status.tunnels = m_tunnels;
  status.configured = peers(m_configured) + stand_ins;
  status.not_configured = m_not_configured;
  status.unknown_peer = m_unknown_peers.size() - stand_ins;
  status.established = peers(m_established) + std::min(established_stand_ins, stand_ins);
  status.negotiating = peers(m_negotiating);
}

NodeHealth
judge(const NodeStatus& status, std::optional<bool> ipsec_on)
{
  if (!status.monitor_answered) {
    return status.reached ? NodeHealth::monitor_down : NodeHealth::failed;
  }
  if (status.tunnels == 0 && !status.no_tunnels_line && status.warnings > 0) {
    return NodeHealth::unreadable;
  }
  if (ipsec_on == false) {
    return status.tunnels == 0 ? NodeHealth::off : NodeHealth::stale;
  }
  if (status.configured < status.expected || status.not_configured > 0) {
    return NodeHealth::incomplete;
  }
  return status.established < status.expected ? NodeHealth::no_sas : NodeHealth::up;
}

std::vector<std::string>
certificate_warnings(const StatusReport& report)
{
  std::vector<std::string> lines;
  for (const NodeStatus& node : report.nodes) {
    if (!node.cert.days_left || *node.cert.days_left > k_cert_warn_days) {
      continue;
    }
    const long days = *node.cert.days_left;
    const std::string when = days < 0    ? fmt::format("expired {} day(s) ago", -days)
                             : days == 0 ? std::string("expires today")
                                         : fmt::format("expires in {} day(s)", days);
    const std::string fix =
        report.owner ? "kube-ovn-cni renews it itself and has not: see that pod's log on the node"
                     : fmt::format("renew it with `kubectl ko ipsec rotate certs --before {}d`", k_cert_warn_days);
    lines.push_back(fmt::format("{}'s IPsec certificate {}; {}", node.node, when, fix));
  }
  return lines;
}

int
status_exit_code(const StatusReport& report)
{
  if (!report.ipsec_on || report.nodes.empty()) {
    return 1;
  }
  const NodeHealth goal = *report.ipsec_on ? NodeHealth::up : NodeHealth::off;
  const bool all = std::all_of(report.nodes.begin(), report.nodes.end(),
                               [goal](const NodeStatus& node) { return node.health == goal; });
  if (!all) {
    return 1;
  }
  return *report.ipsec_on ? 0 : 3;
}

namespace {

// "node2: monitor down, node3: no SAs" for at most five nodes, then "and N more".
std::string
list_unhealthy(const StatusReport& report, NodeHealth goal)
{
  constexpr std::size_t k_named = 5;
  std::vector<std::string> named;
  std::size_t more = 0;
  for (const auto& node : report.nodes) {
    if (node.health == goal) {
      continue;
    }
    if (named.size() < k_named) {
      named.push_back(fmt::format("{}: {}", node.node, to_string(node.health)));
    } else {
      ++more;
    }
  }
  std::string text = fmt::format("{}", fmt::join(named, ", "));
  return more == 0 ? text : fmt::format("{} and {} more", text, more);
}

std::size_t
count_health(const StatusReport& report, NodeHealth health)
{
  return static_cast<std::size_t>(std::count_if(report.nodes.begin(), report.nodes.end(),
                                                [health](const NodeStatus& node) { return node.health == health; }));
}

} // namespace

std::string
status_summary(const StatusReport& report)
{
  const std::size_t total = report.nodes.size();
  if (total == 0) {
    return "no Kube-OVN node pods found";
  }
  if (!report.ipsec_on) {
    return fmt::format("NB_Global.ipsec could not be read; {}/{} nodes have every tunnel up",
                       count_health(report, NodeHealth::up), total);
  }
  const NodeHealth goal = *report.ipsec_on ? NodeHealth::up : NodeHealth::off;
  const std::size_t good = count_health(report, goal);
  if (!*report.ipsec_on) {
    if (good == total) {
      return "IPsec is off: no node has an IPsec tunnel";
    }
    return fmt::format("IPsec is off, but {}/{} nodes are not clean ({})", total - good, total,
                       list_unhealthy(report, goal));
  }
  if (good == total) {
    return fmt::format("IPsec is on: {}/{} nodes up", good, total);
  }
  return fmt::format("IPsec is on: {}/{} nodes up ({})", good, total, list_unhealthy(report, goal));
}

} // namespace ipsec
