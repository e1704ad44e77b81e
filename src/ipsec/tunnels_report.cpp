#include "ipsec/tunnels_report.hpp"

#include "ipsec/node_rows.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <tuple>
#include <unordered_set>

namespace ipsec {

namespace {

bool
failed(const NodeTunnelsResult& node)
{
  return !node.error.empty() || !node.tunnels;
}

} // namespace

std::vector<size_t>
node_order(const TunnelsReport& report)
{
  std::vector<size_t> order(report.nodes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return report.nodes[a].node < report.nodes[b].node; });
  return order;
}

ChassisNames
chassis_names(const std::vector<Chassis>& chassis)
{
  std::map<std::string, std::string> by_name;
  for (const auto& [name, node] : chassis) {
    if (name.empty()) {
      continue;
    }
    auto& known = by_name[name];
    if (known.empty()) {
      known = node;
    }
  }
  ChassisNames out;
  out.chassis.reserve(by_name.size());
  for (auto& [name, node] : by_name) {
    out.position.emplace(name, out.chassis.size());
    out.chassis.push_back({name, std::move(node)});
  }
  return out;
}

const Chassis*
ChassisNames::find(const std::string& name) const
{
  const auto found = position.find(name);
  return found != position.end() ? &chassis[found->second] : nullptr;
}

namespace {

ChassisNames
report_chassis(const TunnelsReport& report)
{
  std::vector<Chassis> known = report.chassis;
  for (const auto& node : report.nodes) {
    known.push_back({node.chassis, node.node});
  }
  return chassis_names(known);
}

} // namespace

std::vector<Chassis>
all_chassis(const TunnelsReport& report)
{
  return report_chassis(report).chassis;
}

ChassisNames
chassis_names(const TunnelsReport& report)
{
  return report_chassis(report);
}

std::string
remote_node(const Tunnel& tunnel, const Chassis* peer)
{
  if (tunnel.remote_name) {
    return peer != nullptr && !peer->node.empty() ? peer->node : *tunnel.remote_name;
  }
  return tunnel.remote_ip.value_or("");
}

std::string
remote_node(const Tunnel& tunnel, const ChassisNames& names)
{
  return remote_node(tunnel, tunnel.remote_name ? names.find(*tunnel.remote_name) : nullptr);
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
    if (expects_tunnel_to(own_names.count(candidate.name) != 0, candidate.node, node.node)) {
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
node_rows(const NodeTunnelsResult& node, const ChassisNames& names)
{
  NodeRowBuilder builder(names);
  std::vector<TunnelRow> rows;
  if (node.tunnels) {
    for (const auto& tunnel : node.tunnels->tunnels) {
      rows.push_back(builder.add(node, tunnel));
    }
  }
  auto closing = builder.finish(node);
  std::move(closing.begin(), closing.end(), std::back_inserter(rows));
  std::vector<RowOrder> order;
  for (size_t i = 0; i < rows.size(); ++i) {
    order.push_back(row_order(rows[i], i));
  }
  std::vector<size_t> index(rows.size());
  std::iota(index.begin(), index.end(), size_t{0});
  std::sort(index.begin(), index.end(), [&](size_t a, size_t b) { return order[a] < order[b]; });
  std::vector<TunnelRow> sorted;
  sorted.reserve(rows.size());
  for (const size_t i : index) {
    sorted.push_back(std::move(rows[i]));
  }
  return sorted;
}

std::vector<TunnelRow>
tunnel_rows(const TunnelsReport& report)
{
  const auto names = report_chassis(report);
  std::vector<TunnelRow> rows;
  for (const size_t index : node_order(report)) {
    auto own = node_rows(report.nodes[index], names);
    std::move(own.begin(), own.end(), std::back_inserter(rows));
  }
  return rows;
}

std::vector<std::string>
node_warnings(const NodeTunnelsResult& node)
{
  std::vector<std::string> out;
  if (node.tunnels) {
    for (const auto& warning : node.tunnels->warnings) {
      out.push_back(node.node + ": " + warning);
    }
  }
  return out;
}

std::vector<std::string>
report_warnings(const TunnelsReport& report)
{
  std::vector<std::string> out;
  for (const size_t index : node_order(report)) {
    auto own = node_warnings(report.nodes[index]);
    std::move(own.begin(), own.end(), std::back_inserter(out));
  }
  return out;
}

bool
node_trustworthy(const NodeTunnelsResult& node)
{
  if (failed(node)) {
    return false;
  }
  const auto& parsed = *node.tunnels;
  if (parsed.truncated || (parsed.tunnels.empty() && !parsed.no_tunnels)) {
    return false;
  }
  return std::none_of(parsed.tunnels.begin(), parsed.tunnels.end(),
                      [](const Tunnel& tunnel) { return tunnel.state == TunnelState::unknown; });
}

bool
report_trustworthy(const TunnelsReport& report)
{
  return std::all_of(report.nodes.begin(), report.nodes.end(), node_trustworthy);
}

} // namespace ipsec
