#include "integration/test_plugin_env.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace plugintest {

PluginBin::PluginBin()
{
  fs::create_symlink(KOI_PLUGIN_BINARY, dir() + "/kubectl-ko-ipsec");
  fs::create_symlink(KOI_PLUGIN_BINARY, dir() + "/kubectl-ko_ipsec");
  for (const char* hook : {"kubectl_complete-ko-ipsec", "kubectl_complete-ko_ipsec"}) {
    fs::copy_file(std::string(KOI_SOURCE_DIR) + "/completions/" + hook, dir() + "/" + hook);
  }
}

std::string
PluginBin::path_env(const std::vector<std::string>& extra) const
{
  std::string path = "PATH=" + dir();
  for (const auto& d : extra) {
    path += ":" + d;
  }
  const char* inherited = std::getenv("PATH");
  return path + ":" + (inherited != nullptr ? inherited : "/usr/bin:/bin");
}

testsupport::RunResult
run_shell(const std::string& shell, const std::string& script, const std::vector<std::string>& env, int timeout_ms)
{
  return testsupport::run({shell, "-c", script}, env, "", timeout_ms);
}

std::string
quoted(const std::string& text)
{
  std::string out = "'";
  for (const char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::vector<std::string>
lines(const std::string& text)
{
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

size_t
count_lines_starting(const std::string& text, const std::string& prefix)
{
  const auto all = lines(text);
  return static_cast<size_t>(
      std::count_if(all.begin(), all.end(), [&prefix](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
}

std::vector<std::string>
candidates(const std::string& protocol_text)
{
  std::vector<std::string> out;
  for (const auto& line : lines(protocol_text)) {
    if (!line.empty() && line[0] != ':') {
      out.push_back(line.substr(0, line.find('\t')));
    }
  }
  return out;
}

const char* const k_bash_driver = R"SH(
complete_line() {
  COMP_LINE=$1
  COMP_POINT=${#COMP_LINE}
  read -r -a COMP_WORDS <<<"$COMP_LINE"
  [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_TYPE=9
  local fn
  fn=$(complete -p "${COMP_WORDS[0]}" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
  COMPREPLY=()
  "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  echo "== $1"
  printf '%s\n' "${COMPREPLY[@]}"
}
)SH";

std::string
block(const std::string& out, const std::string& line)
{
  const std::string marker = "== " + line + "\n";
  const size_t start = out.find(marker);
  if (start == std::string::npos) {
    return "<no block for \"" + line + "\">";
  }
  const size_t from = start + marker.size();
  const size_t end = out.find("\n== ", from - 1);
  return out.substr(from, end == std::string::npos ? std::string::npos : end + 1 - from);
}

Tmux::Tmux(const std::string& command) : m_socket(m_dir.path() + "/sock")
{
  m_started = tmux({"new-session", "-d", "-x", "220", "-y", "60", command}).exit_code == 0;
}

Tmux::~Tmux()
{
  tmux({"kill-server"});
}

void
Tmux::type(const std::string& text)
{
  tmux({"send-keys", "-l", text});
}

void
Tmux::key(const std::string& name)
{
  tmux({"send-keys", name});
}

std::string
Tmux::screen()
{
  return tmux({"capture-pane", "-p"}).out;
}

bool
Tmux::wait_for(const std::vector<std::string>& parts)
{
  for (int i = 0; i < 150; ++i) {
    const std::string now = screen();
    const bool all = std::all_of(parts.begin(), parts.end(), [&now](const std::string& p) { return contains(now, p); });
    if (all) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool
Tmux::complete(const std::string& typed, const std::vector<std::string>& expect)
{
  key("C-u");
  type(typed);
  key("Tab");
  return wait_for(expect);
}

std::string
zsh_command(const std::vector<std::string>& env, const std::string& zdotdir, const std::string& zshrc)
{
  fs::create_directories(zdotdir);
  std::ofstream(zdotdir + "/.zshrc") << "PS1='READY> '\n" << zshrc;
  std::string command = "env";
  for (const auto& var : env) {
    command += " " + quoted(var);
  }
  return command + " " + quoted("ZDOTDIR=" + zdotdir) + " TERM=xterm zsh -i";
}

testsupport::RunResult
Tmux::tmux(std::vector<std::string> args)
{
  // -f /dev/null: no user tmux.conf; -S: a socket of our own, so kill-server ends only ours.
  args.insert(args.begin(), {"tmux", "-S", m_socket, "-f", "/dev/null"});
  return testsupport::run(args, {}, "", 10000);
}

} // namespace plugintest
