#include "support/plugin_run.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace testsupport {

namespace {

std::string
read_all(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

RunResult
run_plugin(const TestApiServer& server, std::vector<std::string> args, const std::string& user, int timeout_ms)
{
  args.insert(args.begin(), KOI_PLUGIN_BINARY);
  return run(args, {"KUBECONFIG=" + server.write_kubeconfig(user), "KUBE_OVN_NS="}, "", timeout_ms);
}

MeasuredRun
run_plugin_measured(const TestApiServer& server, std::vector<std::string> args, int timeout_ms)
{
  // Its own fork and wait4: util::run_process does not report rusage, and RUSAGE_CHILDREN
  // would mix in every child this test process has had (the API servers among them).
  const TempDir dir;
  const std::string out_path = dir.path() + "/out";
  const std::string err_path = dir.path() + "/err";
  args.insert(args.begin(), KOI_PLUGIN_BINARY);
  std::vector<std::string> env{"KUBECONFIG=" + server.write_kubeconfig("admin")};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    if (entry.rfind("KUBECONFIG=", 0) != 0 && entry.rfind("KUBE_OVN_NS=", 0) != 0) {
      env.push_back(entry);
    }
  }
  std::vector<char*> argv_ptrs;
  for (auto& a : args) {
    argv_ptrs.push_back(a.data());
  }
  argv_ptrs.push_back(nullptr);
  std::vector<char*> env_ptrs;
  for (auto& e : env) {
    env_ptrs.push_back(e.data());
  }
  env_ptrs.push_back(nullptr);

  MeasuredRun measured;
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
      ::_exit(126);
    }
    ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    ::_exit(127);
  }
  if (pid < 0) {
    measured.run.err = "fork failed";
    return measured;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, WNOHANG, &usage) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      measured.run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  measured.run.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  measured.run.out = read_all(out_path);
  measured.run.err = read_all(err_path);
  measured.max_rss_kib = usage.ru_maxrss;
  return measured;
}

std::vector<nlohmann::json>
exec_requests(const TestApiServer& server)
{
  std::vector<nlohmann::json> out;
  for (const auto& entry : server.control("GET", "/_test/requests")) {
    if (entry.contains("exec") && entry["exec"].is_object()) {
      out.push_back(entry["exec"]);
    }
  }
  return out;
}

} // namespace testsupport
