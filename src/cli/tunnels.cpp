// `tunnels`: every node's IPsec tunnels from ovs-monitor-ipsec, fetched concurrently, as one table.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "cli/watch_screen.hpp"
#include "ops/tunnels_stream.hpp"
#include "output/format.hpp"
#include "output/tunnels_printer.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <sstream>

namespace cli {

namespace {

// Beyond this many rows a listing is more than a person reads (60 nodes make 3,540).
constexpr size_t k_long_listing = 1000;
// A watch compares each poll's rows with the last poll's and keeps both: past this many (a
// 100-node mesh) a poll's screen is not read either, and a 1,000-node mesh would hold ~600 MB.
constexpr size_t k_watch_rows = 10000;

// Hands each node's tunnels, as they are parsed, to its part of the printed output.
class PrintedNode : public ops::NodeConsumer {
public:
  PrintedNode(output::TunnelsPrinter& printer, const std::string& node, const ipsec::ChassisNames& names)
      : m_printer(printer), m_part(printer, node, names)
  {}
  void tunnel(ipsec::Tunnel&& tunnel) override { m_part.add(tunnel); }
  Done finish(const ipsec::NodeTunnelsResult& node) override
  {
    auto piece = std::make_shared<output::TunnelsPiece>(m_part.finish(node));
    const bool trustworthy = piece->trustworthy;
    return {[&printer = m_printer, piece] { printer.write(std::move(*piece)); }, trustworthy};
  }

private:
  output::TunnelsPrinter& m_printer;
  output::TunnelsPrinter::NodePart m_part;
};

struct TunnelsOptions {
  NodeFanoutOptions fanout;
  bool summary = false;
  bool watch = false;
  std::string interval = "2s";
};

// What one listing printed, besides its text.
struct Listed {
  bool trustworthy = false;
  size_t rows = 0;        // the table's rows, listed or not
  size_t listed_rows = 0; // the rows the table lists
  std::string summary;    // see TunnelsPrinter::summary_line
};

// Every node's tunnels to `out`, each node printed once the nodes before it are: nothing holds
// every node's tunnels.
Listed
list_tunnels(const ops::Session& session, const TunnelsOptions& opt, const output::OutputOptions& format,
             std::ostream& out)
{
  output::TunnelsPrinter printer(format, out, opt.summary ? output::TableRows::summary : output::TableRows::all);
  const bool trustworthy = ops::stream_tunnels(
      session,
      {opt.fanout.nodes, opt.fanout.workers(), opt.fanout.per_command_timeout(), printer.held_bytes_per_tunnel()},
      [&printer](const std::string& node, const ipsec::ChassisNames& names) {
        return std::make_unique<PrintedNode>(printer, node, names);
      });
  printer.finish();
  return {trustworthy, printer.rows(), printer.listed_rows(), printer.summary_line()};
}

int
watch_tunnels(const AppContext& ctx, const ops::Session& session, const TunnelsOptions& opt,
              const output::OutputOptions& format)
{
  const auto interval = util::parse_duration(opt.interval, "--interval");
  check_watch(format, interval, "tunnels -o json");
  // A row is a tunnel (or a peer missing one): known by its node, remote node and interface.
  output::WatchView view(ctx.out_is_terminal,
                         fmt::format("Every {}: {} tunnels", util::format_duration(interval), ctx.invoked_as), 3);
  return run_watch(ctx, view, interval, [&] {
    std::ostringstream text;
    const auto listed = list_tunnels(session, opt, format, text);
    if (listed.listed_rows > k_watch_rows) {
      throw util::UsageError(fmt::format("tunnels --watch compares at most {} rows a poll, and this one listed {}: "
                                         "watch `tunnels --summary --watch`, or a few nodes with --node",
                                         k_watch_rows, listed.listed_rows));
    }
    WatchRound round{text.str(), {}, listed.summary, listed.trustworthy ? 0 : 1};
    const auto lines = util::split(round.screen, '\n');
    const size_t first = !format.table.no_headers && listed.listed_rows > 0 ? 1 : 0;
    for (size_t i = first; i < lines.size() && i < first + listed.listed_rows; ++i) {
      round.rows.push_back(lines[i]);
    }
    return round;
  });
}

} // namespace

void
register_tunnels(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<TunnelsOptions>();
  CLI::App* sub = root.add_subcommand("tunnels", "Show every node's IPsec tunnels as ovs-monitor-ipsec sees them");
  add_node_fanout_options(sub, opt->fanout,
                          {output::Printer::table, output::Printer::wide, output::Printer::json, output::Printer::yaml,
                           output::Printer::name, output::Printer::jsonpath});
  add_listing_options(sub, opt->fanout);
  sub->add_flag("--summary", opt->summary,
                "Only the rows that are not right (not CONFIGURED, missing, unreadable), then a count of every STATE");
  add_watch_options(sub, opt->watch, opt->interval);
  set_examples(sub, ctx.invoked_as,
               {{"Every tunnel of every node", "{cmd} tunnels"},
                {"One node, every field", "{cmd} tunnels --node kube-ovn-worker -o wide"},
                {"As JSON, for a script", "{cmd} tunnels -o json"},
                {"A big cluster: only what is not right", "{cmd} tunnels --summary"},
                {"Watch one node's tunnels come up", "{cmd} tunnels --node kube-ovn-worker --watch"}});
  sub->callback([opt, &ctx] {
    const auto format = opt->fanout.output_options();
    const bool table = format.is_table();
    if (opt->summary && !table) {
      throw util::UsageError("--summary is for the table (-o table or wide); -o json has every row for a script");
    }
    auto cluster = ctx.cluster(util::Deadline::never(), opt->fanout.concurrency);
    const auto session = make_session(ctx, *cluster);
    if (opt->watch) {
      if (const int code = watch_tunnels(ctx, session, *opt, format); code != 0) {
        throw util::ExitStatus(code);
      }
      return;
    }
    const auto listed = list_tunnels(session, *opt, format, ctx.out);
    if (table && !opt->summary && listed.rows > k_long_listing) {
      ctx.err << fmt::format("({} rows: `tunnels --summary` lists only what is not right)\n", listed.rows);
    }
    if (!listed.trustworthy) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
