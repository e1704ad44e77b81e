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

#include <algorithm>
#include <memory>
#include <ostream>

namespace cli {

namespace {

struct InitOptions {
  NodeFanoutOptions fanout;
  std::string ca_cert;
  std::string ca_key;
  int cert_days = 730;
  int renew_before = 30;
  int key_bits = 3072;
  bool force = false;
  bool dry_run = false;
  bool enable = false;
};

void
run_init(const AppContext& ctx, const InitOptions& opt)
{
  const auto format = output::parse_format(opt.fanout.output);
  const auto timeout = opt.fanout.per_command_timeout();
  if (opt.cert_days < 1 || opt.renew_before < 0 || opt.renew_before >= opt.cert_days) {
    throw util::UsageError("--cert-days must be at least 1 and larger than --renew-before (>= 0)");
  }
  ops::InitRequest request;
  request.only_nodes = opt.fanout.nodes;
  request.concurrency = opt.fanout.concurrency;
  request.timeout = timeout;
  request.ca_cert_file = opt.ca_cert;
  request.ca_key_file = opt.ca_key;
  request.cert_days = opt.cert_days;
  request.renew_before_days = opt.renew_before;
  request.key_bits = opt.key_bits;
  request.force = opt.force;
  request.dry_run = opt.dry_run;
  auto cluster = ctx.cluster();
  const auto report = ops::init_nodes(make_session(ctx, *cluster), request);
  ctx.out << output::render_init(report, format);
  const bool failed = std::any_of(report.nodes.begin(), report.nodes.end(),
                                  [](const ipsec::InitNodeResult& node) { return !node.error.empty(); });
  if (failed) {
    throw util::ExitStatus(1);
  }
  if (opt.enable && !opt.dry_run) {
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
  add_node_fanout_options(sub, opt->fanout, "table|json|yaml");
  sub->add_option("--ca-cert", opt->ca_cert, "Import this CA certificate (PEM) instead of creating a CA");
  sub->add_option("--ca-key", opt->ca_key, "The key of --ca-cert (PEM, RSA)");
  sub->add_option("--cert-days", opt->cert_days, "Validity of the node certificates in days (default 730)");
  sub->add_option("--renew-before", opt->renew_before,
                  "Reissue certificates with this many days or fewer left (default 30)");
  sub->add_option("--key-bits", opt->key_bits, "RSA key size the nodes generate (default 3072)")
      ->check(CLI::IsMember({2048, 3072, 4096}));
  sub->add_flag("--force", opt->force, "Reissue every certificate; go ahead even where Kube-OVN signs them itself");
  sub->add_flag("--dry-run", opt->dry_run, "Show what would be done on each node and change nothing");
  sub->add_flag("--enable", opt->enable, "Turn IPsec on at the end and wait for the tunnels (as `on --wait`)");
  set_examples(sub, ctx.invoked_as,
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
