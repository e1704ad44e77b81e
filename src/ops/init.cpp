#include "ops/init.hpp"

#include "ipsec/ca_secret.hpp"
#include "ops/ca_secret.hpp"
#include "ops/init_node.hpp"
#include "ops/nb_flag.hpp"
#include "pki/certificate_info.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <mutex>
#include <ostream>

namespace ops {

namespace {

// Kube-OVN >= 1.13 with --enable-ovn-ipsec=true enrolls nodes through its own signer.
void
refuse_if_kube_ovn_signs(const Session& session, bool force)
{
  const auto owner = flag_owner(session.cluster, session.ns);
  if (!owner || !owner->value) {
    return;
  }
  if (!force) {
    throw util::Error(fmt::format(
        "Kube-OVN signs the IPsec certificates itself here: pod {}/{} runs with --enable-ovn-ipsec=true, so each "
        "kube-ovn-cni pod requests its certificate from kube-ovn-controller. Nothing was changed; use --force to "
        "install certificates anyway",
        session.ns, owner->pod));
  }
  session.err << "warning: --force: installing certificates beside Kube-OVN's own signer\n";
}

// "\r[#####-----] 5/10 nodes" on a terminal.
class InitProgress {
public:
  InitProgress(const Session& session, size_t total) : m_session(session), m_total(total) {}
  void step()
  {
    if (!m_session.err_is_terminal) {
      return;
    }
    std::lock_guard lock(m_mutex);
    ++m_done;
    const size_t width = 20;
    const size_t filled = m_total == 0 ? width : m_done * width / m_total;
    m_session.err << "\r[" << std::string(filled, '#') << std::string(width - filled, '-') << "] " << m_done << "/"
                  << m_total << " nodes" << (m_done == m_total ? "\n" : "") << std::flush;
  }

private:
  const Session& m_session;
  size_t m_total;
  size_t m_done = 0;
  std::mutex m_mutex;
};

} // namespace

ipsec::InitReport
init_nodes(const Session& session, const InitRequest& request)
{
  const std::string& ns = session.ns;
  refuse_if_kube_ovn_signs(session, request.force);
  const auto now = std::chrono::system_clock::now();
  const auto ca_choice =
      obtain_ca(session.cluster, ns, request.ca_cert_file, request.ca_key_file, request.dry_run, now);
  const auto ca = pki::load_ca(ca_choice.pem.cert, ca_choice.pem.key,
                               fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name), now);
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
  report.ca_ref = fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name);
  report.ca_origin = ca_choice.origin;
  report.ca_subject = pki::inspect_certificate(ca.cert_pem, "CA certificate").subject;
  report.dry_run = request.dry_run;
  report.nodes.resize(found.nodes.size());
  InitProgress progress(session, found.nodes.size());
  util::parallel_for(found.nodes.size(), request.concurrency, [&](size_t i) {
    report.nodes[i] = init_node(session.cluster, found.nodes[i], settings);
    progress.step();
  });
  return report;
}

} // namespace ops
