#pragma once
// Ctrl-C for a command that runs until stopped (`status --watch`): while an InterruptScope is
// alive, the first SIGINT only sets a flag the command polls, so it can end with its last
// state's exit code; a second SIGINT kills the process as usual.

namespace util {

class InterruptScope {
public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // A SIGINT came since this scope began.
  static bool interrupted();
};

} // namespace util
