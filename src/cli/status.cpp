// `status`: one screen saying whether IPsec is on and working on every node.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ipsec/node_status.hpp"
#include "ops/node_status.hpp"
#include "output/format.hpp"
#include "output/render_status.hpp"
#include "util/error.hpp"

#include <memory>
#include <ostream>

namespace cli {

void
register_status(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<NodeFanoutOptions>();
  CLI::App* sub = root.add_subcommand(
      "status", "Show whether IPsec is on and every node has its tunnels and security associations");
  add_node_fanout_options(sub, *opt, "table|wide|json|yaml");
  set_examples(sub, ctx.invoked_as,
               {{"Is IPsec on and up on every node?", "{cmd} status"},
                {"Two nodes, with pods, chassis and counters", "{cmd} status --node node1 --node node2 -o wide"},
                {"The verdict alone, for a script", "{cmd} status -o json | jq .summary"}},
               "Exit status: 0 when IPsec is on and every node is up, 3 when IPsec is off and no node has an "
               "IPsec tunnel left, 1 otherwise.");
  sub->callback([opt, &ctx] {
    const auto format = output::parse_format(opt->output);
    const ops::StatusRequest request{opt->nodes, opt->concurrency, opt->per_command_timeout(), 3};
    auto cluster = ctx.cluster();
    const auto report = ops::read_status(make_session(ctx, *cluster), request);
    ctx.out << output::render_status(report, format);
    if (const int code = ipsec::status_exit_code(report); code != 0) {
      throw util::ExitStatus(code);
    }
  });
}

} // namespace cli
