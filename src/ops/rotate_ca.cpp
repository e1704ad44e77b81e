#include "ops/rotate_ca.hpp"

#include "ipsec/ca_secret.hpp"
#include "ipsec/kube_ovn_pki.hpp"
#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"
#include "ops/ca_secret.hpp"
#include "ops/discovery.hpp"
#include "ops/exec.hpp"
#include "ops/init.hpp"
#include "ops/init_node.hpp"
#include "ops/nb_flag.hpp"
#include "ops/progress.hpp"
#include "ops/wait_goal.hpp"
#include "pki/certificate_info.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <semaphore>

namespace ops {

namespace {

std::string
describe_ca(const std::string& pem)
{
  const auto info = pki::inspect_certificate(pem, "CA certificate");
  return fmt::format("{} (SHA-256 {})", info.subject, info.sha256);
}

std::string
key_id(const std::string& pem)
{
  const auto id = pki::inspect_certificate(pem, "CA certificate").key_id;
  if (id.empty()) {
    throw util::Error("the CA certificate has no subjectKeyIdentifier, by which strongSwan's list is checked");
  }
  return id;
}

// The CA to move to: --ca-cert/--ca-key, or a new one.
pki::CaPem
choose_next_ca(const RotateCaRequest& request, const pki::CaPem& current, std::chrono::system_clock::time_point now)
{
  auto given = load_given_ca(request.ca_cert_file, request.ca_key_file, now);
  if (!given) {
    return pki::create_ca(ipsec::rotated_ca_name(now), now);
  }
  if (pki::inspect_certificate(given->cert, "CA").sha256 == pki::inspect_certificate(current.cert, "CA").sha256) {
    throw util::Error(fmt::format("--ca-cert {} is the CA the Secret holds already", request.ca_cert_file));
  }
  return std::move(*given);
}

struct TrustChange {
  std::string add;    // subjectKeyIdentifier strongSwan must list afterwards, "" = none
  std::string remove; // ... must no longer list, "" = none
};

// rereadcacerts, then strongSwan's own list must show the change: the later phases rely on it. A
// node whose strongSwan is not running is not an error (it reads the files when it starts; its
// tunnels are down anyway, and the next step with init's per-node steps starts its daemons).
void
reread_and_check(kube::Cluster& cluster, const ipsec::PodTarget& pod, const TrustChange& change,
                 std::chrono::milliseconds timeout, ipsec::InitNodeResult& result)
{
  if (exec_in(cluster, pod, ipsec::reread_ca_command(), timeout).exit_code != 0) {
    if (exec_in(cluster, pod, ipsec::ike_alive_command(), timeout).exit_code != 0) {
      result.note = "strongSwan is not running: it reads the CA files when it starts";
      return;
    }
    checked_output(cluster, pod, ipsec::reread_ca_command(), timeout, Wording::step,
                   "telling strongSwan to reread the CAs");
  }
  const auto listed = ipsec::listed_ca_key_ids(
      checked_output(cluster, pod, ipsec::list_cas_command(), timeout, Wording::step, "listing strongSwan's CAs"));
  const auto has = [&](const std::string& id) { return std::find(listed.begin(), listed.end(), id) != listed.end(); };
  if (!change.add.empty() && !has(change.add)) {
    throw util::Error(fmt::format("strongSwan in {}/{} does not list the new CA (subjkeyId {}) after rereadcacerts",
                                  pod.ns, pod.pod, change.add));
  }
  if (!change.remove.empty() && has(change.remove)) {
    throw util::Error(fmt::format("strongSwan in {}/{} still lists the old CA (subjkeyId {}) after rereadcacerts",
                                  pod.ns, pod.pod, change.remove));
  }
}

class Rotation {
public:
  Rotation(const Session& session, const RotateCaRequest& request, const CaStepDone& on_step,
           ipsec::CaRotationReport& report)
      : m_session(session), m_request(request), m_on_step(on_step), m_report(report)
  {}

  void run(kube::Secret secret, const Discovery& found, std::optional<pki::CaPem> next)
  {
    m_secret = std::move(secret);
    m_next = std::move(next);
    m_found = &found;
    m_chassis = read_node_chassis(m_session, found.nodes, m_request.concurrency, m_request.timeout);
    if (m_request.wait) {
      const auto leader = find_leader(m_session, 3);
      m_ipsec_on = read_flag(m_session.cluster, leader, m_request.timeout);
    }
    for (const auto step : m_report.plan) {
      ipsec::CaStepReport done;
      done.step = step;
      if (ipsec::is_node_step(step)) {
        run_node_step(done);
        if (!done.failed) {
          wait_for_tunnels(done);
        }
      } else {
        update_secret(step);
      }
      m_report.steps.push_back(std::move(done));
      if (m_on_step) {
        m_on_step(m_report, m_report.steps.size() - 1);
      }
      if (m_report.steps.back().failed) {
        return;
      }
    }
    m_report.completed = true;
  }

private:
  void update_secret(ipsec::CaStep step)
  {
    kube::Secret next;
    switch (step) {
    case ipsec::CaStep::store_next:
      next = ipsec::begin_rotation(m_secret, *m_next);
      break;
    case ipsec::CaStep::mark_reissue:
      next = ipsec::enter_phase(m_secret, ipsec::CaPhase::reissue);
      break;
    case ipsec::CaStep::swap:
      next = ipsec::swap_ca(m_secret);
      break;
    case ipsec::CaStep::finish:
      next = ipsec::finish_rotation(m_secret);
      break;
    case ipsec::CaStep::drop_next:
      next = ipsec::abort_rotation(m_secret);
      break;
    default:
      return;
    }
    try {
      m_secret = m_session.cluster.update_secret(next);
    } catch (const kube::ApiError& e) {
      if (e.status() != 409) {
        throw;
      }
      throw util::Error(fmt::format("Secret {}/{} was changed by someone else during rotate ca; nothing more was "
                                    "done: run rotate ca again to resume from the phase it records",
                                    m_secret.ns, m_secret.name));
    }
  }

  // What every node of one step needs, worked out once for the step: the Secret does not change
  // during a node step.
  struct NodeStepPlan {
    ipsec::CaRotationState state;
    TrustChange trust;                      // trust, untrust, retire
    std::optional<pki::LoadedCa> signer;    // retire, reissue, reissue_back
    std::optional<std::string> ca_file_pem; // reissue, reissue_back: cacert.pem keeps the current CA
    std::chrono::system_clock::time_point now;
  };

  NodeStepPlan plan_node_step(ipsec::CaStep step) const
  {
    NodeStepPlan plan{ipsec::read_rotation(m_secret), {}, std::nullopt, std::nullopt, std::chrono::system_clock::now()};
    const auto& st = plan.state;
    const auto sign_with = [&](const pki::CaPem& ca) {
      plan.signer.emplace(pki::load_ca(ca.cert, ca.key, m_report.ca_ref, plan.now));
    };
    switch (step) {
    case ipsec::CaStep::trust:
      plan.trust = {key_id(st.next->cert), ""};
      break;
    case ipsec::CaStep::untrust:
      plan.trust = {"", key_id(st.next->cert)};
      break;
    case ipsec::CaStep::retire:
      plan.trust = {key_id(st.current.cert), key_id(st.previous->cert)};
      sign_with(st.current);
      break;
    case ipsec::CaStep::reissue:
      // From the new CA; cacert.pem keeps the old one until retire.
      sign_with(*st.next);
      plan.ca_file_pem = st.current.cert;
      break;
    case ipsec::CaStep::reissue_back:
      sign_with(st.current);
      plan.ca_file_pem = st.current.cert;
      break;
    default:
      break;
    }
    return plan;
  }

  void run_node_step(ipsec::CaStepReport& done)
  {
    const auto& nodes = m_found->nodes;
    const auto plan = plan_node_step(done.step);
    done.nodes.resize(nodes.size());
    std::counting_semaphore<> start_slots(k_daemon_starts_at_once);
    Progress progress(m_session, fmt::format("rotate ca: {}", ipsec::to_string(done.step)));
    std::atomic<size_t> finished{0};
    progress.update(fmt::format("0/{} nodes", nodes.size()));
    util::parallel_for(nodes.size(), m_request.concurrency, [&](size_t i) {
      struct Tick {
        Progress& progress;
        std::atomic<size_t>& finished;
        size_t total;
        ~Tick() { progress.update(fmt::format("{}/{} nodes", ++finished, total)); }
      } tick{progress, finished, nodes.size()};
      auto& result = done.nodes[i];
      result.node = nodes[i].node;
      result.chassis = m_chassis[i].id;
      if (!nodes[i].target) {
        result.error = nodes[i].problem;
        return;
      }
      if (!m_chassis[i].refusal.empty() || m_chassis[i].id.empty()) {
        result.error = m_chassis[i].id.empty() ? "its system-id could not be read" : m_chassis[i].refusal;
        return;
      }
      try {
        run_on_node(done.step, plan, nodes[i], m_chassis[i].id, start_slots, result);
      } catch (const util::Error& e) {
        result.error = e.what();
      }
    });
    done.failed = std::any_of(done.nodes.begin(), done.nodes.end(),
                              [](const ipsec::InitNodeResult& node) { return !node.error.empty(); });
  }

  void run_on_node(ipsec::CaStep step, const NodeStepPlan& plan, const ipsec::NodeTarget& node, const std::string& id,
                   std::counting_semaphore<>& start_slots, ipsec::InitNodeResult& result)
  {
    auto& cluster = m_session.cluster;
    const auto& pod = *node.target;
    const auto& st = plan.state;
    switch (step) {
    case ipsec::CaStep::trust:
      checked_output(cluster, pod, ipsec::install_next_ca_command(), m_request.timeout, Wording::step,
                     "installing the new CA as a second trusted CA", st.next->cert);
      reread_and_check(cluster, pod, plan.trust, m_request.timeout, result);
      return;
    case ipsec::CaStep::untrust:
      checked_output(cluster, pod, ipsec::remove_next_ca_command(), m_request.timeout, Wording::step,
                     "removing the new CA");
      reread_and_check(cluster, pod, plan.trust, m_request.timeout, result);
      return;
    case ipsec::CaStep::retire: {
      // cacert.pem (named in ipsec.conf's `ca` section) becomes the new CA, the second file goes.
      checked_output(cluster, pod, ipsec::install_ca_command(ipsec::node_paths(id)), m_request.timeout, Wording::step,
                     "installing the new CA certificate", st.current.cert);
      checked_output(cluster, pod, ipsec::remove_next_ca_command(), m_request.timeout, Wording::step,
                     "removing the second CA file");
      reread_and_check(cluster, pod, plan.trust, m_request.timeout, result);
      const std::string note = result.note;
      // A pod restarted during the rotation lost its certificate: init's steps repair it.
      result = certify(plan, node, id, start_slots);
      result.note = note + (note.empty() || result.note.empty() ? "" : "; ") + result.note;
      return;
    }
    case ipsec::CaStep::reissue:
    case ipsec::CaStep::reissue_back:
      result = certify(plan, node, id, start_slots);
      return;
    default:
      return;
    }
  }

  ipsec::InitNodeResult certify(const NodeStepPlan& plan, const ipsec::NodeTarget& node, const std::string& id,
                                std::counting_semaphore<>& start_slots)
  {
    InitSettings settings{*plan.signer, m_request.timeout, m_request.cert_days, 30, m_request.key_bits, false,
                          false,        plan.now};
    settings.start_daemons = m_found->layout == ipsec::Layout::ovs_ovn;
    settings.start_slots = &start_slots;
    settings.ca_file_pem = plan.ca_file_pem;
    return init_node(m_session.cluster, node, settings, id);
  }

  void wait_for_tunnels(ipsec::CaStepReport& done)
  {
    if (!m_request.wait) {
      done.wait = "not waited for the tunnels (--no-wait)";
      return;
    }
    if (!m_ipsec_on) {
      done.wait = "IPsec is off (NB_Global.ipsec=false): no tunnels to wait for";
      return;
    }
    Session waiting = m_session;
    waiting.deadline = CommandDeadline{
        m_request.wait_timeout.count() > 0 ? util::Deadline::after(m_request.wait_timeout) : util::Deadline::never(),
        m_request.wait_timeout_text};
    const auto waited = wait_for_nodes(waiting, ipsec::WaitGoal::configured, m_request.concurrency, m_request.timeout);
    if (waited.reached) {
      done.wait = fmt::format("every tunnel CONFIGURED: {}", waited.summary);
      return;
    }
    done.failed = true;
    done.wait = fmt::format("tunnels not CONFIGURED within --wait-timeout: {}", waited.summary);
    for (const auto& line : waited.pending) {
      done.wait += "\n  " + line;
    }
  }

  const Session& m_session;
  const RotateCaRequest& m_request;
  const CaStepDone& m_on_step;
  ipsec::CaRotationReport& m_report;
  kube::Secret m_secret;
  const Discovery* m_found = nullptr;
  std::vector<NodeChassis> m_chassis;
  bool m_ipsec_on = false;
  std::optional<pki::CaPem> m_next; // the CA store_next writes
};

} // namespace

ipsec::CaRotationReport
rotate_ca(const Session& session, const RotateCaRequest& request, const CaStepDone& on_step)
{
  ipsec::CaRotationReport report;
  report.abort = request.abort;
  report.dry_run = request.dry_run;
  report.ca_ref = fmt::format("Secret {}/{}", session.ns, ipsec::k_ca_secret_name);
  const auto found = discover_nodes(session, {});
  if (const auto owner = flag_owner(session.cluster, session.ns, found.cni_pods)) {
    report.kube_ovn_owner = owner;
    report.kube_ovn_steps = ipsec::kube_ovn_ca_rotation(*owner, ipsec::describe_pki(found.cni_pods), session.ns);
    return report;
  }
  auto secret = session.cluster.get_secret(session.ns, std::string(ipsec::k_ca_secret_name));
  if (!secret) {
    throw util::Error(fmt::format("no CA in {}: there is no CA of this plugin to rotate; `init` creates one and "
                                  "enrolls every node",
                                  report.ca_ref));
  }
  const auto state = ipsec::read_rotation(*secret);
  report.recorded = state.phase;
  report.plan = ipsec::plan_ca_rotation(state.phase, request.abort);
  const auto now = std::chrono::system_clock::now();
  std::optional<pki::CaPem> next = state.next;
  // --dry-run makes no CA it would throw away (a 3072-bit key takes a while).
  const bool made_later = request.dry_run && request.ca_cert_file.empty() && state.phase == ipsec::CaPhase::none;
  if (state.phase == ipsec::CaPhase::none && !made_later) {
    next = choose_next_ca(request, state.current, now);
  } else if (state.phase != ipsec::CaPhase::none && !request.ca_cert_file.empty()) {
    throw util::UsageError(fmt::format("a rotation is under way (phase {}) with the new CA it recorded; "
                                       "--ca-cert/--ca-key only start one",
                                       ipsec::to_string(state.phase)));
  }
  // Either CA must be able to sign (reissue, or reissue_back on --abort) before anything changes.
  pki::load_ca(state.current.cert, state.current.key, report.ca_ref, now);
  if (next) {
    pki::load_ca(next->cert, next->key, report.ca_ref + " (new CA)", now);
  }
  const bool swapped = state.phase == ipsec::CaPhase::retire;
  report.old_ca = describe_ca(swapped ? state.previous->cert : state.current.cert);
  if (made_later) {
    report.new_ca = fmt::format("a new CA made when the rotation starts (CN={})", ipsec::rotated_ca_name(now));
  } else if (!request.abort) {
    report.new_ca = describe_ca(swapped ? state.current.cert : next->cert);
  }
  for (const auto& node : found.nodes) {
    report.nodes.push_back(node.node);
  }
  if (request.dry_run) {
    return report;
  }
  Rotation rotation(session, request, on_step, report);
  rotation.run(std::move(*secret), found, next);
  return report;
}

} // namespace ops
