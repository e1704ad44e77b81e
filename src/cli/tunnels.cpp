// `tunnels`: every node's IPsec tunnels from ovs-monitor-ipsec, fetched concurrently, as one table.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ops/tunnels_stream.hpp"
#include "output/format.hpp"
#include "output/tunnels_printer.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace cli {

namespace {

// Beyond this many rows a listing is more than a person reads (60 nodes make 3,540).
constexpr size_t k_long_listing = 1000;

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

} // namespace

void
register_tunnels(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<NodeFanoutOptions>();
  auto summary = std::make_shared<bool>(false);
  CLI::App* sub = root.add_subcommand("tunnels", "Show every node's IPsec tunnels as ovs-monitor-ipsec sees them");
  add_node_fanout_options(sub, *opt,
                          {output::Printer::table, output::Printer::wide, output::Printer::json, output::Printer::yaml,
                           output::Printer::name, output::Printer::jsonpath});
  add_listing_options(sub, *opt);
  sub->add_flag("--summary", *summary,
                "Only the rows that are not right (not CONFIGURED, missing, unreadable), then a count of every STATE");
  set_examples(sub, ctx.invoked_as,
               {{"Every tunnel of every node", "{cmd} tunnels"},
                {"One node, every field", "{cmd} tunnels --node kube-ovn-worker -o wide"},
                {"As JSON, for a script", "{cmd} tunnels -o json"},
                {"A big cluster: only what is not right", "{cmd} tunnels --summary"}});
  sub->callback([opt, summary, &ctx] {
    const auto format = opt->output_options();
    const bool table = format.is_table();
    if (*summary && !table) {
      throw util::UsageError("--summary is for the table (-o table or wide); -o json has every row for a script");
    }
    auto cluster = ctx.cluster(util::Deadline::never(), opt->concurrency);
    output::TunnelsPrinter printer(format, ctx.out, *summary ? output::TableRows::summary : output::TableRows::all);
    // Each node is printed once the nodes before it are: nothing holds every node's tunnels.
    const bool trustworthy =
        ops::stream_tunnels(make_session(ctx, *cluster),
                            {opt->nodes, opt->workers(), opt->per_command_timeout(), printer.held_bytes_per_tunnel()},
                            [&printer](const std::string& node, const ipsec::ChassisNames& names) {
                              return std::make_unique<PrintedNode>(printer, node, names);
                            });
    printer.finish();
    if (table && !*summary && printer.rows() > k_long_listing) {
      ctx.err << fmt::format("({} rows: `tunnels --summary` lists only what is not right)\n", printer.rows());
    }
    if (!trustworthy) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
