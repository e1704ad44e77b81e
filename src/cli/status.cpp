// `status`: one screen saying whether IPsec is on and working on every node; `--watch` again and
// again until Ctrl-C.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "cli/watch_screen.hpp"
#include "ipsec/node_status.hpp"
#include "ops/node_status.hpp"
#include "output/render_status.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace cli {

namespace {

struct StatusOptions {
  NodeFanoutOptions fanout;
  bool watch = false;
  std::string interval = "2s";
};

// The table's rows alone, for --watch to tell what changed.
std::vector<std::string>
table_rows(const ipsec::StatusReport& report, const output::OutputOptions& format)
{
  auto rows_only = format;
  rows_only.table.no_headers = true;
  std::vector<std::string> rows;
  for (auto& line : util::split(output::render_status(report, rows_only), '\n')) {
    if (!line.empty()) {
      rows.push_back(std::move(line));
    }
  }
  return rows;
}

int
watch_status(const AppContext& ctx, const ops::Session& session, const ops::StatusRequest& request,
             const output::OutputOptions& format, std::chrono::milliseconds interval)
{
  check_watch(format, interval, "status -o json");
  output::WatchView view(ctx.out_is_terminal,
                         fmt::format("Every {}: {} status", util::format_duration(interval), ctx.invoked_as));
  return run_watch(ctx, view, interval, [&] {
    const auto report = ops::read_status(session, request);
    return WatchRound{output::render_status(report, format), table_rows(report, format), ipsec::status_summary(report),
                      ipsec::status_exit_code(report)};
  });
}

} // namespace

void
register_status(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<StatusOptions>();
  CLI::App* sub = root.add_subcommand(
      "status", "Show whether IPsec is on and every node has its tunnels and security associations");
  add_node_fanout_options(sub, opt->fanout,
                          {output::Printer::table, output::Printer::wide, output::Printer::json, output::Printer::yaml,
                           output::Printer::name, output::Printer::jsonpath});
  add_listing_options(sub, opt->fanout);
  add_watch_options(sub, opt->watch, opt->interval);
  set_examples(sub, ctx.invoked_as,
               {{"Is IPsec on and up on every node?", "{cmd} status"},
                {"Two nodes, with pods, chassis and counters", "{cmd} status --node node1 --node node2 -o wide"},
                {"Watch it settle after `on`", "{cmd} status --watch"},
                {"The verdict alone, for a script", "{cmd} status -o jsonpath='{.summary.text}'"}},
               "Exit status: 0 when IPsec is on and every node is up, 3 when IPsec is off and no node has an "
               "IPsec tunnel left, 1 otherwise.");
  sub->callback([opt, &ctx] {
    const auto format = opt->fanout.output_options();
    const auto interval = util::parse_duration(opt->interval, "--interval");
    const ops::StatusRequest request{opt->fanout.nodes, opt->fanout.workers(), opt->fanout.per_command_timeout(), 3};
    auto cluster = ctx.cluster(util::Deadline::never(), opt->fanout.concurrency);
    const auto session = make_session(ctx, *cluster);
    int code = 0;
    if (opt->watch) {
      code = watch_status(ctx, session, request, format, interval);
    } else {
      const auto report = ops::read_status(session, request);
      ctx.out << output::render_status(report, format);
      code = ipsec::status_exit_code(report);
    }
    if (code != 0) {
      throw util::ExitStatus(code);
    }
  });
}

} // namespace cli
