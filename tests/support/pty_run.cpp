#include "support/pty_run.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace testsupport {

PtyRun
run_in_pty(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           const std::function<std::string(const std::string& output)>& drive, int timeout_ms)
{
  PtyRun result;
  winsize size{};
  size.ws_row = 40;
  size.ws_col = 120;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) {
    result.out = std::string("forkpty failed: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    for (const auto& entry : env) {
      const auto eq = entry.find('=');
      ::setenv(entry.substr(0, eq).c_str(), entry.substr(eq + 1).c_str(), 1);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[4096];
  while (true) {
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fd{master, POLLIN, 0};
    const int ready = ::poll(&fd, 1, 100);
    if (ready < 0 && errno != EINTR) {
      break;
    }
    if (ready > 0) {
      const ssize_t got = ::read(master, buffer, sizeof buffer);
      if (got <= 0) {
        break; // EIO: the child closed the terminal (it exited)
      }
      result.out.append(buffer, static_cast<size_t>(got));
      if (drive) {
        const std::string typed = drive(result.out);
        if (!typed.empty() && ::write(master, typed.data(), typed.size()) < 0) {
          break;
        }
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

} // namespace testsupport
