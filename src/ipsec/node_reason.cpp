#include "ipsec/node_reason.hpp"

#include <fmt/format.h>

namespace ipsec {

namespace {

std::string
peers(std::size_t count)
{
  return count == 1 ? "1 peer" : fmt::format("{} peers", count);
}

// A certificate problem that alone keeps tunnels down, with its fix; "" when the certificate is
// fine or could not be looked at (then it is not what to blame).
std::string
certificate_problem(const CertView& cert)
{
  if (cert.state == "file missing") {
    // Kube-OVN v1.10-1.12: /etc/ipsec.d lives in the ovs-ovn container while OVSDB
    // (/etc/origin/openvswitch on the host) survives a restart and still names the files.
    return fmt::format("pod restarted: the certificate files OVSDB names are gone from /etc/ipsec.d; {}",
                       k_fix_with_init);
  }
  if (cert.state == "none") {
    return fmt::format("no IPsec certificate on this node; {}", k_fix_with_init);
  }
  if (cert.state == "expired") {
    const long ago = cert.days_left ? -*cert.days_left : 0;
    return fmt::format("certificate expired {} day{} ago; {}", ago, ago == 1 ? "" : "s", k_fix_with_init);
  }
  if (cert.state == "other CA") {
    return fmt::format("certificate not issued by the cluster CA (Secret ovn-ipsec-ca); {}", k_fix_with_init);
  }
  if (cert.state == "unreadable") {
    return fmt::format("certificate file is not a readable certificate; {}", k_fix_with_init);
  }
  return "";
}

std::string
monitor_down(const NodeStatus& status)
{
  if (status.cert.state == "file missing") {
    return fmt::format("pod restarted: ovs-monitor-ipsec is down and the certificate files OVSDB names are gone; {}",
                       k_fix_with_init);
  }
  if (status.cert.state == "none") {
    return fmt::format("IPsec not set up on this node (no certificate, ovs-monitor-ipsec not running); {}",
                       k_fix_with_init);
  }
  const std::string also = status.ike_running == false ? " and strongSwan are" : " is";
  const std::string cert = certificate_problem(status.cert);
  if (!cert.empty()) {
    return fmt::format("ovs-monitor-ipsec{} not running, and the {}", also, cert);
  }
  // Kube-OVN v1.10-1.12's start-ovs.sh never starts the IPsec daemons: only ipsec.sh (and init) do.
  return fmt::format("ovs-monitor-ipsec{} not running; {} (starts it)", also, k_fix_with_init);
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

bool
wants_ike_check(const NodeStatus& status)
{
  if (!status.reached) {
    return false;
  }
  return !status.monitor_answered || (status.tunnels > 0 && status.established < status.expected);
}

std::string
explain(const NodeStatus& status)
{
  switch (status.health) {
  case NodeHealth::up:
  case NodeHealth::off:
    return "";
  case NodeHealth::failed:
    return status.error.empty() ? "the pod could not be reached" : status.error;
  case NodeHealth::monitor_down:
    return monitor_down(status);
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
  const std::string cert = certificate_problem(status.cert);
  if (!cert.empty()) {
    return cert;
  }
  if (status.ike_running == false) {
    return fmt::format("strongSwan (the IKE daemon) is not running; {} (starts it)", k_fix_with_init);
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
