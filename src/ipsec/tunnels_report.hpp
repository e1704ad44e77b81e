#pragma once
// The cluster-wide `tunnels` report: every node's tunnels/show outcome, the chassis → node
// names, the tunnels expected (one to every other chassis) against those seen, and the rows in
// a stable order. Pure: it reasons about results the caller gathered.

#include "ipsec/tunnel_model.hpp"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

namespace ipsec {

// One node's outcome.
struct NodeTunnelsResult {
  std::string node;
  std::string chassis;                // its own OVN chassis name (system-id), "" when unknown
  std::optional<NodeTunnels> tunnels; // the parsed output; nullopt when it could not be fetched
  std::string error;                  // why the node failed ("pod ... is not ready", exec error, ...), "" if it did not
};

// An OVN chassis (OVS system-id) and the Kubernetes node it runs on.
struct Chassis {
  std::string name;
  std::string node;

  bool operator==(const Chassis&) const = default;
};

// The one rule for which chassis a node must have a tunnel to (tunnels' MISSING rows, status, the
// --wait judge): every chassis but its own and those of its own node. `own_name`: the chassis is
// the node's system-id or a Local name of its tunnels (which still works when the system-id could
// not be read); a chassis of the same node is a stale one left by its previous install.
constexpr bool
expects_tunnel_to(bool own_name, std::string_view peer_node, std::string_view node)
{
  return !own_name && (node.empty() || peer_node != node);
}

struct TunnelsReport {
  std::vector<NodeTunnelsResult> nodes; // the nodes asked
  std::vector<Chassis> chassis;         // every chassis of the cluster; the nodes' own are added
};

// Every known chassis (report.chassis plus each node's own), one per name, sorted by name.
std::vector<Chassis> all_chassis(const TunnelsReport& report);

// What rows of one node need to know about the others: every chassis and its node. Known
// before any node's tunnels are read, it lets each node's rows be made (and printed) alone.
struct ChassisNames {
  std::vector<Chassis> chassis; // one per name, sorted by name
  // chassis name → its index in `chassis` (hashed: looked up for each of a million tunnels)
  std::unordered_map<std::string, size_t> position;

  // The chassis of that name; nullptr when unknown.
  const Chassis* find(const std::string& name) const;
};

// One per name (the first entry wins), as all_chassis does.
ChassisNames chassis_names(const std::vector<Chassis>& chassis);

// The report's chassis (report.chassis plus each node's own) in one walk: all_chassis and the
// chassis name → node map together.
ChassisNames chassis_names(const TunnelsReport& report);

// What a tunnel's REMOTE NODE column says: the node of its Remote name chassis, else that
// chassis name, else the remote IP, else "". `peer` is the Remote name's chassis, when known.
std::string remote_node(const Tunnel& tunnel, const Chassis* peer);
std::string remote_node(const Tunnel& tunnel, const ChassisNames& names);

// The chassis `node` should have a tunnel to: every known chassis but its own (matched by its
// chassis name, its tunnels' Local name, or its node name).
std::vector<Chassis> expected_peers(const std::vector<Chassis>& chassis, const NodeTunnelsResult& node);

// Expected peers that have no tunnel in `node`'s output (by Remote name); with
// `configured_only`, a tunnel in another state than CONFIGURED counts as missing too.
std::vector<Chassis> missing_peers(const std::vector<Chassis>& chassis, const NodeTunnelsResult& node,
                                   bool configured_only);

struct MissingTunnels {
  std::string node;
  bool unknown = false;       // the node failed: nothing is known, `peers` lists every expected one
  std::vector<Chassis> peers; // expected peers without a CONFIGURED tunnel

  bool operator==(const MissingTunnels&) const = default;
};

// Per node (sorted by node name): which expected tunnels are not CONFIGURED yet; a node with
// "No tunnels configured with IPsec" misses all of them. Used by `on --wait`.
std::vector<MissingTunnels> missing_tunnels(const TunnelsReport& report);

enum class RowKind {
  tunnel,     // one tunnel of a node
  missing,    // an expected peer with no tunnel (the node has other tunnels)
  no_tunnels, // "No tunnels configured with IPsec"
  unreadable, // output without tunnels and without that line (empty, garbage)
  failed,     // the node failed; `message` says why
};

struct TunnelRow {
  RowKind kind = RowKind::tunnel;
  const NodeTunnelsResult* result = nullptr; // the node; points into the report
  const Tunnel* tunnel = nullptr;            // kind == tunnel; points into the report
  std::string remote_node;                   // see remote_node(); the peer's name for `missing`
  std::string remote_chassis;                // Remote name / the missing peer's chassis, "" if none
  std::string message;                       // failed: the error; unreadable: the first warning; else ""
};

// One node's rows, sorted by remote node, then interface (stable otherwise). They point into
// `node`, which must outlive them.
std::vector<TunnelRow> node_rows(const NodeTunnelsResult& node, const ChassisNames& names);

// Indexes of report.nodes in output order: by node name, equal names in input order.
std::vector<size_t> node_order(const TunnelsReport& report);

// All rows: node_rows of every node in node_order, with the report's chassis. The rows point
// into `report`, which must outlive them.
std::vector<TunnelRow> tunnel_rows(const TunnelsReport& report);

// False when the node failed, or its output was cut off, unreadable, or had a tunnel in a state
// this plugin does not know: `tunnels` then exits non-zero.
bool node_trustworthy(const NodeTunnelsResult& node);
bool report_trustworthy(const TunnelsReport& report);

// The parser's warnings, one line each, prefixed with the node name.
std::vector<std::string> node_warnings(const NodeTunnelsResult& node);
std::vector<std::string> report_warnings(const TunnelsReport& report);

} // namespace ipsec
