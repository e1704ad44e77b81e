#include "ops/wait_goal.hpp"

#include "ops/discovery.hpp"
#include "ops/tunnels_report.hpp"

#include <ostream>

namespace ops {

namespace {

using namespace std::chrono_literals;

constexpr auto k_wait_poll = 1s;

} // namespace

ipsec::WaitResult
wait_for_nodes(const Session& session, ipsec::WaitGoal goal, std::chrono::milliseconds timeout, size_t concurrency,
               std::chrono::milliseconds exec_timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto found = discover_nodes(session, {}, /*log_layout=*/false);
    const auto report = collect_tunnels(session.cluster, found, {}, concurrency, exec_timeout);
    ipsec::WaitResult result;
    result.pending = ipsec::pending_for(report, goal);
    result.summary = ipsec::progress_summary(report, result.pending, goal);
    if (session.err_is_terminal) {
      session.err << "\r\033[K" << result.summary << std::flush;
    }
    result.reached = result.pending.empty();
    if (result.reached || std::chrono::steady_clock::now() >= deadline) {
      if (session.err_is_terminal) {
        session.err << "\n";
      }
      return result;
    }
    session.sleep(k_wait_poll);
  }
}

} // namespace ops
