// A test-friendly face of util::run_process: "NAME=value" env strings, captured stderr, and
// shell-like exit codes (127 not found, 128+N killed by signal N).
#include "support/subprocess.hpp"

#include "util/process.hpp"

#include <cstdlib>

#include <unistd.h>

namespace testsupport {

std::string
which(const std::string& name)
{
  if (name.find('/') != std::string::npos) {
    return ::access(name.c_str(), X_OK) == 0 ? name : "";
  }
  const char* path = std::getenv("PATH");
  return util::find_in_path(name, path ? path : "");
}

RunResult
run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& stdin_text,
    int timeout_ms)
{
  util::ProcessSpec spec;
  spec.argv = argv;
  for (const auto& entry : env) {
    const size_t eq = entry.find('=');
    spec.env.emplace_back(entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1));
  }
  spec.stdin_mode = util::ProcessSpec::Stdin::text;
  spec.stdin_text = stdin_text;
  spec.capture_stderr = true;
  spec.timeout = std::chrono::milliseconds(timeout_ms);

  RunResult result;
  try {
    const auto done = util::run_process(spec);
    result.exit_code = done.signal != 0 ? 128 + done.signal : done.exit_code;
    result.out = done.out;
    result.err = done.err;
    result.timed_out = done.timed_out;
  } catch (const util::ProcessError& e) {
    result.exit_code = e.not_found() ? 127 : 126;
    result.err = e.not_found() ? argv.at(0) + ": not found on PATH" : std::string(e.what());
  }
  return result;
}

} // namespace testsupport
