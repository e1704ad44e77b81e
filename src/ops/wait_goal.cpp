#include "ops/wait_goal.hpp"

#include "ops/discovery.hpp"
#include "ops/nb_flag.hpp"
#include "ops/progress.hpp"
#include "ops/sb_chassis.hpp"
#include "ops/tunnels_report.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

namespace ops {

namespace {

using namespace std::chrono_literals;

constexpr auto k_wait_poll = 1s;

// The nodes whose chassis this poll read.
std::set<std::string>
named_nodes(const std::vector<ipsec::WaitNode>& nodes)
{
  std::set<std::string> named;
  for (const auto& node : nodes) {
    if (node.chassis_id) {
      named.insert(node.node);
    }
  }
  return named;
}

} // namespace

ipsec::WaitResult
wait_for_nodes(const Session& session, ipsec::WaitGoal goal, size_t concurrency, std::chrono::milliseconds exec_timeout)
{
  const util::Deadline& deadline = session.deadline.at;
  std::map<std::string, int> down_polls; // node → polls in a row its monitor was down
  // Peers that could not be read, named by their Node's annotation: one Node list for each
  // chassis first met unnamed, not one a poll.
  std::vector<ipsec::Chassis> annotated;
  std::set<std::string> looked_up;
  // Kube-OVN >= 1.13 starts and stops the daemons itself: turned off, a stopped monitor is the
  // goal; turned on, kube-ovn-cni starts it once the node's CSR is signed (pkg/daemon/ipsec.go),
  // so a monitor still down is waited for rather than ending the wait early.
  const auto owner = flag_owner(session.cluster, session.ns);
  const bool stopped_daemons_are_clean = goal == ipsec::WaitGoal::removed && owner && !owner->value;
  const bool stop_when_monitor_stays_down = goal != ipsec::WaitGoal::removed && !(owner && owner->value);
  Progress progress(session, goal == ipsec::WaitGoal::removed       ? "waiting until no IPsec tunnel is left"
                             : goal == ipsec::WaitGoal::established ? "waiting for every tunnel's SAs"
                                                                    : "waiting for every tunnel CONFIGURED");
  while (true) {
    const auto found = discover_nodes(session, {}, /*log_layout=*/false);
    // Not CommandDeadline::cap: time running out mid-poll still ends in the report of what is pending.
    ipsec::ChassisIds ids;
    const auto nodes = collect_wait_nodes(session.cluster, found, goal, ids, concurrency, deadline.cap(exec_timeout));
    const auto unnamed = ipsec::unnamed_peers(nodes, ids);
    if (std::any_of(unnamed.begin(), unnamed.end(),
                    [&](const std::string& name) { return looked_up.count(name) == 0; })) {
      looked_up.insert(unnamed.begin(), unnamed.end());
      annotated = read_annotated_chassis(session, named_nodes(nodes));
    }
    const auto poll = ipsec::judge_poll(nodes, ids, goal, stopped_daemons_are_clean, annotated);
    ipsec::WaitResult result;
    result.layout_ovs_ovn = found.layout == ipsec::Layout::ovs_ovn;
    result.pending = poll.pending;
    result.summary = ipsec::progress_summary(poll, goal);
    progress.update(result.summary);
    result.reached = result.pending.empty();
    if (stop_when_monitor_stays_down) {
      std::map<std::string, int> now_down;
      for (const auto& node : ipsec::monitors_down(nodes)) {
        now_down[node] = down_polls[node] + 1;
        if (now_down[node] >= ipsec::k_monitor_down_polls) {
          result.monitor_down.push_back(node);
        }
      }
      down_polls = std::move(now_down);
    }
    if (!result.reached && result.monitor_down.empty()) {
      session.sleep(std::min<std::chrono::milliseconds>(k_wait_poll, deadline.remaining()));
    }
    // At the deadline this poll is the answer: one more would have no time left to run.
    if (result.reached || !result.monitor_down.empty() || deadline.expired()) {
      return result; // the progress line goes: the caller prints how it ended, once
    }
  }
}

} // namespace ops
