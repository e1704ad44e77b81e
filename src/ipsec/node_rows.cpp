#include "ipsec/node_rows.hpp"

#include <algorithm>

namespace ipsec {

RowOrder
row_order(const TunnelRow& row, size_t sequence)
{
  const int rank = row.kind == RowKind::failed ? 0 : row.kind == RowKind::tunnel ? 1 : 2;
  return {row.remote_node, row.tunnel ? row.tunnel->interface : std::string(), rank, sequence};
}

TunnelRow
NodeRowBuilder::add(const NodeTunnelsResult& node, const Tunnel& tunnel)
{
  ++m_tunnels;
  m_unknown_state = m_unknown_state || tunnel.state == TunnelState::unknown;
  // A node's tunnels nearly always share one Local name: hashed once, not per tunnel.
  if (tunnel.local_name && (m_local_names.empty() || *tunnel.local_name != m_last_local_name)) {
    m_local_names.insert(*tunnel.local_name);
    m_last_local_name = *tunnel.local_name;
  }
  if (!tunnel.remote_name) {
    return {RowKind::tunnel, &node, &tunnel, remote_node(tunnel, nullptr), "", ""};
  }
  // One lookup names the peer and marks it as not missing; only known chassis can be missing.
  const auto found = m_names.position.find(*tunnel.remote_name);
  const Chassis* peer = nullptr;
  if (found != m_names.position.end()) {
    m_tunnel_to[found->second] = true;
    peer = &m_names.chassis[found->second];
  }
  return {RowKind::tunnel, &node, &tunnel, remote_node(tunnel, peer), *tunnel.remote_name, ""};
}

std::vector<TunnelRow>
NodeRowBuilder::finish(const NodeTunnelsResult& node) const
{
  std::vector<TunnelRow> rows;
  if (!node.error.empty() || !node.tunnels) {
    rows.push_back({RowKind::failed, &node, nullptr, "", "", node.error.empty() ? "no output" : node.error});
  }
  if (!node.tunnels) {
    return rows;
  }
  const auto& parsed = *node.tunnels;
  if (m_tunnels > 0) {
    // Missing rows only next to other tunnels: with IPsec off every peer would be missing.
    for (size_t i = 0; i < m_names.chassis.size(); ++i) {
      const auto& peer = m_names.chassis[i];
      const bool own_name = peer.name == node.chassis || m_local_names.count(peer.name) != 0;
      if (expects_tunnel_to(own_name, peer.node, node.node) && !m_tunnel_to[i]) {
        rows.push_back({RowKind::missing, &node, nullptr, peer.node.empty() ? peer.name : peer.node, peer.name, ""});
      }
    }
  } else if (parsed.no_tunnels) {
    rows.push_back({RowKind::no_tunnels, &node, nullptr, "", "", ""});
  } else if (node.error.empty()) {
    rows.push_back({RowKind::unreadable, &node, nullptr, "", "",
                    parsed.warnings.empty() ? "no tunnels in the output" : parsed.warnings.front()});
  }
  return rows;
}

bool
NodeRowBuilder::trustworthy(const NodeTunnelsResult& node) const
{
  if (!node.error.empty() || !node.tunnels) {
    return false;
  }
  return !node.tunnels->truncated && (m_tunnels > 0 || node.tunnels->no_tunnels) && !m_unknown_state;
}

} // namespace ipsec
