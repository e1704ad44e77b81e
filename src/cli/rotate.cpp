// `rotate certs` (new node certificates from the cluster's CA) and `rotate ca` (a new CA), without an
// outage.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "ops/command_deadline.hpp"
#include "ops/nb_flag.hpp"
#include "ops/rotate_ca.hpp"
#include "ops/rotate_certs.hpp"
#include "ops/wait_goal.hpp"
#include "output/format.hpp"
#include "output/render_init.hpp"
#include "output/render_rotate_ca.hpp"
#include "output/render_switch.hpp"
#include "util/deadline.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <ostream>

namespace cli {

namespace {

struct RotateCertsOptions {
  NodeFanoutOptions fanout;
  ops::RotateCertsRequest request;
  std::string before;
  bool no_wait = false;
  std::string wait_timeout = "5m";
};

bool
renewed_any(const ipsec::InitReport& report)
{
  return std::any_of(report.nodes.begin(), report.nodes.end(), [](const ipsec::InitNodeResult& node) {
    return node.error.empty() && node.decided && ipsec::needs_certificate(node.action);
  });
}

void
run_rotate_certs(const AppContext& ctx, const RotateCertsOptions& opt)
{
  const auto format = opt.fanout.output_options().format();
  ops::RotateCertsRequest request = opt.request;
  request.only_nodes = opt.fanout.nodes;
  request.concurrency = opt.fanout.concurrency;
  request.timeout = opt.fanout.per_command_timeout();
  if (!opt.before.empty()) {
    request.before_days = util::parse_days(opt.before, "--before");
  }
  if (request.cert_days < 1 || request.before_days.value_or(0) >= request.cert_days) {
    throw util::UsageError("--cert-days must be at least 1 and longer than --before");
  }
  const auto wait_timeout = util::parse_duration(opt.wait_timeout, "--wait-timeout");
  auto cluster = ctx.cluster();
  const auto session = make_session(ctx, *cluster);
  const auto report = ops::rotate_certs(session, request);
  ctx.out << output::render_init(report, format);
  const bool failed = std::any_of(report.nodes.begin(), report.nodes.end(),
                                  [](const ipsec::InitNodeResult& node) { return !node.error.empty(); });
  if (failed) {
    throw util::ExitStatus(1);
  }
  if (report.kube_ovn_owner || request.dry_run || opt.no_wait || !renewed_any(report)) {
    return;
  }
  // Each new certificate re-keyed its node's tunnels: done when every tunnel is CONFIGURED again.
  // With IPsec off there are no tunnels to wait for.
  const auto leader = ops::find_leader(session, 3);
  if (!ops::read_flag(session.cluster, leader, request.timeout)) {
    return;
  }
  const auto waiting = make_session(
      ctx, *cluster,
      ops::CommandDeadline{wait_timeout.count() > 0 ? util::Deadline::after(wait_timeout) : util::Deadline::never(),
                           opt.wait_timeout});
  const auto waited = ops::wait_for_nodes(waiting, ipsec::WaitGoal::configured, request.concurrency, request.timeout);
  if (!waited.reached) {
    ctx.err << output::render_wait_timeout(waited, opt.wait_timeout);
    throw util::ExitStatus(1);
  }
  if (format == output::Format::table) {
    ctx.out << output::render_wait_done(waited);
  }
}

void
register_rotate_certs(CLI::App* rotate, AppContext& ctx)
{
  auto opt = std::make_shared<RotateCertsOptions>();
  opt->fanout.concurrency = ops::k_rotate_concurrency;
  CLI::App* sub = rotate->add_subcommand("certs", "New IPsec certificates for the nodes from the cluster's CA");
  add_node_fanout_options(sub, opt->fanout, {output::Printer::table, output::Printer::json, output::Printer::yaml});
  auto& request = opt->request;
  sub->add_option("--before", opt->before,
                  "Only certificates expiring within this many days (e.g. 30d); default: every certificate");
  sub->add_option("--cert-days", request.cert_days,
                  fmt::format("Validity of the new certificates in days (default {})", request.cert_days));
  sub->add_option("--key-bits", request.key_bits,
                  fmt::format("RSA key size the nodes generate (default {})", request.key_bits))
      ->check(CLI::IsMember({2048, 3072, 4096}));
  sub->add_flag("--dry-run", request.dry_run, "Show which nodes would get a new certificate and change nothing");
  sub->add_flag("--no-wait", opt->no_wait, "Do not wait for every tunnel to be CONFIGURED again");
  sub->add_option("--wait-timeout", opt->wait_timeout, "How long to wait for the tunnels afterwards (default 5m)");
  set_examples(sub, ctx.invoked_as,
               {{"A new certificate for every node", "{cmd} rotate certs"},
                {"Only those that expire within 30 days", "{cmd} rotate certs --before 30d"},
                {"What would be renewed", "{cmd} rotate certs --before 60d --dry-run"}},
               fmt::format("Each node makes its new key itself and gets its certificate from Secret ovn-ipsec-ca's CA; "
                           "strongSwan and ovs-monitor-ipsec reload it, which re-keys that node's tunnels. "
                           "--concurrency nodes at a time (default {}), then it waits until every tunnel is "
                           "CONFIGURED. On Kube-OVN >= 1.13 kube-ovn-cni renews certificates itself: nothing is "
                           "changed and it says how.",
                           ops::k_rotate_concurrency));
  sub->callback([opt, &ctx] { run_rotate_certs(ctx, *opt); });
}

struct RotateCaOptions {
  NodeFanoutOptions fanout;
  ops::RotateCaRequest request;
  bool no_wait = false;
  std::string wait_timeout = "5m";
};

void
run_rotate_ca(const AppContext& ctx, const RotateCaOptions& opt)
{
  const auto format = opt.fanout.output_options().format();
  ops::RotateCaRequest request = opt.request;
  request.concurrency = opt.fanout.concurrency;
  request.timeout = opt.fanout.per_command_timeout();
  request.wait = !opt.no_wait;
  request.wait_timeout = util::parse_duration(opt.wait_timeout, "--wait-timeout");
  request.wait_timeout_text = opt.wait_timeout;
  if (request.cert_days < 1) {
    throw util::UsageError("--cert-days must be at least 1");
  }
  auto cluster = ctx.cluster();
  const auto session = make_session(ctx, *cluster);
  const bool table = format == output::Format::table || format == output::Format::wide;
  bool planned = false;
  // The plan, then each step as it ends: a rotation of many nodes takes minutes.
  const auto report = ops::rotate_ca(session, request, [&](const ipsec::CaRotationReport& r, size_t step_index) {
    if (!table) {
      return;
    }
    if (!planned) {
      ctx.out << output::render_ca_plan(r);
      planned = true;
    }
    ctx.out << output::render_ca_step(r, step_index) << std::flush;
  });
  if (table && !planned) {
    ctx.out << output::render_ca_plan(report);
  }
  ctx.out << output::render_ca_end(report, format);
  if (!report.kube_ovn_owner && !report.dry_run && !report.completed) {
    throw util::ExitStatus(1);
  }
}

void
register_rotate_ca(CLI::App* rotate, AppContext& ctx)
{
  auto opt = std::make_shared<RotateCaOptions>();
  opt->fanout.concurrency = ops::k_rotate_concurrency;
  CLI::App* sub = rotate->add_subcommand("ca", "Replace the IPsec CA without an outage");
  add_node_fanout_options(sub, opt->fanout, {output::Printer::table, output::Printer::json, output::Printer::yaml},
                          false);
  auto& request = opt->request;
  sub->add_option("--ca-cert", request.ca_cert_file, "The new CA's certificate (PEM); default: a new CA is made");
  sub->add_option("--ca-key", request.ca_key_file, "The new CA's private key (PEM), with --ca-cert");
  sub->add_option("--cert-days", request.cert_days,
                  fmt::format("Validity of the nodes' new certificates in days (default {})", request.cert_days));
  sub->add_option("--key-bits", request.key_bits,
                  fmt::format("RSA key size the nodes generate (default {})", request.key_bits))
      ->check(CLI::IsMember({2048, 3072, 4096}));
  sub->add_flag("--abort", request.abort,
                "Roll back a rotation that has not swapped the Secret's CA yet: every node back on the old CA");
  sub->add_flag("--dry-run", request.dry_run, "Show the steps it would run and change nothing");
  sub->add_flag("--no-wait", opt->no_wait, "Do not wait for every tunnel to be CONFIGURED after each step");
  sub->add_option("--wait-timeout", opt->wait_timeout, "How long each wait for the tunnels may take (default 5m)");
  set_examples(
      sub, ctx.invoked_as,
      {{"Replace the CA with a new one made here", "{cmd} rotate ca"},
       {"The steps it would run", "{cmd} rotate ca --dry-run"},
       {"Move to a CA from your own PKI", "{cmd} rotate ca --ca-cert new-ca.pem --ca-key new-ca.key"},
       {"Resume an interrupted rotation", "{cmd} rotate ca"},
       {"Roll back an interrupted rotation", "{cmd} rotate ca --abort"}},
      "In three phases, each recorded in Secret ovn-ipsec-ca before it starts so that an interrupted run resumes "
      "(or, before the swap, rolls back with --abort): every node trusts both CAs (strongSwan must list the new one), "
      "every node gets a certificate from the new CA, then the Secret's CA is swapped and every node trusts the "
      "new one only. After each step it waits until every tunnel is CONFIGURED. No two nodes ever distrust each "
      "other; each node's tunnels re-key once. Every node takes part (no --node): a node that fails stops the "
      "run there. On Kube-OVN >= 1.13 nothing is changed and it says how Kube-OVN rotates its CA.");
  sub->callback([opt, &ctx] { run_rotate_ca(ctx, *opt); });
}

} // namespace

void
register_rotate(CLI::App& root, AppContext& ctx)
{
  CLI::App* rotate = root.add_subcommand("rotate", "Renew the nodes' IPsec certificates or the CA without an outage");
  rotate->require_subcommand(1);
  set_examples(
      rotate, ctx.invoked_as,
      {{"New certificates for the nodes whose certificate expires within 30 days", "{cmd} rotate certs --before 30d"},
       {"A new CA, every node moved to it", "{cmd} rotate ca"}});
  register_rotate_certs(rotate, ctx);
  register_rotate_ca(rotate, ctx);
}

} // namespace cli
