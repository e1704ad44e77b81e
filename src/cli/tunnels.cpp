// `tunnels`: every node's IPsec tunnels from ovs-monitor-ipsec, fetched concurrently, as one table.
#include "cli/app.hpp"
#include "cli/help.hpp"
#include "cli/common_options.hpp"
#include "cli/collect_tunnels.hpp"
#include "cli/discovery.hpp"
#include "cli/sb_chassis.hpp"
#include "output/format.hpp"
#include "output/render_tunnels.hpp"
#include "util/error.hpp"

#include <algorithm>
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
    const auto found = discover_nodes(*cluster, ctx.plugin_namespace(), {},
                                      [&ctx](const std::string& line) { ctx.log(1, line); });
    // With --node, the other nodes matter only as names for remote chassis: one SB read
    // replaces asking each of them.
    std::vector<ipsec::Chassis> known;
    if (!opt->nodes.empty()) {
      std::vector<std::string> names;
      for (const auto& node : found.nodes) {
        names.push_back(node.node);
      }
      known = read_sb_chassis(*cluster, ctx, ctx.plugin_namespace(), names, timeout);
    }
    const auto report = collect_tunnels(*cluster, found, opt->nodes, opt->concurrency, timeout, known);
    for (const auto& warning : ipsec::report_warnings(report)) {
      ctx.log(1, "warning: " + warning);
    }
    ctx.out << output::render_tunnels(report, output::parse_format(opt->output));
    if (!ipsec::report_trustworthy(report)) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
