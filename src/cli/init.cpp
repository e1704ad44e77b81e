// `init`: a certificate for every node from the cluster's IPsec CA, safely and repeatably.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/ipsec_switch.hpp"
#include "cli/session.hpp"
#include "ops/init.hpp"
#include "output/format.hpp"
#include "output/render_init.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <ostream>

namespace cli {

namespace {

// The flags bind straight into the ops request, so its defaults are the only ones; the fan-out
// flags are shared with the other commands and copied in at run time.
struct InitOptions {
  NodeFanoutOptions fanout;
  ops::InitRequest request;
  bool enable = false;
};

void
run_init(const AppContext& ctx, const InitOptions& opt)
{
  const auto format = opt.fanout.output_options().format();
  const auto timeout = opt.fanout.per_command_timeout();
  ops::InitRequest request = opt.request;
  if (request.cert_days < 1 || request.renew_before_days < 0 || request.renew_before_days >= request.cert_days) {
    throw util::UsageError("--cert-days must be at least 1 and larger than --renew-before (>= 0)");
  }
  request.only_nodes = opt.fanout.nodes;
  request.concurrency = opt.fanout.workers();
  request.timeout = timeout;
  auto cluster = ctx.cluster(util::Deadline::never(), opt.fanout.concurrency);
  const auto report = ops::init_nodes(make_session(ctx, *cluster), request);
  ctx.out << output::render_init(report, format);
  const bool failed = std::any_of(report.nodes.begin(), report.nodes.end(),
                                  [](const ipsec::InitNodeResult& node) { return !node.error.empty(); });
  if (failed) {
    throw util::ExitStatus(1);
  }
  if (opt.enable && !request.dry_run) {
    SwitchOptions on;
    on.wait = true;
    on.concurrency = opt.fanout.concurrency;
    on.exec_timeout = timeout;
    switch_ipsec(ctx, true, on);
  }
}

} // namespace

void
register_init(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<InitOptions>();
  CLI::App* sub = root.add_subcommand("init", "Give every node an IPsec certificate from the cluster's CA");
  add_node_fanout_options(sub, opt->fanout, {output::Printer::table, output::Printer::json, output::Printer::yaml});
  auto& request = opt->request;
  sub->add_option("--ca-cert", request.ca_cert_file, "Import this CA certificate (PEM) instead of creating a CA");
  sub->add_option("--ca-key", request.ca_key_file, "The key of --ca-cert (PEM, RSA)");
  sub->add_option("--cert-days", request.cert_days,
                  fmt::format("Validity of the node certificates in days (default {})", request.cert_days));
  sub->add_option(
      "--renew-before", request.renew_before_days,
      fmt::format("Reissue certificates with this many days or fewer left (default {})", request.renew_before_days));
  sub->add_option("--key-bits", request.key_bits,
                  fmt::format("RSA key size the nodes generate (default {})", request.key_bits))
      ->check(CLI::IsMember({2048, 3072, 4096}));
  sub->add_flag("--force", request.force, "Reissue every certificate; go ahead even where Kube-OVN signs them itself");
  sub->add_flag("--dry-run", request.dry_run, "Show what would be done on each node and change nothing");
  sub->add_flag("--enable", opt->enable, "Turn IPsec on at the end and wait for the tunnels (as `on --wait`)");
  set_examples(
      sub, ctx.invoked_as,
      {{"Certificates for every node (creates the CA on first use)", "{cmd} init"},
       {"What would happen, changing nothing", "{cmd} init --dry-run"},
       {"Import an existing CA, enroll, and turn IPsec on", "{cmd} init --ca-cert ca.pem --ca-key ca.key --enable"},
       {"A new node only", "{cmd} init --node kube-ovn-worker3"}},
      "The CA is kept in Secret ovn-ipsec-ca (keys cacert, cakey) in Kube-OVN's namespace, as Kube-OVN >= "
      "1.13 reads it. Each node makes its own key; only its certificate request leaves the node. Nodes "
      "with a valid certificate from this CA are skipped, so running init again finishes what failed.");
  sub->callback([opt, &ctx] { run_init(ctx, *opt); });
}

} // namespace cli
