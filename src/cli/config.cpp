// `config view`: shows which cluster and user the other commands will use.

#include "cli/app.hpp"
#include "cli/help.hpp"
#include "output/config_view.hpp"

#include <ostream>

namespace cli {

void
register_config(CLI::App& root, AppContext& ctx)
{
  CLI::App* config = root.add_subcommand("config", "Show which cluster and user commands will use");
  config->require_subcommand(1);
  set_examples(config, ctx.invoked_as, {{"Which cluster and user the other commands will use", "{cmd} config view"}});
  CLI::App* view = config->add_subcommand(
      "view",
      "Print the resolved kubeconfig: context, cluster, server, CA, user and auth kind; secrets are never printed");
  set_examples(
      view, ctx.invoked_as,
      {{"The resolved kubeconfig", "{cmd} config view"},
       {"For another context and Kube-OVN namespace", "{cmd} config view --context kind-kube-ovn -n kube-ovn"}});
  view->callback([&ctx] {
    const kube::ClientConfig cfg = ctx.client_config();
    ctx.out << output::render_config_view(cfg, ctx.plugin_namespace());
  });
}

} // namespace cli
