#pragma once
// The I/O behind completion: kubeconfig names read from the files kubectl would read, and
// node names asked of the cluster under a hard time limit so a dead cluster never hangs a shell.

#include "cli/app.hpp"
#include "cli/completion.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace cli {

// Total time a completion may spend asking the cluster, connection and credentials included.
inline constexpr std::chrono::milliseconds k_completion_cluster_limit{2000};

// The real sources: flags already on the line (--context, --kubeconfig, -n...) are applied to
// ctx first; cluster lookups run in a child process killed at `limit`. Errors give no candidates.
CompletionSources make_completion_sources(AppContext& ctx, std::chrono::milliseconds limit);

// True when args[0] is cobra's hidden "__complete" or "__completeNoDesc" verb.
bool is_completion_request(const std::vector<std::string>& args);

// Answers such a request on ctx.out in cobra's protocol (args[1..] are the words, the last one
// under the cursor) using the real sources; returns the exit code, 0 even when nothing matched.
int answer_completion(CLI::App& root, AppContext& ctx, const std::vector<std::string>& args);

// Runs `work` in a forked child and returns what it produced, or nothing when it failed or
// did not finish within `limit` (the child is then killed). Never throws.
std::vector<Candidate> run_bounded(const std::function<std::vector<Candidate>()>& work,
                                   std::chrono::milliseconds limit);

} // namespace cli
