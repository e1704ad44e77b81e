#pragma once
// Test-only helper: run a command to completion and capture what it printed. Not for
// production code (it forks, and ignores SIGPIPE process-wide so a dead child can't kill us).

#include <string>
#include <vector>

namespace testsupport {

// Outcome of run(): exit code (128+N when killed by signal N, 127 when argv[0] was not
// found), captured output, and whether the timeout fired (the child was then SIGKILLed).
struct RunResult {
  int exit_code = -1;
  std::string out, err;
  bool timed_out = false;
};

// Runs argv (argv[0] looked up on PATH) with extra env vars (name=value, overriding), optional stdin text, timeout.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
              const std::string& stdin_text = "", int timeout_ms = 30000);

// Full path of `name` on PATH, "" if absent.
std::string which(const std::string& name);

} // namespace testsupport
