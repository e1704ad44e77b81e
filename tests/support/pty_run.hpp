#pragma once
// Running a program on a pseudo-terminal, as a user at a terminal would: its stdin, stdout and
// stderr are the terminal (isatty is true), and bytes typed into it go through the terminal's
// line discipline (Ctrl-C, "\x03", becomes SIGINT for the program).

#include <functional>
#include <string>
#include <vector>

namespace testsupport {

struct PtyRun {
  int exit_code = -1; // the exit status, 128+N when killed by signal N
  std::string out;    // everything the terminal showed (stdout and stderr together, "\r\n" lines)
  bool timed_out = false;
};

// Runs argv (argv[0] a path) on a new 40x120 terminal with the test's environment plus `env`
// (name=value). `drive` sees the output so far each time more arrives and returns what to type
// ("" for nothing). Killed at `timeout_ms`.
PtyRun run_in_pty(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::function<std::string(const std::string& output)>& drive, int timeout_ms = 60000);

} // namespace testsupport
