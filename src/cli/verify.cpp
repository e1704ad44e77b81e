// `verify`: proof on the wire that node-to-node Geneve is encrypted (the seed's tcpdump step).
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ops/verify.hpp"
#include "output/output_options.hpp"
#include "output/render_verify.hpp"
#include "util/deadline.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace cli {

namespace {

struct VerifyFlags {
  std::vector<std::string> nodes;
  std::string output = "table";
  std::string duration = "2s";
  std::string timeout = "2m";
  size_t concurrency = ops::VerifyOptions{}.concurrency;
};

const std::vector<output::Printer> k_verify_printers{output::Printer::table, output::Printer::wide,
                                                     output::Printer::json, output::Printer::yaml};

} // namespace

void
register_verify(CLI::App& root, AppContext& ctx)
{
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* sub = root.add_subcommand(
      "verify", "Prove on the wire that node-to-node traffic is encrypted: ESP out, no Geneve in the clear, MTU");
  sub->add_option("--node", flags->nodes, "Only the pairs with this node on either end; repeat for more");
  sub->add_option("--duration", flags->duration, "How long each node captures while it sends (default 2s)");
  add_output_option(sub, flags->output, k_verify_printers);
  sub->add_option("--concurrency", flags->concurrency,
                  fmt::format("How many nodes probe at once (default {})", flags->concurrency))
      ->check(CLI::Range(1, 100));
  sub->add_option("--timeout", flags->timeout, "Deadline for the whole verification (default 2m)");
  set_examples(
      sub, ctx.invoked_as,
      {{"Every node pair: ESP counted, cleartext Geneve captured, full-MTU packet sent", "{cmd} verify"},
       {"Only the pairs with one node, capturing for 5 seconds", "{cmd} verify --node kube-ovn-worker --duration 5s"},
       {"As JSON, for a script (exit code 0 only when every pair is encrypted)", "{cmd} verify -o json"}},
      "On each node's Kube-OVN pod it reads the outbound ESP SA counters, captures outgoing Geneve and ESP with "
      "tcpdump for --duration while sending ICMP echoes from its ovn0 to every peer's ovn0, then one DF echo of "
      "ovn0's MTU. Nothing keeps running afterwards. Exit code 0 only when every pair is encrypted, none leaks "
      "and the MTU crosses.");
  sub->callback([flags, &ctx] {
    ops::VerifyOptions options;
    options.only_nodes = flags->nodes;
    options.window = util::parse_duration(flags->duration, "--duration");
    if (options.window < std::chrono::milliseconds(500) || options.window > std::chrono::minutes(5)) {
      throw util::UsageError("--duration must be between 500ms and 5m");
    }
    options.timeout = util::parse_duration(flags->timeout, "--timeout");
    options.concurrency = flags->concurrency;
    const auto format = output::parse_output(flags->output, k_verify_printers).format();
    auto cluster = ctx.cluster(util::Deadline::after(options.timeout)); // --timeout bounds the whole command
    const auto report = ops::run_verify(make_session(ctx, *cluster), options);
    ctx.out << output::render_verify(report, format);
    if (!ipsec::verify_passed(report)) {
      throw util::ExitStatus(1);
    }
  });
}

} // namespace cli
