#include "ipsec/node_reason.hpp"

#include <fmt/format.h>

namespace ipsec {

namespace {

std::string
peers(std::size_t count)
{
  return count == 1 ? "1 peer" : fmt::format("{} peers", count);
}

// What fixes a node whose certificate or daemons are gone.
std::string
fix(const NodeStatus& status, Healer healer, std::string_view ns)
{
  if (healer == Healer::kube_ovn) {
    return fmt::format("restart its kube-ovn-cni pod (`kubectl -n {} delete pod {}`): Kube-OVN enrolls the node "
                       "and starts the daemons as the pod starts",
                       ns, status.pod.empty() ? "<pod>" : status.pod);
  }
  return "run `kubectl ko ipsec init`";
}

// A certificate problem that alone keeps tunnels down; "" when the certificate is fine or could
// not be looked at (then it is not what to blame).
std::string
certificate_problem(const CertView& cert, Healer healer)
{
  if (cert.state == "file missing") {
    if (healer == Healer::kube_ovn) {
      return "the certificate file OVSDB names is gone";
    }
    // Kube-OVN v1.10-1.12: /etc/ipsec.d lives in the ovs-ovn container while OVSDB
    // (/etc/origin/openvswitch on the host) survives a restart and still names the files.
    return "pod restarted: the certificate files OVSDB names are gone from /etc/ipsec.d";
  }
  if (cert.state == "none") {
    return "no IPsec certificate on this node";
  }
  if (cert.state == "expired") {
    const long ago = cert.days_left ? -*cert.days_left : 0;
    return fmt::format("certificate expired {} day{} ago", ago, ago == 1 ? "" : "s");
  }
  if (cert.state == "other CA") {
    return "certificate not issued by the cluster CA (Secret ovn-ipsec-ca)";
  }
  if (cert.state == "unreadable") {
    return "certificate file is not a readable certificate";
  }
  return "";
}

std::string
monitor_down(const NodeStatus& status, Healer healer, std::string_view ns)
{
  const std::string remedy = fix(status, healer, ns);
  if (healer == Healer::plugin_init && status.cert.state == "file missing") {
    return fmt::format("pod restarted: ovs-monitor-ipsec is down and the certificate files OVSDB names are gone; {}",
                       remedy);
  }
  if (status.cert.state == "none") {
    return fmt::format("IPsec not set up on this node (no certificate, ovs-monitor-ipsec not running); {}", remedy);
  }
  const std::string also = status.ike_running == false ? " and strongSwan are" : " is";
  const std::string cert = certificate_problem(status.cert, healer);
  if (!cert.empty()) {
    return fmt::format("ovs-monitor-ipsec{} not running, and the {}; {}", also, cert, remedy);
  }
  // Kube-OVN v1.10-1.12's start-ovs.sh never starts the IPsec daemons: only ipsec.sh (and init) do.
  return fmt::format("ovs-monitor-ipsec{} not running; {}", also, remedy);
}

std::string
missing_tunnels(const NodeStatus& status)
{
  std::string text;
  if (status.configured < status.expected) {
    text = fmt::format("no CONFIGURED tunnel to {} of {}", status.expected - status.configured, peers(status.expected));
  }
  if (status.not_configured > 0) {
    text += fmt::format("{}{} tunnel{} not CONFIGURED", text.empty() ? "" : ", ", status.not_configured,
                        status.not_configured == 1 ? "" : "s");
  }
  return text + fmt::format(" (see `kubectl ko ipsec tunnels --node {}`)", status.node);
}

} // namespace

Healer
healer_for(const StatusReport& report)
{
  return report.owner && report.owner->value ? Healer::kube_ovn : Healer::plugin_init;
}

bool
wants_ike_check(const NodeStatus& status)
{
  if (!status.reached) {
    return false;
  }
  return !status.monitor_answered || (status.tunnels > 0 && status.established < status.expected);
}

namespace {

// kubectl's AGE column, coarsely: 45s, 4m, 3h, 2d.
std::string
age(long seconds)
{
  if (seconds < 120) {
    return fmt::format("{}s", seconds);
  }
  if (seconds < 2 * 3600) {
    return fmt::format("{}m", seconds / 60);
  }
  if (seconds < 2 * 86400) {
    return fmt::format("{}h", seconds / 3600);
  }
  return fmt::format("{}d", seconds / 86400);
}

// Kube-OVN >= 1.13: an enrollment stuck at its CSR (kube-ovn-cni deletes it once signed).
std::string
csr_problem(const NodeStatus& status)
{
  const std::string name = "ovn-ipsec-" + status.node;
  if (status.csr_state == "Pending" || status.csr_state == "Approved") {
    return fmt::format("certificate request {} {} for {}: kube-ovn-controller has not signed it (its "
                       "--enable-ovn-ipsec must be true; `kubectl get csr {}`)",
                       name, status.csr_state == "Pending" ? "pending" : "approved but unsigned",
                       age(status.csr_age_seconds), name);
  }
  if (status.csr_state == "Denied" || status.csr_state == "Failed") {
    return fmt::format("certificate request {} {}: `kubectl describe csr {}` says why; delete it and restart the "
                       "node's kube-ovn-cni pod",
                       name, status.csr_state == "Denied" ? "was denied" : "failed", name);
  }
  return "";
}

} // namespace

std::string
explain(const NodeStatus& status, Healer healer, std::string_view ns)
{
  if (status.health == NodeHealth::up || status.health == NodeHealth::off) {
    return "";
  }
  if (healer == Healer::kube_ovn) {
    if (auto csr = csr_problem(status); !csr.empty()) {
      return csr;
    }
  }
  switch (status.health) {
  case NodeHealth::up:
  case NodeHealth::off:
    return "";
  case NodeHealth::failed:
    return status.error.empty() ? "the pod could not be reached" : status.error;
  case NodeHealth::monitor_down:
    return monitor_down(status, healer, ns);
  case NodeHealth::unreadable:
    return fmt::format("tunnels/show said something this plugin cannot read: {}", status.first_warning);
  case NodeHealth::stale:
    return fmt::format("IPsec is off but {} IPsec tunnel{} remain; ovs-monitor-ipsec removes them once it sees the "
                       "flag (`kubectl ko ipsec off --wait` waits for it)",
                       status.tunnels, status.tunnels == 1 ? "" : "s");
  case NodeHealth::incomplete:
  case NodeHealth::no_sas:
    break;
  }
  const std::string cert = certificate_problem(status.cert, healer);
  if (!cert.empty()) {
    return fmt::format("{}; {}", cert, fix(status, healer, ns));
  }
  if (status.ike_running == false) {
    return fmt::format("strongSwan (the IKE daemon) is not running; {}", fix(status, healer, ns));
  }
  if (status.health == NodeHealth::incomplete) {
    return missing_tunnels(status);
  }
  const std::size_t without = status.expected - status.established;
  std::string text = fmt::format("IKE has no SAs with {} of {} yet", without, peers(status.expected));
  if (status.negotiating > 0) {
    text += fmt::format(" ({} negotiating)", status.negotiating);
  }
  return text;
}

} // namespace ipsec
