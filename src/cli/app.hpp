#pragma once
// The root command: kubectl-compatible global flags, the context every subcommand gets,
// and the registry of subcommands (one file per subcommand under cli/).

#include "kube/client_config.hpp"
#include "util/deadline.hpp"
#include "util/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kube {
class Cluster;
struct ClusterOptions;
} // namespace kube

namespace cli {

struct GlobalOptions {
  kube::ConfigOverrides kube;
  std::string namespace_flag;        // -n/--namespace, "" when not given
  std::string request_timeout = "0"; // --request-timeout, kubectl syntax ("0" = none, "30s", "1m")
  int verbosity = 0;                 // -v
};

// Everything a subcommand callback needs; tests build one with string streams and a fake cluster.
struct AppContext {
  AppContext(std::ostream& out_stream, std::ostream& err_stream)
      : out(out_stream), err(err_stream), sleep([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })
  {}

  std::ostream& out;
  std::ostream& err;
  kube::Environment env = kube::Environment::process();
  GlobalOptions globals;
  std::string invoked_as = "kubectl ko ipsec"; // how the user called us, for help and errors
  bool err_is_terminal = false;                // progress lines only go to a terminal
  bool out_is_terminal = false;                // --watch redraws one screen on a terminal, appends on a pipe
  // Whether Ctrl-C ended a --watch (inside util::InterruptScope); tests replace it.
  std::function<bool()> interrupted = [] { return util::InterruptScope::interrupted(); };
  // Waits between polls (leader election, --wait); tests replace it to avoid real sleeps.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Builds the cluster client from the resolved config; main() installs the real one.
  std::function<std::unique_ptr<kube::Cluster>(const kube::ClientConfig&, const kube::ClusterOptions&)> cluster_factory;

  // Kube-OVN's namespace: -n/--namespace, else $KUBE_OVN_NS, else kube-system.
  std::string plugin_namespace() const;
  // Resolves the kubeconfig with the global flags (throws kube::ConfigError).
  kube::ClientConfig client_config() const;
  // --request-timeout as a duration; zero means no limit.
  std::chrono::milliseconds request_timeout() const;
  // The cluster client for the resolved kubeconfig, from cluster_factory, with --request-timeout
  // and -v; `command_deadline` is the command's --timeout where it bounds the whole command;
  // `concurrency` the command's --concurrency (0: execs at once adapt, kube/exec_limit.hpp).
  std::unique_ptr<kube::Cluster> cluster(util::Deadline command_deadline = util::Deadline::never(),
                                         size_t concurrency = 0) const;
  // Writes `line` to err when -v is at least `level`; safe from the fan-out's threads.
  void log(int level, const std::string& line) const;
  mutable std::mutex log_mutex;
};

// Builds the whole command tree into `app` (root flags + every subcommand).
void build_app(CLI::App& app, AppContext& ctx);

// "kubectl ko ipsec" for kubectl-ko-ipsec, "kubectl ko-ipsec" for krew's kubectl-ko_ipsec.
std::string invocation_name(std::string_view argv0);

// Parses `args` (without argv[0]) and runs the chosen subcommand; returns the exit code:
// 0 ok, 1 error or failed check, 2 usage error. Never throws.
int run(const std::vector<std::string>& args, AppContext& ctx);

// Subcommand registries, one per cli/<name>.cpp.
void register_config(CLI::App& root, AppContext& ctx);
void register_version(CLI::App& root, AppContext& ctx);
void register_nodes(CLI::App& root, AppContext& ctx);
void register_tunnels(CLI::App& root, AppContext& ctx);
void register_on(CLI::App& root, AppContext& ctx);
void register_off(CLI::App& root, AppContext& ctx);
void register_status(CLI::App& root, AppContext& ctx);
void register_init(CLI::App& root, AppContext& ctx);
void register_verify(CLI::App& root, AppContext& ctx);
void register_rotate(CLI::App& root, AppContext& ctx);
void register_completion(CLI::App& root, AppContext& ctx); // `completion bash|zsh|fish|kubectl`
void register_man(CLI::App& root, AppContext& ctx);        // hidden `__man`
void register_help(CLI::App& root, AppContext& ctx);       // `help [command...]`

} // namespace cli
