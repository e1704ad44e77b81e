#pragma once
// One command in one pod through the cluster seam, and a failed one as a util::Error quoting
// the first line of its stderr. Every exec of ops/ goes through here.

#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ops {

// Runs `argv` in `pod`'s container; `stdout_sink`, when set, gets stdout as it arrives instead
// of ExecResult::out. A non-zero exit is a result, not an exception.
kube::ExecResult exec_in(kube::Cluster& cluster, const ipsec::PodTarget& pod, std::vector<std::string> argv,
                         std::chrono::milliseconds timeout, std::optional<std::string> stdin_data = std::nullopt,
                         std::function<void(std::string_view)> stdout_sink = {});

// How a failed exec is worded: by its command line ("`ovn-nbctl get ...` in ns/pod exited with
// code 1: ...") or by the step it was ("installing the CA certificate failed in ns/pod (exit
// code 1): ...").
enum class Wording { command, step };

// Throws util::Error when `result` exited non-zero, naming `what` (the command line or the
// step, as `wording` says) and `pod`, and quoting the first line of stderr.
void require_success(const kube::ExecResult& result, std::string_view what, const ipsec::PodTarget& pod,
                     Wording wording);

// exec_in, then require_success; returns stdout. The error names the command line (argv joined
// by spaces) with Wording::command, `step` with Wording::step.
std::string checked_output(kube::Cluster& cluster, const ipsec::PodTarget& pod, const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout, Wording wording, std::string_view step = {},
                           std::optional<std::string> stdin_data = std::nullopt);

} // namespace ops
