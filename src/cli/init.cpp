// `init`: a certificate for every node from the cluster's IPsec CA, safely and repeatably.
#include "cli/app.hpp"
#include "cli/common_options.hpp"
#include "cli/discovery.hpp"
#include "cli/help.hpp"
#include "cli/init_ca.hpp"
#include "cli/init_node.hpp"
#include "cli/ipsec_switch.hpp"
#include "cli/nb_leader.hpp"
#include "ipsec/ca_secret.hpp"
#include "ipsec/nb_flag.hpp"
#include "output/format.hpp"
#include "output/render_init.hpp"
#include "pki/certificate_info.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>
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

// Kube-OVN >= 1.13 with --enable-ovn-ipsec=true enrolls nodes through its own signer.
void
refuse_if_kube_ovn_signs(kube::Cluster& cluster, const std::string& ns, bool force, const AppContext& ctx)
{
  const auto owner = flag_owner(cluster, ns);
  if (!owner || !owner->value) {
    return;
  }
  if (!force) {
    throw util::Error(fmt::format(
        "Kube-OVN signs the IPsec certificates itself here: pod {}/{} runs with --enable-ovn-ipsec=true, so each "
        "kube-ovn-cni pod requests its certificate from kube-ovn-controller. Nothing was changed; use --force to "
        "install certificates anyway",
        ns, owner->pod));
  }
  ctx.err << "warning: --force: installing certificates beside Kube-OVN's own signer\n";
}

// "\r[#####-----] 5/10 nodes" on a terminal.
class Progress {
public:
  Progress(const AppContext& ctx, size_t total) : m_ctx(ctx), m_total(total) {}
  void step()
  {
    if (!m_ctx.err_is_terminal) {
      return;
    }
    std::lock_guard lock(m_mutex);
    ++m_done;
    const size_t width = 20;
    const size_t filled = m_total == 0 ? width : m_done * width / m_total;
    m_ctx.err << "\r[" << std::string(filled, '#') << std::string(width - filled, '-') << "] " << m_done << "/"
              << m_total << " nodes" << (m_done == m_total ? "\n" : "") << std::flush;
  }

private:
  const AppContext& m_ctx;
  size_t m_total;
  size_t m_done = 0;
  std::mutex m_mutex;
};

void
run_init(const AppContext& ctx, const InitOptions& opt)
{
  const auto format = output::parse_format(opt.fanout.output);
  const auto timeout = opt.fanout.per_command_timeout();
  if (opt.cert_days < 1 || opt.renew_before < 0 || opt.renew_before >= opt.cert_days) {
    throw util::UsageError("--cert-days must be at least 1 and larger than --renew-before (>= 0)");
  }
  auto cluster = ctx.cluster();
  const std::string ns = ctx.plugin_namespace();
  refuse_if_kube_ovn_signs(*cluster, ns, opt.force, ctx);
  const auto now = std::chrono::system_clock::now();
  const auto ca_choice = obtain_ca(*cluster, ns, opt.ca_cert, opt.ca_key, opt.dry_run, now);
  const auto ca = pki::load_ca(ca_choice.pem.cert, ca_choice.pem.key,
                               fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name), now);
  const auto found = discover_nodes(*cluster, ns, opt.fanout.nodes, [&ctx](const std::string& line) { ctx.log(1, line); });

  InitSettings settings{ca, timeout, opt.cert_days, opt.renew_before, opt.key_bits, opt.force, opt.dry_run, now};
  output::InitReport report;
  report.ca_ref = fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name);
  report.ca_origin = ca_choice.origin;
  report.ca_subject = pki::inspect_certificate(ca.cert_pem, "CA certificate").subject;
  report.dry_run = opt.dry_run;
  report.nodes.resize(found.nodes.size());
  Progress progress(ctx, found.nodes.size());
  util::parallel_for(found.nodes.size(), opt.fanout.concurrency, [&](size_t i) {
    report.nodes[i] = init_node(*cluster, found.nodes[i], settings);
    progress.step();
  });
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
