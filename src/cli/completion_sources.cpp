#include "cli/completion_sources.hpp"

#include "cli/session.hpp"
#include "kube/cluster.hpp"
#include "kube/kubeconfig.hpp"
#include "ops/discovery.hpp"
#include "util/deadline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cli {

namespace {

// A flag already typed on the line sets its variable as a real parse would, so the lookups
// use the same kubeconfig, context and namespace as the command being typed.
void
apply_given(const std::vector<std::pair<CLI::Option*, std::string>>& given)
{
  for (const auto& [opt, value] : given) {
    try {
      opt->clear();
      opt->add_result(value.empty() && opt->get_items_expected_min() == 0 ? std::string("true") : value);
      opt->run_callback();
    } catch (const std::exception&) {
      // A half-typed or invalid value: complete as if the flag were absent.
    }
  }
}

std::vector<Candidate>
kubeconfig_names(const AppContext& ctx, ValueSource source)
{
  const kube::Kubeconfig config = kube::load_kubeconfig(ctx.globals.kube, ctx.env);
  std::vector<Candidate> out;
  if (source == ValueSource::contexts) {
    for (const auto& [name, context] : config.contexts) {
      out.push_back({name, fmt::format("cluster {}, user {}", context.cluster, context.user)});
    }
  } else if (source == ValueSource::clusters) {
    for (const auto& [name, cluster] : config.clusters) {
      out.push_back({name, cluster.server});
    }
  } else if (source == ValueSource::users) {
    for (const auto& entry : config.users) {
      out.push_back({entry.first, ""});
    }
  }
  return out;
}

std::vector<Candidate>
node_names(AppContext& ctx, std::chrono::milliseconds limit)
{
  ctx.globals.verbosity = -1; // nothing may reach the shell's terminal (below 0: not even warnings)
  ctx.globals.request_timeout = fmt::format("{}ms", limit.count());
  auto cluster = ctx.cluster();
  const ops::Discovery found = ops::discover_nodes(make_session(ctx, *cluster), {}, /*log_layout=*/false);
  std::vector<Candidate> out;
  for (const auto& node : found.nodes) {
    out.push_back({node.node, node.target ? node.target->pod : node.problem});
  }
  return out;
}

std::string
encode(const std::vector<Candidate>& candidates)
{
  std::string text;
  for (const auto& c : candidates) {
    std::string description = c.description;
    std::replace_if(
        description.begin(), description.end(), [](char ch) { return ch == '\t' || ch == '\n'; }, ' ');
    text += c.value + "\t" + description + "\n";
  }
  return text;
}

std::vector<Candidate>
decode(const std::string& text)
{
  std::vector<Candidate> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const size_t tab = line.find('\t');
    if (!line.empty()) {
      out.push_back({line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1)});
    }
    start = end + 1;
  }
  return out;
}

[[noreturn]] void
child_main(int fd, const std::function<std::vector<Candidate>()>& work)
{
  std::string text;
  try {
    text = encode(work());
  } catch (...) {
    ::_exit(1);
  }
  size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::write(fd, text.data() + sent, text.size() - sent);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ::_exit(1);
    }
    sent += static_cast<size_t>(n);
  }
  // _exit: the parent's atexit handlers and stdio buffers belong to the parent.
  ::_exit(0);
}

} // namespace

std::vector<Candidate>
run_bounded(const std::function<std::vector<Candidate>()>& work, std::chrono::milliseconds limit)
{
  // A child process rather than a thread: a connect or credential plugin that hangs can be
  // killed outright, and nothing is left running when the shell's completion returns.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return {};
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {};
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], work);
  }
  ::close(fds[1]);
  const auto deadline = util::Deadline::after(limit);
  std::string text;
  bool finished = false;
  while (!deadline.expired()) {
    pollfd pfd{fds[0], POLLIN, 0};
    const int rc = ::poll(&pfd, 1, deadline.poll_timeout_ms());
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc <= 0) {
      break;
    }
    char buffer[4096];
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      finished = n == 0;
      break;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (!finished) {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {};
  }
  return decode(text);
}

CompletionSources
make_completion_sources(AppContext& ctx, std::chrono::milliseconds limit)
{
  return [&ctx, limit](ValueSource source, const std::vector<std::pair<CLI::Option*, std::string>>& given) {
    apply_given(given);
    try {
      if (source == ValueSource::nodes) {
        return run_bounded([&ctx, limit] { return node_names(ctx, limit); }, limit);
      }
      return kubeconfig_names(ctx, source);
    } catch (const std::exception&) {
      return std::vector<Candidate>{}; // a broken kubeconfig simply completes nothing
    }
  };
}

} // namespace cli
