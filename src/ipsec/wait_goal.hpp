#pragma once
// What `on --wait`, `on --wait-established` and `off --wait` wait for, judged from a tunnels
// report: the list of what is still pending, one readable line each (empty = done).

#include "ipsec/tunnels_report.hpp"

#include <string>
#include <vector>

namespace ipsec {

enum class WaitGoal {
  configured,  // every expected tunnel (one to every other chassis) is CONFIGURED
  established, // ... and has its kernel security associations installed
  removed,     // no node has an IPsec tunnel left
};

// `stopped_daemons_are_clean`: for `removed`, a node whose ovs-monitor-ipsec is not running counts
// as done. So it is on Kube-OVN >= 1.13 with --enable-ovn-ipsec=false: every kube-ovn-cni start
// stops the IPsec daemons and flushes the host's xfrm state (pkg/daemon/ipsec.go).
std::vector<std::string> pending_for(const TunnelsReport& report, WaitGoal goal,
                                     bool stopped_daemons_are_clean = false);

// The nodes whose ovs-monitor-ipsec is not running (their tunnels/show said so).
std::vector<std::string> monitors_down(const TunnelsReport& report);

// "2/3 nodes ready" style summary for the progress line.
std::string progress_summary(const TunnelsReport& report, const std::vector<std::string>& pending, WaitGoal goal);

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
