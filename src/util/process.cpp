#include "util/process.hpp"

#include "util/error.hpp"

#include "util/deadline.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace util {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  Fd& operator=(Fd&& other) noexcept
  {
    if (this != &other) {
      reset();
      m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return m_fd; }
  void reset()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }

private:
  int m_fd = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Pipe
make_pipe()
{
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw ProcessError("pipe: " + errno_text(errno), false);
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

bool
is_executable_file(const std::string& path)
{
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::vector<std::string>
build_environment(const ProcessSpec& spec)
{
  std::vector<std::string> entries;
  if (spec.inherit_environment) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      entries.emplace_back(*e);
    }
  }
  for (const auto& [name, value] : spec.env) {
    const std::string prefix = name + "=";
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const std::string& entry) { return entry.compare(0, prefix.size(), prefix) == 0; });
    if (it != entries.end()) {
      *it = prefix + value;
    } else {
      entries.push_back(prefix + value);
    }
  }
  return entries;
}

std::vector<char*>
c_array(std::vector<std::string>& strings)
{
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Only async-signal-safe calls between fork and exec: the parent may have other threads.
[[noreturn]] void
exec_child(const char* path, char* const* argv, char* const* envp, int stdin_fd, int stdout_fd, int stderr_fd,
           int status_fd, bool own_process_group)
{
  if (own_process_group) {
    ::setpgid(0, 0);
  }
  if (stdin_fd >= 0 && ::dup2(stdin_fd, STDIN_FILENO) < 0) {
    const int err = errno;
    [[maybe_unused]] auto n = ::write(status_fd, &err, sizeof err);
    ::_exit(127);
  }
  if (::dup2(stdout_fd, STDOUT_FILENO) < 0 || (stderr_fd >= 0 && ::dup2(stderr_fd, STDERR_FILENO) < 0)) {
    const int err = errno;
    [[maybe_unused]] auto n = ::write(status_fd, &err, sizeof err);
    ::_exit(127);
  }
  // Descriptors other code opened without close-on-exec (sockets, files) must not leak into
  // the plugin; keep only 0-2 and the status pipe (itself close-on-exec).
  if (status_fd > 3) {
    ::close_range(3, static_cast<unsigned>(status_fd) - 1, 0);
  }
  ::close_range(static_cast<unsigned>(status_fd) + 1, ~0U, 0);
  ::execve(path, argv, envp);
  const int err = errno;
  [[maybe_unused]] auto n = ::write(status_fd, &err, sizeof err);
  ::_exit(127);
}

// Blocks SIGPIPE on this thread while we write to the child's stdin, so a child that exits
// early yields EPIPE instead of killing us; a SIGPIPE raised meanwhile is consumed.
class SigpipeGuard {
public:
  SigpipeGuard()
  {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    m_was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set, &m_old);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  ~SigpipeGuard()
  {
    if (!m_was_pending) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
  }

private:
  sigset_t m_old{};
  bool m_was_pending = false;
};

void
set_nonblocking(int fd)
{
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  }
}

} // namespace

std::string
find_in_path(const std::string& name, const std::string& path)
{
  if (name.empty()) {
    return "";
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) {
      dir = ".";
    }
    std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) {
      return candidate;
    }
    if (end == std::string::npos) {
      return "";
    }
    start = end + 1;
  }
}

ProcessResult
run_process(const ProcessSpec& spec)
{
  if (spec.argv.empty() || spec.argv[0].empty()) {
    throw ProcessError("exec: no command", false);
  }
  std::string path = spec.argv[0];
  if (path.find('/') == std::string::npos) {
    const char* env_path = std::getenv("PATH");
    path = find_in_path(path, env_path != nullptr ? env_path : "");
    if (path.empty()) {
      throw ProcessError("exec: \"" + spec.argv[0] + "\": executable file not found in $PATH", true);
    }
  }

  std::vector<std::string> argv_strings = spec.argv;
  std::vector<std::string> env_strings = build_environment(spec);
  std::vector<char*> argv = c_array(argv_strings);
  std::vector<char*> envp = c_array(env_strings);

  Pipe out = make_pipe();
  Pipe status = make_pipe();
  std::optional<Pipe> err;
  if (spec.capture_stderr) {
    err = make_pipe();
  }
  std::optional<Pipe> in;
  Fd dev_null;
  if (spec.stdin_mode == ProcessSpec::Stdin::text) {
    in = make_pipe();
  } else if (spec.stdin_mode == ProcessSpec::Stdin::null) {
    dev_null = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  const int child_stdin = in ? in->read.get() : dev_null.get(); // -1 with inherit: keep ours
  const int child_stderr = err ? err->write.get() : -1;

  const Deadline deadline = spec.timeout.count() > 0 ? Deadline::after(spec.timeout) : Deadline::never();

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw ProcessError("fork/exec " + path + ": " + errno_text(errno), false);
  }
  if (pid == 0) {
    exec_child(path.c_str(), argv.data(), envp.data(), child_stdin, out.write.get(), child_stderr, status.write.get(),
               spec.own_process_group);
  }
  if (spec.own_process_group) {
    ::setpgid(pid, pid); // also here, so the group exists before any kill (fails once the child has exec'd)
  }

  out.write.reset();
  status.write.reset();
  if (err) {
    err->write.reset();
  }
  if (in) {
    in->read.reset();
  }
  dev_null.reset();

  // The status pipe closes on a successful exec; otherwise it carries the exec errno.
  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(status.read.get(), &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int ignored = 0;
    while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    throw ProcessError("fork/exec " + path + ": " + errno_text(exec_errno), false);
  }

  ProcessResult result;
  SigpipeGuard sigpipe_guard;
  std::size_t written = 0;
  if (in) {
    set_nonblocking(in->write.get());
    if (spec.stdin_text.empty()) {
      in->write.reset();
    }
  }

  std::array<char, 16384> buffer{};
  while (out.read.get() >= 0 || (err && err->read.get() >= 0) || (in && in->write.get() >= 0)) {
    std::array<pollfd, 3> fds{};
    std::array<int, 3> role{}; // 0 = stdout, 1 = stderr, 2 = stdin
    nfds_t count = 0;
    if (out.read.get() >= 0) {
      fds[count] = pollfd{out.read.get(), POLLIN, 0};
      role[count++] = 0;
    }
    if (err && err->read.get() >= 0) {
      fds[count] = pollfd{err->read.get(), POLLIN, 0};
      role[count++] = 1;
    }
    if (in && in->write.get() >= 0) {
      fds[count] = pollfd{in->write.get(), POLLOUT, 0};
      role[count++] = 2;
    }
    if (deadline.expired()) {
      result.timed_out = true;
      break;
    }
    const int ready = ::poll(fds.data(), count, deadline.poll_timeout_ms());
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (role[i] == 2) {
        const std::string_view rest = std::string_view(spec.stdin_text).substr(written);
        const ssize_t n = ::write(in->write.get(), rest.data(), rest.size());
        if (n > 0) {
          written += static_cast<std::size_t>(n);
        }
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written >= spec.stdin_text.size()) {
          in->write.reset(); // done, or the child stopped reading (EPIPE)
        }
        continue;
      }
      Fd& fd = role[i] == 0 ? out.read : err->read;
      std::string& sink = role[i] == 0 ? result.out : result.err;
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n > 0) {
        sink.append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd.reset();
      }
    }
  }

  // Output is closed; the child may still be running (or have left a grandchild holding the
  // pipe, which we no longer wait for). Reap it within the deadline.
  int wstatus = 0;
  while (true) {
    if (result.timed_out) {
      ::kill(spec.own_process_group ? -pid : pid, SIGKILL);
      while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) {
      break;
    }
    if (done < 0 && errno != EINTR) {
      break;
    }
    if (deadline.expired()) {
      result.timed_out = true;
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.exit_code = -1;
    result.signal = WTERMSIG(wstatus);
  }
  return result;
}

} // namespace util
