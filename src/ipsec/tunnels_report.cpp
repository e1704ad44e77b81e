#include "ipsec/tunnels_report.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <tuple>
#include <unordered_set>

namespace ipsec {

namespace {

// Node indexes sorted by node name; equal names keep the input order.
std::vector<size_t>
node_order(const TunnelsReport& report)
{
  std::vector<size_t> order(report.nodes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return report.nodes[a].node < report.nodes[b].node; });
  return order;
}

bool
failed(const NodeTunnelsResult& node)
{
  return !node.error.empty() || !node.tunnels;
}

} // namespace

std::vector<Chassis>
all_chassis(const TunnelsReport& report)
{
  std::map<std::string, std::string> by_name;
  const auto add = [&](const std::string& name, const std::string& node) {
    if (name.empty()) {
      return;
    }
    auto& known = by_name[name];
    if (known.empty()) {
      known = node;
    }
  };
  for (const auto& chassis : report.chassis) {
    add(chassis.name, chassis.node);
  }
  for (const auto& node : report.nodes) {
    add(node.chassis, node.node);
  }
  std::vector<Chassis> out;
  out.reserve(by_name.size());
  for (const auto& [name, node] : by_name) {
    out.push_back({name, node});
  }
  return out;
}

std::map<std::string, std::string>
chassis_to_node(const TunnelsReport& report)
{
  std::map<std::string, std::string> names;
  for (const auto& chassis : all_chassis(report)) {
    if (!chassis.node.empty()) {
      names.emplace(chassis.name, chassis.node);
    }
  }
  return names;
}

std::string
remote_node(const Tunnel& tunnel, const std::map<std::string, std::string>& names)
{
  if (tunnel.remote_name) {
    const auto found = names.find(*tunnel.remote_name);
    return found != names.end() ? found->second : *tunnel.remote_name;
  }
  return tunnel.remote_ip.value_or("");
}

std::vector<Chassis>
expected_peers(const std::vector<Chassis>& chassis, const NodeTunnelsResult& node)
{
  // Its tunnels' Local name is its own chassis too: that still works when the system-id could
  // not be read.
  std::unordered_set<std::string> own_names;
  if (!node.chassis.empty()) {
    own_names.insert(node.chassis);
  }
  if (node.tunnels) {
    for (const auto& tunnel : node.tunnels->tunnels) {
      if (tunnel.local_name) {
        own_names.insert(*tunnel.local_name);
      }
    }
  }
  std::vector<Chassis> peers;
  for (const auto& candidate : chassis) {
    // A node never tunnels to itself, nor to a stale chassis left by its previous install.
    const bool own = own_names.count(candidate.name) != 0 || (!node.node.empty() && candidate.node == node.node);
    if (!own) {
      peers.push_back(candidate);
    }
  }
  return peers;
}

std::vector<Chassis>
missing_peers(const std::vector<Chassis>& chassis, const NodeTunnelsResult& node, bool configured_only)
{
  std::vector<Chassis> peers = expected_peers(chassis, node);
  if (!node.tunnels) {
    return peers;
  }
  std::unordered_set<std::string> seen;
  for (const auto& tunnel : node.tunnels->tunnels) {
    if (tunnel.remote_name && (!configured_only || tunnel.state == TunnelState::configured)) {
      seen.insert(*tunnel.remote_name);
    }
  }
  std::erase_if(peers, [&](const Chassis& peer) { return seen.count(peer.name) != 0; });
  return peers;
}

std::vector<MissingTunnels>
missing_tunnels(const TunnelsReport& report)
{
  const auto chassis = all_chassis(report);
  std::vector<MissingTunnels> out;
  for (const size_t index : node_order(report)) {
    const auto& node = report.nodes[index];
    if (failed(node)) {
      out.push_back({node.node, true, expected_peers(chassis, node)});
    } else {
      out.push_back({node.node, false, missing_peers(chassis, node, true)});
    }
  }
  return out;
}

std::vector<TunnelRow>
tunnel_rows(const TunnelsReport& report)
{
  const auto chassis = all_chassis(report);
  const auto names = chassis_to_node(report);
  std::vector<TunnelRow> rows;
  for (const size_t index : node_order(report)) {
    const auto& node = report.nodes[index];
    std::vector<TunnelRow> own;
    if (failed(node)) {
      own.push_back({RowKind::failed, &node, nullptr, "", "", node.error.empty() ? "no output" : node.error});
    }
    if (node.tunnels) {
      const auto& parsed = *node.tunnels;
      for (const auto& tunnel : parsed.tunnels) {
        own.push_back(
            {RowKind::tunnel, &node, &tunnel, remote_node(tunnel, names), tunnel.remote_name.value_or(""), ""});
      }
      if (!parsed.tunnels.empty()) {
        // Missing rows only next to other tunnels: with IPsec off every peer would be missing.
        for (const auto& peer : missing_peers(chassis, node, false)) {
          own.push_back({RowKind::missing, &node, nullptr, peer.node.empty() ? peer.name : peer.node, peer.name, ""});
        }
      } else if (parsed.no_tunnels) {
        own.push_back({RowKind::no_tunnels, &node, nullptr, "", "", ""});
      } else if (node.error.empty()) {
        own.push_back({RowKind::unreadable, &node, nullptr, "", "",
                       parsed.warnings.empty() ? "no tunnels in the output" : parsed.warnings.front()});
      }
    }
    const auto interface = [](const TunnelRow& row) {
      return row.tunnel ? std::string_view(row.tunnel->interface) : std::string_view();
    };
    std::stable_sort(own.begin(), own.end(), [&](const TunnelRow& a, const TunnelRow& b) {
      return std::tuple(std::string_view(a.remote_node), interface(a)) <
             std::tuple(std::string_view(b.remote_node), interface(b));
    });
    std::move(own.begin(), own.end(), std::back_inserter(rows));
  }
  return rows;
}

std::vector<std::string>
report_warnings(const TunnelsReport& report)
{
  std::vector<std::string> out;
  for (const size_t index : node_order(report)) {
    const auto& node = report.nodes[index];
    if (node.tunnels) {
      for (const auto& warning : node.tunnels->warnings) {
        out.push_back(node.node + ": " + warning);
      }
    }
  }
  return out;
}

} // namespace ipsec

namespace ipsec {

bool
report_trustworthy(const TunnelsReport& report)
{
  return std::all_of(report.nodes.begin(), report.nodes.end(), [](const NodeTunnelsResult& node) {
    if (!node.error.empty() || !node.tunnels) {
      return false;
    }
    const auto& parsed = *node.tunnels;
    if (parsed.truncated || (parsed.tunnels.empty() && !parsed.no_tunnels)) {
      return false;
    }
    return std::none_of(parsed.tunnels.begin(), parsed.tunnels.end(),
                        [](const Tunnel& tunnel) { return tunnel.state == TunnelState::unknown; });
  });
}

} // namespace ipsec
