#pragma once
// Runs a child process with an explicit argv and environment, optional stdin text, captured
// stdout and a deadline. Generic (no shell, no quoting); exec credential plugins use it.

#include "util/error.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace util {

struct ProcessSpec {
  enum class Stdin { null, text, inherit };

  std::vector<std::string> argv; // argv[0] is searched on $PATH when it has no '/'
  // Set on top of this process's environment (a same-named variable is replaced), or, when
  // inherit_environment is false, the child's whole environment.
  std::vector<std::pair<std::string, std::string>> env;
  bool inherit_environment = true;
  Stdin stdin_mode = Stdin::null;       // null = /dev/null
  std::string stdin_text;               // written, then closed, when stdin_mode == text
  bool capture_stderr = false;          // false: the child's stderr is our stderr
  std::chrono::milliseconds timeout{0}; // 0 = no limit; on expiry the child is killed
  // The child leads a process group of its own, killed whole at the deadline, so a grandchild
  // (a plugin's `sleep`) cannot hold the output pipes open. Not for a child that reads the
  // terminal: a background group cannot.
  bool own_process_group = false;
};

struct ProcessResult {
  int exit_code = 0;      // the exit status, or -1 when a signal ended the process
  int signal = 0;         // that signal, 0 when it exited normally
  bool timed_out = false; // killed because the deadline passed
  std::string out;
  std::string err; // only filled with capture_stderr
};

// The program could not be started: not_found() when a bare name is not on $PATH, else
// exec failed (message "fork/exec <path>: <reason>", as Go words it).
class ProcessError : public Error {
public:
  ProcessError(const std::string& what, bool not_found) : Error(what), m_not_found(not_found) {}
  bool not_found() const { return m_not_found; }

private:
  bool m_not_found;
};

// Looks `name` up in the ':'-separated `path` like execvp (an empty entry is the current
// directory); returns "" when no executable regular file is found.
std::string find_in_path(const std::string& name, const std::string& path);

// Starts the program, feeds stdin, collects output until it exits or the deadline passes (then
// it, or with own_process_group its whole group, is killed with SIGKILL). A non-zero exit is a result; throws
// ProcessError if it cannot start.
ProcessResult run_process(const ProcessSpec& spec);

} // namespace util
