#pragma once
// Shared by the plugin and completion end-to-end tests: a PATH directory holding the built
// plugin under kubectl's names and the checked-in completion hooks, and shell helpers.

#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "support/text.hpp"

#include <string>
#include <vector>

namespace plugintest {

// In a doctest case: ends it with "skipped: <program> is not on PATH" when `program` is missing.
// kubectl is not installable from Debian 12 (its kubernetes-client is 1.20): its absence is a
// skip by design; every other program comes from .ci/install-deps.
#define KOI_SKIP_WITHOUT_PROGRAM(program)                                                                              \
  KOI_SKIP_IF_REASON_AS(::testsupport::program_missing(program), std::string(program) == "kubectl"                     \
                                                                     ? ::testsupport::SkipKind::by_design              \
                                                                     : ::testsupport::SkipKind::install_provides)

// A temp bin dir with kubectl-ko-ipsec and kubectl-ko_ipsec (symlinks to the built binary)
// and completions/kubectl_complete-ko-ipsec / -ko_ipsec copied in.
class PluginBin {
public:
  PluginBin();
  const std::string& dir() const { return m_dir.path(); }
  // "PATH=<dir>:<extra dirs>:<this process's PATH>".
  std::string path_env(const std::vector<std::string>& extra = {}) const;

private:
  testsupport::TempDir m_dir;
};

// Runs `script` as `shell -c script` ("bash", "zsh", "fish") with `env` added.
testsupport::RunResult run_shell(const std::string& shell, const std::string& script,
                                 const std::vector<std::string>& env, int timeout_ms = 60000);

// Single-quotes `text` for a POSIX shell.
std::string quoted(const std::string& text);

// The candidate values of a cobra __complete answer (text before any TAB), without the ":N" line.
std::vector<std::string> candidates(const std::string& protocol_text);

using testsupport::contains;

// Bash code defining complete_line LINE: prints "== LINE" and what bash would offer for LINE,
// by calling the function `complete -p` registered for its command, as readline would.
extern const char* const k_bash_driver;

// The output after "== <line>\n" up to the next "== " line.
std::string block(const std::string& out, const std::string& line);

// The command for an interactive zsh with `env` whose start-up file (written into `zdotdir`)
// sets the prompt "READY> " and then runs `zshrc`.
std::string zsh_command(const std::vector<std::string>& env, const std::string& zdotdir, const std::string& zshrc);

// A private tmux server running one interactive shell (`command`), killed at destruction.
class Tmux {
public:
  explicit Tmux(const std::string& command);
  ~Tmux();
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  bool started() const { return m_started; }
  void type(const std::string& text); // literal keys
  void key(const std::string& name);  // a tmux key name: Tab, C-u, Enter
  std::string screen();               // the visible pane (trailing blanks dropped by tmux)
  // Polls the screen until it shows every one of `parts` (true) or 15 s pass (false).
  bool wait_for(const std::vector<std::string>& parts);
  // Clears the line, types `typed`, presses Tab and waits for `expect` (as wait_for).
  bool complete(const std::string& typed, const std::vector<std::string>& expect);

private:
  testsupport::RunResult tmux(std::vector<std::string> args);

  testsupport::TempDir m_dir;
  std::string m_socket;
  bool m_started = false;
};

// The lines of `text`; how many of them start with `prefix`.
std::vector<std::string> lines(const std::string& text);
size_t count_lines_starting(const std::string& text, const std::string& prefix);

} // namespace plugintest
