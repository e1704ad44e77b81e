// `nodes`: each node's Kube-OVN pod (where ovs-monitor-ipsec runs) and its OVN chassis name.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ops/node_report.hpp"
#include "output/format.hpp"
#include "output/render_nodes.hpp"
#include "util/error.hpp"

#include <memory>
#include <ostream>

namespace cli {

void
register_nodes(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<NodeFanoutOptions>();
  CLI::App* sub = root.add_subcommand(
      "nodes", "List each node's Kube-OVN pod (where ovs-monitor-ipsec runs) and its OVN chassis name");
  add_node_fanout_options(sub, *opt,
                          {output::Printer::table, output::Printer::json, output::Printer::yaml, output::Printer::name,
                           output::Printer::jsonpath});
  add_listing_options(sub, *opt);
  set_examples(sub, ctx.invoked_as,
               {{"Which pod and chassis each node has", "{cmd} nodes"},
                {"Two nodes, as JSON", "{cmd} nodes --node node1 --node node2 -o json"}});
  sub->callback([opt, &ctx] {
    const auto timeout = opt->per_command_timeout();
    const auto format = opt->output_options();
    auto cluster = ctx.cluster(util::Deadline::never(), opt->concurrency);
    const auto report = ops::read_nodes(make_session(ctx, *cluster), opt->nodes, opt->workers(), timeout);
    ctx.out << output::render_nodes(report, format);
    if (!report.all_ok()) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
