#include "ops/rotate_certs.hpp"

#include "ipsec/kube_ovn_pki.hpp"
#include "ipsec/targets.hpp"
#include "ops/init.hpp"
#include "ops/nb_flag.hpp"

namespace ops {

ipsec::InitReport
rotate_certs(const Session& session, const RotateCertsRequest& request)
{
  const auto cni_pods = session.cluster.list_pods(session.ns, std::string(ipsec::k_cni_selector), "");
  if (const auto owner = flag_owner(session.cluster, session.ns, cni_pods)) {
    ipsec::InitReport report;
    report.command = "rotate certs";
    report.dry_run = true;
    report.kube_ovn_owner = owner;
    report.kube_ovn_steps = ipsec::kube_ovn_renewal(*owner, ipsec::describe_pki(cni_pods), session.ns);
    return report;
  }
  InitRequest init;
  init.command = "rotate certs";
  init.require_existing_ca = true;
  init.no_kube_ovn_owner = true;
  init.only_nodes = request.only_nodes;
  init.concurrency = request.concurrency;
  init.timeout = request.timeout;
  init.cert_days = request.cert_days;
  init.key_bits = request.key_bits;
  init.dry_run = request.dry_run;
  // Without --before every certificate is new afterwards; with it, those within the window (and,
  // as init would, any node whose certificate is missing or from another CA).
  init.force = !request.before_days.has_value();
  init.renew_before_days = request.before_days.value_or(0);
  return init_nodes(session, init);
}

} // namespace ops
