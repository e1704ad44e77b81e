#include "ops/init.hpp"

#include "ipsec/ca_rotation.hpp"
#include "ipsec/ca_secret.hpp"
#include "ipsec/chassis_ids.hpp"
#include "ipsec/kube_ovn_pki.hpp"
#include "ops/ca_secret.hpp"
#include "ops/fanout.hpp"
#include "ops/init_node.hpp"
#include "ops/nb_flag.hpp"
#include "ops/progress.hpp"
#include "pki/ca.hpp"
#include "pki/certificate_info.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <ostream>

namespace ops {

// Under this many days of CA lifetime, init warns: every node certificate ends with the CA.
constexpr int k_ca_warn_days = 30;

namespace {

// Kube-OVN >= 1.13 (an --enable-ovn-ipsec flag on its workloads, either value) owns the PKI: with
// true it enrolls every node itself, with false every kube-ovn-cni start removes certificates
// (ipsec/kube_ovn_pki.hpp). init refuses, or with --dry-run says what Kube-OVN does; --force
// installs certificates anyway. nullopt: the plugin's init goes ahead.
std::optional<ipsec::InitReport>
kube_ovn_owns_pki(const Session& session, const InitRequest& request)
{
  const auto owner = flag_owner(session.cluster, session.ns);
  if (!owner) {
    return std::nullopt;
  }
  if (request.force) {
    session.err << "warning: --force: installing certificates beside Kube-OVN's own IPsec (--enable-ovn-ipsec="
                << (owner->value ? "true" : "false") << " on " << owner->pod << ")\n";
    return std::nullopt;
  }
  if (!request.dry_run) {
    throw util::Error(ipsec::init_refusal(*owner, session.ns));
  }
  const bool ca_exists = session.cluster.get_secret(session.ns, std::string(ipsec::k_ca_secret_name)).has_value();
  std::vector<std::string> nodes;
  for (const auto& node : discover_nodes(session, request.only_nodes).nodes) {
    nodes.push_back(node.node);
  }
  ipsec::InitReport report;
  report.dry_run = true;
  report.kube_ovn_owner = owner;
  report.kube_ovn_steps = ipsec::kube_ovn_enrollment(*owner, session.ns, ca_exists, nodes);
  return report;
}

// A node enrolled from the Secret's CA during `rotate ca` would miss the CA the others are moving
// to (or still use): the rotation is finished or rolled back first.
void
refuse_during_ca_rotation(const kube::Secret& secret, const std::string& command)
{
  const auto phase = ipsec::read_rotation(secret).phase;
  if (phase != ipsec::CaPhase::none) {
    throw util::Error(fmt::format("a CA rotation is under way in Secret {}/{} (phase {}): {} would give nodes a "
                                  "certificate outside it. Finish it with `rotate ca`, or roll it back with "
                                  "`rotate ca --abort`, first",
                                  secret.ns, secret.name, ipsec::to_string(phase), command));
  }
}

// "[/] init: 5/10 done (3s)" on a terminal (ops/progress.hpp).
class InitProgress {
public:
  InitProgress(const Session& session, size_t total, std::string what)
      : m_progress(session, std::move(what)), m_total(total)
  {
    m_progress.update(fmt::format("0/{} done", m_total));
  }
  void step() { m_progress.update(fmt::format("{}/{} done", ++m_done, m_total)); }

private:
  Progress m_progress;
  size_t m_total;
  std::atomic<size_t> m_done{0};
};

} // namespace

std::vector<NodeChassis>
read_node_chassis(const Session& session, const std::vector<ipsec::NodeTarget>& nodes, size_t concurrency,
                  std::chrono::milliseconds timeout)
{
  const auto ids = exec_on_nodes(session.cluster, nodes, ipsec::system_id_command(), concurrency, timeout);
  std::vector<std::pair<std::string, std::string>> node_ids;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto id =
        ids[i].result && ids[i].result->exit_code == 0 ? ipsec::parse_system_id(ids[i].result->out) : std::nullopt;
    node_ids.emplace_back(nodes[i].node, id.value_or(""));
  }
  const auto shared = ipsec::shared_chassis(node_ids);
  std::vector<NodeChassis> chassis;
  for (const auto& [node, id] : node_ids) {
    const auto also_on = shared.find(node);
    chassis.push_back({id, id.empty() ? ""
                                      : ipsec::chassis_refusal(id, also_on == shared.end() ? std::vector<std::string>{}
                                                                                           : also_on->second)});
  }
  return chassis;
}

ipsec::InitReport
init_nodes(const Session& session, const InitRequest& request)
{
  const std::string& ns = session.ns;
  if (!request.no_kube_ovn_owner) {
    if (auto kube_ovn = kube_ovn_owns_pki(session, request)) {
      return std::move(*kube_ovn);
    }
  }
  const auto now = std::chrono::system_clock::now();
  const auto secret = session.cluster.get_secret(ns, std::string(ipsec::k_ca_secret_name));
  if (request.require_existing_ca && !secret) {
    throw util::Error(fmt::format("no CA in Secret {}/{}: there are no certificates of this plugin to {}; "
                                  "`init` creates the CA and enrolls every node",
                                  ns, ipsec::k_ca_secret_name, request.command));
  }
  if (secret) {
    refuse_during_ca_rotation(*secret, request.command);
  }
  const auto ca_choice =
      obtain_ca(session.cluster, ns, secret, request.ca_cert_file, request.ca_key_file, request.dry_run, now);
  const auto ca = pki::load_ca(ca_choice.pem.cert, ca_choice.pem.key,
                               fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name), now);
  if (const int left = pki::ca_days_left(ca, now); left < k_ca_warn_days) {
    session.err << fmt::format("warning: the CA in Secret {}/{} expires in {} days; node certificates end with it "
                               "(`rotate ca` replaces it without an outage)\n",
                               ns, ipsec::k_ca_secret_name, left);
  }
  const auto found = discover_nodes(session, request.only_nodes);

  std::counting_semaphore<> start_slots(k_daemon_starts_at_once);
  InitSettings settings{ca,
                        request.timeout,
                        request.cert_days,
                        request.renew_before_days,
                        request.key_bits,
                        request.force,
                        request.dry_run,
                        now};
  settings.start_daemons = found.layout == ipsec::Layout::ovs_ovn;
  settings.start_slots = &start_slots;
  ipsec::InitReport report;
  report.command = request.command;
  report.ca_ref = fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name);
  report.ca_origin = ca_choice.origin;
  report.ca_subject = pki::inspect_certificate(ca.cert_pem, "CA certificate").subject;
  report.dry_run = request.dry_run;
  report.nodes.resize(found.nodes.size());
  const auto chassis = read_node_chassis(session, found.nodes, request.concurrency, request.timeout);
  InitProgress progress(session, found.nodes.size(), request.command + (request.dry_run ? " --dry-run" : ""));
  util::parallel_for(found.nodes.size(), request.concurrency, [&](size_t i) {
    const auto& [id, refusal] = chassis[i];
    if (!refusal.empty()) {
      report.nodes[i].node = found.nodes[i].node;
      report.nodes[i].chassis = id;
      report.nodes[i].error = refusal;
    } else {
      report.nodes[i] = init_node(session.cluster, found.nodes[i], settings,
                                  id.empty() ? std::nullopt : std::optional<std::string>(id));
    }
    progress.step();
  });
  return report;
}

} // namespace ops
