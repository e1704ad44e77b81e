#pragma once
// What `on --wait`, `on --wait-established` and `off --wait` wait for, judged from a tunnels
// report: the list of what is still pending, one readable line each (empty = done).

#include "ipsec/tunnels_report.hpp"

#include <string>
#include <vector>

namespace ipsec {

enum class WaitGoal {
  configured,    // every expected tunnel (one to every other chassis) is CONFIGURED
  established,   // ... and has its kernel security associations installed
  removed,       // no node has an IPsec tunnel left
};

std::vector<std::string> pending_for(const TunnelsReport& report, WaitGoal goal);

// "2/3 nodes ready" style summary for the progress line.
std::string progress_summary(const TunnelsReport& report, const std::vector<std::string>& pending, WaitGoal goal);

// How a wait for a goal ended: every node reached it, or the deadline came first.
struct WaitResult {
  bool reached = false;
  std::string summary;                 // progress_summary at the last poll
  std::vector<std::string> pending;    // what was still pending then (empty when reached)
};

} // namespace ipsec
