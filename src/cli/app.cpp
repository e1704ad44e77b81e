#include "cli/app.hpp"
#include "cli/help.hpp"
#include "cli/help_format.hpp"

#include "kube/cluster.hpp"
#include "kube/kubeconfig.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <ostream>

namespace cli {

std::string
AppContext::plugin_namespace() const
{
  if (!globals.namespace_flag.empty()) {
    return globals.namespace_flag;
  }
  if (const std::string env_ns = env.value("KUBE_OVN_NS"); !env_ns.empty()) {
    return env_ns;
  }
  return "kube-system";
}

kube::ClientConfig
AppContext::client_config() const
{
  return kube::load_client_config(globals.kube, env);
}

std::chrono::milliseconds
AppContext::request_timeout() const
{
  return util::parse_duration(globals.request_timeout, "--request-timeout");
}

std::unique_ptr<kube::Cluster>
AppContext::cluster(util::Deadline command_deadline, size_t concurrency) const
{
  const auto config = client_config();
  log(1, fmt::format("using context \"{}\", server {}, user \"{}\"", config.context_name, config.server,
                     config.user_name));
  // Once per process: a command may build several clients, the warning is about the one server.
  // Completion sets verbosity below 0: a shell's prompt is no place for it.
  static std::once_flag insecure_warned;
  if (config.endpoint.tls.insecure_skip_verify && globals.verbosity >= 0) {
    std::call_once(insecure_warned, [&] {
      std::lock_guard lock(log_mutex);
      err << "Warning: the server's certificate is not verified (insecure-skip-tls-verify): " << config.server
          << " could be anyone, and the credentials are sent to it\n";
    });
  }
  kube::ClusterOptions options;
  options.request_timeout = request_timeout();
  options.command_deadline = command_deadline;
  options.verbosity = globals.verbosity;
  if (globals.verbosity >= 6) {
    options.log = [this](const std::string& line) { log(6, line); };
  }
  options.notice = [this](const std::string& line) { log(2, line); };
  if (concurrency > 0) {
    options.exec_limit = kube::ExecLimitPolicy::fixed(concurrency);
  }
  return cluster_factory(config, options);
}

void
AppContext::log(int level, const std::string& line) const
{
  if (globals.verbosity >= level) {
    std::lock_guard lock(log_mutex);
    err << line << "\n";
  }
}

namespace {

// kubectl's connection flags; they sit on the root and may be given after the subcommand,
// because kubectl refuses flags placed before the plugin name.
void
add_global_flags(CLI::App& app, GlobalOptions& g)
{
  const char* group = "Global Flags (as in kubectl)";
  auto& k = g.kube;
  app.add_option("--kubeconfig", k.kubeconfig, "Path to the kubeconfig file to use")->group(group);
  app.add_option("--context", k.context, "The name of the kubeconfig context to use")->group(group);
  app.add_option("--cluster", k.cluster, "The name of the kubeconfig cluster to use")->group(group);
  app.add_option("--user", k.user, "The name of the kubeconfig user to use")->group(group);
  app.add_option("-n,--namespace", g.namespace_flag, "Kube-OVN's namespace (default: $KUBE_OVN_NS, else kube-system)")
      ->group(group);
  app.add_option("-s,--server", k.server, "The address and port of the Kubernetes API server")->group(group);
  app.add_option("--certificate-authority", k.certificate_authority,
                 "Path to a cert file for the certificate authority")
      ->group(group);
  app.add_option("--tls-server-name", k.tls_server_name, "Server name to use for server certificate validation")
      ->group(group);
  app.add_option("--insecure-skip-tls-verify", k.insecure_skip_tls_verify,
                 "If true, the server's certificate will not be checked for validity (insecure)")
      ->group(group)
      ->expected(0, 1)
      ->default_str("true");
  app.add_option("--client-certificate", k.client_certificate, "Path to a client certificate file for TLS")
      ->group(group);
  app.add_option("--client-key", k.client_key, "Path to a client key file for TLS")->group(group);
  app.add_option("--token", k.token, "Bearer token for authentication to the API server")->group(group);
  app.add_option("--username", k.username, "Username for basic authentication to the API server")->group(group);
  app.add_option("--password", k.password, "Password for basic authentication to the API server")->group(group);
  app.add_option("--as", k.as, "Username to impersonate for the operation")->group(group);
  app.add_option("--as-group", k.as_groups, "Group to impersonate for the operation; repeat for more groups")
      ->group(group);
  app.add_option("--as-uid", k.as_uid, "UID to impersonate for the operation")->group(group);
  app.add_option("--request-timeout", g.request_timeout,
                 "How long to wait for a single server request, retries included (e.g. 30s, 1m); 0 = no limit")
      ->group(group);
  app.add_option("-v,--v", g.verbosity, "Log level: 1 shows decisions, 6 shows every API request")->group(group);
}

} // namespace

void
build_app(CLI::App& app, AppContext& ctx)
{
  app.name(ctx.invoked_as);
  // Before any option or command: both inherit the formatter and the "Flags" heading.
  app.formatter(kubectl_formatter());
  app.option_defaults()->group("Flags");
  app.description("Switch on, prove and watch OVN IPsec in a Kube-OVN cluster");
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  set_examples(&app, ctx.invoked_as,
               {{"Is IPsec on, and does every node have its tunnels?", "{cmd} status"},
                {"Turn IPsec on and wait for every node", "{cmd} on --wait"},
                {"Every node's tunnels, against another context", "{cmd} tunnels --context kind-kube-ovn"}});
  app.require_subcommand(1);
  app.fallthrough();
  add_global_flags(app, ctx.globals);
  register_version(app, ctx);
  register_config(app, ctx);
  register_nodes(app, ctx);
  register_on(app, ctx);
  register_off(app, ctx);
  register_tunnels(app, ctx);
  register_status(app, ctx);
  register_init(app, ctx);
  register_verify(app, ctx);
  register_rotate(app, ctx);
  register_completion(app, ctx);
  register_man(app, ctx);
  register_help(app, ctx);
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->fallthrough();
    for (CLI::App* nested : sub->get_subcommands({})) {
      nested->fallthrough();
    }
  }
  apply_kubectl_help(app);
}

} // namespace cli
