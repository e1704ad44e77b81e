// `status`: one screen saying whether IPsec is on and working on every node; `--watch` again and
// again until Ctrl-C.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ipsec/node_status.hpp"
#include "ops/node_status.hpp"
#include "ops/watch.hpp"
#include "output/render_status.hpp"
#include "output/watch_view.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"
#include "util/terminal_text.hpp"

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
             const output::OutputOptions& format, std::chrono::milliseconds interval, const std::string& interval_text)
{
  if (!format.is_table()) {
    throw util::UsageError("--watch redraws the table (-o wide too); for a script, poll `status -o json`");
  }
  if (interval < std::chrono::milliseconds(500)) {
    throw util::UsageError("--interval must be at least 500ms");
  }
  util::InterruptScope ctrl_c;
  output::WatchView view(ctx.out_is_terminal, fmt::format("Every {}: {} status", interval_text, ctx.invoked_as));
  const auto start = std::chrono::steady_clock::now();
  return ops::watch({interval, ctx.sleep, ctx.interrupted}, [&] {
    output::WatchFrame frame;
    int code = 1;
    try {
      const auto report = ops::read_status(session, request);
      frame = view.frame(output::render_status(report, format), table_rows(report, format),
                         ipsec::status_summary(report), std::chrono::steady_clock::now() - start);
      code = ipsec::status_exit_code(report);
    } catch (const util::Error& e) {
      // Once it runs, a watch outlives a blip of the API server or of ovn-central: say it and
      // poll again. The first poll failing (wrong namespace, no access) ends it, as `status`.
      if (!view.shown_any() || dynamic_cast<const util::UsageError*>(&e) != nullptr) {
        throw;
      }
      frame = view.failed(e.what(), std::chrono::steady_clock::now() - start);
    }
    if (frame.clear_screen) {
      util::write_terminal_control(ctx.out, "\033[H\033[2J");
    }
    ctx.out << frame.text << std::flush;
    return code;
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
  sub->add_flag("-w,--watch", opt->watch,
                "Poll again and again: one screen redrawn on a terminal, changed rows appended on a pipe; Ctrl-C "
                "stops with the last poll's exit code");
  sub->add_option("--interval", opt->interval, "Time between polls with --watch (default 2s)");
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
      code = watch_status(ctx, session, request, format, interval, opt->interval);
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
