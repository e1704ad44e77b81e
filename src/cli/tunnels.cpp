// `tunnels`: every node's IPsec tunnels from ovs-monitor-ipsec, fetched concurrently, as one table.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ipsec/tunnels_report.hpp"
#include "ops/tunnels_report.hpp"
#include "output/format.hpp"
#include "output/render_tunnels.hpp"
#include "util/error.hpp"

#include <memory>
#include <ostream>

namespace cli {

void
register_tunnels(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<NodeFanoutOptions>();
  CLI::App* sub = root.add_subcommand("tunnels", "Show every node's IPsec tunnels as ovs-monitor-ipsec sees them");
  add_node_fanout_options(sub, *opt, "table|wide|json|yaml");
  set_examples(sub, ctx.invoked_as,
               {{"Every tunnel of every node", "{cmd} tunnels"},
                {"One node, every field", "{cmd} tunnels --node kube-ovn-worker -o wide"},
                {"As JSON, for a script", "{cmd} tunnels -o json"}});
  sub->callback([opt, &ctx] {
    const auto timeout = opt->per_command_timeout();
    auto cluster = ctx.cluster();
    const auto report = ops::read_tunnels(make_session(ctx, *cluster), opt->nodes, opt->concurrency, timeout);
    ctx.out << output::render_tunnels(report, output::parse_format(opt->output));
    if (!ipsec::report_trustworthy(report)) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
