#include "support/subprocess.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace testsupport {

namespace {

using Clock = std::chrono::steady_clock;

// Writing to a child that already exited raises SIGPIPE; ignoring it turns that into EPIPE.
void ignore_sigpipe() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

std::vector<std::string> merged_env(const std::vector<std::string>& overrides) {
  std::vector<std::string> result = overrides;
  auto overridden = [&](const std::string& entry) {
    const auto eq = entry.find('=');
    const std::string name = entry.substr(0, eq);
    for (const auto& o : overrides) {
      if (o.substr(0, o.find('=')) == name) {
        return true;
      }
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    if (!overridden(entry)) {
      result.push_back(entry);
    }
  }
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

} // namespace

std::string which(const std::string& name) {
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) {
    return "";
  }
  if (name.find('/') != std::string::npos) {
    return executable(name) ? name : "";
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find(':', start), path.size());
    const std::string dir = end > start ? path.substr(start, end - start) : ".";
    const std::string candidate = dir + "/" + name;
    if (executable(candidate)) {
      return candidate;
    }
    start = end + 1;
  }
  return "";
}

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::string& stdin_text, int timeout_ms) {
  RunResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "run: empty argv";
    return result;
  }
  const std::string path = which(argv[0]);
  if (path.empty()) {
    result.exit_code = 127;
    result.err = argv[0] + ": not found on PATH";
    return result;
  }
  ignore_sigpipe();

  // Everything the child needs is built before fork(): only async-signal-safe calls after it.
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = merged_env(env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(envs);

  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    result.err = std::string("run: pipe: ") + std::strerror(errno);
    for (int* p : {in, out, err}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
    return result;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0); // own group, so a timeout can kill grandchildren too
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execve(path.c_str(), c_args.data(), c_env.data());
    ::_exit(127);
  }
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  if (pid < 0) {
    result.err = std::string("run: fork: ") + std::strerror(errno);
    close_fd(in[1]);
    close_fd(out[0]);
    close_fd(err[0]);
    return result;
  }

  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (stdin_text.empty()) {
    close_fd(in[1]);
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  bool reaped = false;
  Clock::time_point exited_at{};
  while (out[0] >= 0 || err[0] >= 0) {
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      exited_at = Clock::now();
    }
    // A grandchild may keep the pipes open after the child exits; don't wait for it forever.
    if (reaped && Clock::now() - exited_at > std::chrono::milliseconds(500)) {
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    for (int fd : {out[0], err[0]}) {
      if (fd >= 0) {
        fds[n++] = pollfd{fd, POLLIN, 0};
      }
    }
    if (in[1] >= 0) {
      fds[n++] = pollfd{in[1], POLLOUT, 0};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (::poll(fds, n, static_cast<int>(std::min<long long>(left, 50))) < 0 && errno != EINTR) {
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (fds[i].fd == in[1]) {
        const ssize_t w = ::write(in[1], stdin_text.data() + written, stdin_text.size() - written);
        if (w > 0) {
          written += static_cast<std::size_t>(w);
        }
        if ((w < 0 && errno != EAGAIN) || written == stdin_text.size()) {
          close_fd(in[1]);
        }
        continue;
      }
      char buf[8192];
      const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (fds[i].fd == out[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        close_fd(fds[i].fd == out[0] ? out[0] : err[0]);
      }
    }
  }
  close_fd(in[1]);
  close_fd(out[0]);
  close_fd(err[0]);
  // The child may close its output and keep running: the deadline still applies.
  while (!reaped) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
    } else if (result.timed_out || Clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      reaped = true;
    } else {
      ::usleep(5000);
    }
  }
  result.exit_code = decode_status(status);
  return result;
}

} // namespace testsupport
