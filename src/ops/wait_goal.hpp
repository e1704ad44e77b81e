#pragma once
// `on --wait` / `off --wait`: polls every node's tunnels until they reach a goal or time runs
// out. What counts as reached: ipsec/wait_goal.

#include "ipsec/wait_goal.hpp"
#include "ops/session.hpp"

#include <chrono>

namespace ops {

// Polls once a second until nothing is pending for `goal` or session.deadline has passed (each
// exec gets at most `exec_timeout` and what is left); on a terminal, the progress line is
// rewritten on stderr meanwhile.
ipsec::WaitResult wait_for_nodes(const Session& session, ipsec::WaitGoal goal, size_t concurrency,
                                 std::chrono::milliseconds exec_timeout);

} // namespace ops
