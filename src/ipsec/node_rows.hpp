#pragma once
// One node's rows of the `tunnels` table, made one tunnel at a time so that its tunnels/show
// need not be kept (at 1,000 nodes each node has 999 tunnels): a tunnel's row is made as soon
// as it is parsed, the rows that need all of them (the failed node, missing peers, "no
// tunnels", unreadable output) at the end. Pure.

#include "ipsec/tunnels_report.hpp"

#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace ipsec {

// Where a row goes among its node's rows: by remote node, then interface; equal ones in the
// order they were made (`rank` 0 the failed row, 1 tunnels in output order by `sequence`, 2
// the rows made at the end).
struct RowOrder {
  std::string remote_node;
  std::string interface;
  int rank = 0;
  size_t sequence = 0;

  bool operator<(const RowOrder& other) const
  {
    return std::tie(remote_node, interface, rank, sequence) <
           std::tie(other.remote_node, other.interface, other.rank, other.sequence);
  }
};

RowOrder row_order(const TunnelRow& row, size_t sequence);

class NodeRowBuilder {
public:
  explicit NodeRowBuilder(const ChassisNames& names) : m_names(names), m_tunnel_to(names.chassis.size()) {}

  // The row of `tunnel`, which belongs to `node` (the row points at both).
  TunnelRow add(const NodeTunnelsResult& node, const Tunnel& tunnel);

  // The failed row, then the rows made at the end, for `node` once its output is complete (its
  // tunnels given to add(), kept in node.tunnels or not).
  std::vector<TunnelRow> finish(const NodeTunnelsResult& node) const;

  // node_trustworthy() for `node`, counting the tunnels given to add().
  bool trustworthy(const NodeTunnelsResult& node) const;

private:
  const ChassisNames& m_names;
  size_t m_tunnels = 0;
  bool m_unknown_state = false;
  std::unordered_set<std::string> m_local_names;
  std::string m_last_local_name; // the one put in m_local_names last
  std::vector<bool> m_tunnel_to; // by index in m_names.chassis: a tunnel's Remote name is it
};

} // namespace ipsec
