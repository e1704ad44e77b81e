#include "ipsec/wait_goal.hpp"

#include "util/strings.hpp"

#include "ipsec/targets.hpp"
#include "ipsec/tunnel_sas.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ipsec {

std::uint32_t
ChassisIds::id(std::string_view name)
{
  std::lock_guard lock(m_mutex);
  const auto [it, added] = m_ids.try_emplace(std::string(name), static_cast<std::uint32_t>(m_names.size()));
  if (added) {
    m_names.push_back(it->first);
  }
  return it->second;
}

const std::string&
ChassisIds::name(std::uint32_t id) const
{
  std::lock_guard lock(m_mutex);
  return m_names.at(id);
}

void
WaitNodeBuilder::add(const Tunnel& tunnel)
{
  ++m_node.tunnels;
  if (tunnel.local_name) {
    m_node.own.push_back(m_ids.id(*tunnel.local_name));
  }
  if (tunnel.state != TunnelState::configured) {
    return;
  }
  if (tunnel.remote_name) {
    m_node.configured.push_back(m_ids.id(*tunnel.remote_name));
  }
  if (m_goal == WaitGoal::established && sa_status(tunnel) != SaStatus::established) {
    if (m_node.unsettled.size() < k_pending_lines_per_node) {
      m_node.unsettled.push_back({tunnel.interface,
                                  tunnel.remote_name ? std::optional(m_ids.id(*tunnel.remote_name)) : std::nullopt,
                                  sa_status(tunnel)});
    }
    ++m_node.unsettled_total;
  }
}

WaitNode
WaitNodeBuilder::finish(const NodeTunnelsResult& fetched)
{
  WaitNode node = std::move(m_node);
  node.node = fetched.node;
  node.chassis = fetched.chassis;
  node.error = fetched.error;
  node.read = fetched.error.empty() && fetched.tunnels.has_value();
  if (!node.chassis.empty()) {
    node.chassis_id = m_ids.id(node.chassis);
    node.own.push_back(*node.chassis_id);
  }
  for (auto* ids : {&node.own, &node.configured}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  return node;
}

namespace {

std::string
peer_name(const std::string& chassis, const std::string& node)
{
  return node.empty() ? chassis : fmt::format("{} ({})", node, chassis);
}

// Adds `line` for `node` unless its k_pending_lines_per_node lines of this kind are listed;
// `shown` counts those listed.
void
add_pending(WaitPoll& poll, const std::string& node, std::string line, std::size_t& shown)
{
  ++poll.pending_total;
  if (shown < k_pending_lines_per_node) {
    poll.pending.push_back(fmt::format("{}: {}", node, line));
    ++shown;
  }
}

void
close_kind(WaitPoll& poll, const std::string& node, std::size_t total, std::size_t shown, std::string_view what)
{
  if (total > shown) {
    poll.pending.push_back(fmt::format("{}: ... and {} more {}", node, total - shown, what));
  }
}

} // namespace

std::vector<std::string>
unnamed_peers(const std::vector<WaitNode>& nodes, const ChassisIds& ids)
{
  std::set<std::uint32_t> named;
  for (const WaitNode& node : nodes) {
    if (node.chassis_id) {
      named.insert(*node.chassis_id);
    }
  }
  std::set<std::string> unnamed;
  for (const WaitNode& node : nodes) {
    for (const auto& tunnel : node.unsettled) {
      if (tunnel.peer && named.count(*tunnel.peer) == 0) {
        unnamed.insert(ids.name(*tunnel.peer));
      }
    }
  }
  return {unnamed.begin(), unnamed.end()};
}

WaitPoll
judge_poll(const std::vector<WaitNode>& nodes, const ChassisIds& ids, WaitGoal goal, bool stopped_daemons_are_clean,
           const std::vector<Chassis>& more_chassis)
{
  WaitPoll poll;
  poll.nodes = nodes.size();
  // Every node's chassis, sorted by name, one per name (as all_chassis): what each node is
  // checked against.
  struct Peer {
    std::uint32_t id;
    const std::string* name;
    const std::string* node;
  };
  std::vector<Peer> peers;
  for (const WaitNode& node : nodes) {
    if (node.chassis_id) {
      peers.push_back({*node.chassis_id, &ids.name(*node.chassis_id), &node.node});
    }
  }
  std::stable_sort(peers.begin(), peers.end(), [](const Peer& a, const Peer& b) { return *a.name < *b.name; });
  peers.erase(std::unique(peers.begin(), peers.end(), [](const Peer& a, const Peer& b) { return a.id == b.id; }),
              peers.end());
  // chassis name → node, for naming the peer of a tunnel without SAs
  std::map<std::string_view, std::string_view> node_of;
  for (const Peer& peer : peers) {
    node_of.emplace(*peer.name, *peer.node);
  }
  for (const auto& [chassis, node] : more_chassis) {
    node_of.emplace(chassis, node);
  }
  const auto remote = [&](const WaitNode::Unsettled& tunnel) -> std::string {
    if (!tunnel.peer) {
      return "?";
    }
    const std::string& chassis = ids.name(*tunnel.peer);
    const auto found = node_of.find(chassis);
    return found != node_of.end() ? peer_name(chassis, std::string(found->second)) : chassis;
  };

  for (const WaitNode& node : nodes) {
    const std::size_t before = poll.pending_total;
    if (goal == WaitGoal::removed && stopped_daemons_are_clean &&
        util::starts_with(node.error, k_monitor_not_running)) {
      continue;
    }
    if (!node.read) {
      poll.pending.push_back(fmt::format("{}: cannot read its tunnels: {}", node.node, node.error));
      ++poll.pending_total;
    } else if (goal == WaitGoal::removed) {
      if (node.tunnels > 0) {
        poll.pending.push_back(fmt::format("{}: still has {} IPsec tunnel(s)", node.node, node.tunnels));
        ++poll.pending_total;
      }
    } else {
      std::size_t shown = 0;
      std::size_t missing = 0;
      for (const Peer& peer : peers) {
        const bool own_name = std::binary_search(node.own.begin(), node.own.end(), peer.id);
        if (!expects_tunnel_to(own_name, *peer.node, node.node) ||
            std::binary_search(node.configured.begin(), node.configured.end(), peer.id)) {
          continue;
        }
        ++missing;
        add_pending(poll, node.node, "no CONFIGURED tunnel to " + peer_name(*peer.name, *peer.node), shown);
      }
      close_kind(poll, node.node, missing, shown, "peers without a CONFIGURED tunnel");
      if (goal == WaitGoal::established) {
        for (const auto& tunnel : node.unsettled) {
          poll.pending.push_back(fmt::format("{}: tunnel {} to {} has no established SAs yet ({})", node.node,
                                             tunnel.interface, remote(tunnel), to_string(tunnel.status)));
        }
        poll.pending_total += node.unsettled_total;
        close_kind(poll, node.node, node.unsettled_total, node.unsettled.size(), "tunnels without established SAs");
      }
    }
    poll.nodes_waiting += poll.pending_total > before ? 1 : 0;
  }
  return poll;
}

std::vector<std::string>
monitors_down(const std::vector<WaitNode>& nodes)
{
  std::vector<std::string> down;
  for (const WaitNode& node : nodes) {
    if (util::starts_with(node.error, k_monitor_not_running)) {
      down.push_back(node.node);
    }
  }
  return down;
}

std::string
progress_summary(const WaitPoll& poll, WaitGoal goal)
{
  const char* what = goal == WaitGoal::removed       ? "without IPsec tunnels"
                     : goal == WaitGoal::established ? "established"
                                                     : "configured";
  return fmt::format("{}/{} nodes {}, {} item(s) pending", poll.nodes - poll.nodes_waiting, poll.nodes, what,
                     poll.pending_total);
}

} // namespace ipsec
