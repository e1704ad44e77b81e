#pragma once
// What `on --wait`, `on --wait-established` and `off --wait` wait for, judged from every node's
// tunnels as they stream in: the list of what is still pending, one readable line each.

#include "ipsec/tunnel_sas.hpp"
#include "ipsec/tunnels_report.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ipsec {

enum class WaitGoal {
  configured,  // every expected tunnel (one to every other chassis) is CONFIGURED
  established, // ... and has its kernel security associations installed
  removed,     // no node has an IPsec tunnel left
};

// Chassis names met while nodes are read, numbered in the order met; shared by the nodes read
// at once (thread-safe). A node then keeps numbers, not names, for the peers it has tunnels to.
class ChassisIds {
public:
  std::uint32_t id(std::string_view name);
  const std::string& name(std::uint32_t id) const; // only after every node is read

private:
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, std::uint32_t> m_ids;
  std::vector<std::string> m_names;
};

// One node reduced to what a wait judges, built while its tunnels/show streams in: O(peers) small
// numbers instead of its parsed tunnels (a full mesh is O(nodes²) tunnels per poll).
struct WaitNode {
  std::string node;
  std::string chassis;
  std::optional<std::uint32_t> chassis_id; // `chassis` numbered, when known
  std::string error;                       // why its tunnels could not be read, "" when they were
  bool read = false;                       // tunnels/show answered and was parsed
  std::size_t tunnels = 0;                 // tunnel blocks shown
  std::vector<std::uint32_t> own;          // its own chassis names: system-id and its tunnels' Local name
  std::vector<std::uint32_t> configured;   // remote chassis with a CONFIGURED tunnel
  // goal established: the first CONFIGURED tunnels without SAs (named when judged, when every
  // node's chassis is known)
  struct Unsettled {
    std::string interface;
    std::optional<std::uint32_t> peer; // its Remote name
    SaStatus status = SaStatus::none;
  };
  std::vector<Unsettled> unsettled;
  std::size_t unsettled_total = 0;
};

// Pending lines kept per node for one kind of item; the rest are counted in a closing line.
inline constexpr std::size_t k_pending_lines_per_node = 10;

class WaitNodeBuilder {
public:
  WaitNodeBuilder(ChassisIds& ids, WaitGoal goal) : m_ids(ids), m_goal(goal) {}
  void add(const Tunnel& tunnel);
  // `fetched`: the node's result with its tunnels streamed to add() (node, chassis, error).
  WaitNode finish(const NodeTunnelsResult& fetched);

private:
  ChassisIds& m_ids;
  WaitGoal m_goal;
  WaitNode m_node;
};

// One poll judged: what is still pending, one readable line each (empty = done), at most
// k_pending_lines_per_node per node and kind plus a line saying how many more.
struct WaitPoll {
  std::vector<std::string> pending;
  std::size_t pending_total = 0; // every item, also those not listed
  std::size_t nodes = 0;
  std::size_t nodes_waiting = 0;
};

// A node is expected to have a tunnel to every chassis of the other nodes read (not to its own
// names, nor to another chassis of its own node). `stopped_daemons_are_clean`: for `removed`, a
// node whose ovs-monitor-ipsec is not running counts as done. So it is on Kube-OVN >= 1.13 with
// --enable-ovn-ipsec=false: every kube-ovn-cni start stops the IPsec daemons and flushes the
// host's xfrm state (pkg/daemon/ipsec.go).
// A peer is named by its node: one of `nodes` whose chassis it is, else one of `more_chassis`
// (the Nodes' annotations, for a peer that is down), else by its chassis name alone.
WaitPoll judge_poll(const std::vector<WaitNode>& nodes, const ChassisIds& ids, WaitGoal goal,
                    bool stopped_daemons_are_clean = false, const std::vector<Chassis>& more_chassis = {});

// The Remote names of unsettled tunnels that no node of `nodes` has as its chassis: a peer that
// could not be read (down, no pod), which judge_poll can name only from elsewhere.
std::vector<std::string> unnamed_peers(const std::vector<WaitNode>& nodes, const ChassisIds& ids);

// The nodes whose ovs-monitor-ipsec is not running (their tunnels/show said so).
std::vector<std::string> monitors_down(const std::vector<WaitNode>& nodes);

// "2/3 nodes configured, 5 item(s) pending" for the progress line.
std::string progress_summary(const WaitPoll& poll, WaitGoal goal);

// How a wait for a goal ended: every node reached it, or the deadline came first.
struct WaitResult {
  bool reached = false;
  std::string summary;              // progress_summary at the last poll
  std::vector<std::string> pending; // what was still pending then (empty when reached)
  // Nodes whose monitor stayed down for k_monitor_down_polls polls: waiting longer cannot help
  // (in a Kube-OVN v1.10-1.12 ovs-ovn pod nothing starts it), so the wait stopped early.
  std::vector<std::string> monitor_down;
  bool layout_ovs_ovn = true; // which advice fits: init (ovs-ovn) or Kube-OVN's CNI
};

// Polls in a row a node's monitor must be down before a wait for tunnels gives up on it: more
// than one, so a monitor that is just being restarted is not mistaken for one that is gone.
inline constexpr int k_monitor_down_polls = 3;

} // namespace ipsec
