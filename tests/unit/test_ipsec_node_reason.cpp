// status's REASON column: the plain-words cause and fix for every way a node can be not up.
#include "ipsec/node_cert.hpp"
#include "ipsec/node_reason.hpp"

#include <doctest/doctest.h>

namespace {

ipsec::NodeStatus
answered(std::size_t expected, std::size_t configured, std::size_t established, std::string cert_state = "ok")
{
  ipsec::NodeStatus node;
  node.node = "worker2";
  node.reached = true;
  node.monitor_answered = true;
  node.expected = expected;
  node.tunnels = configured;
  node.configured = configured;
  node.established = established;
  node.cert.state = std::move(cert_state);
  node.health = ipsec::judge(node, true);
  return node;
}

ipsec::NodeStatus
monitor_down(std::string cert_state, std::optional<bool> ike)
{
  ipsec::NodeStatus node;
  node.node = "worker2";
  node.reached = true;
  node.error = "ovs-monitor-ipsec is not running in this pod";
  node.cert.state = std::move(cert_state);
  node.ike_running = ike;
  node.health = ipsec::judge(node, true);
  return node;
}

} // namespace

TEST_CASE("reason: a node that is up or clean has none")
{
  CHECK(ipsec::explain(answered(4, 4, 4)).empty());
  auto off = answered(4, 0, 0);
  off.health = ipsec::judge(off, false);
  REQUIRE(off.health == ipsec::NodeHealth::off);
  CHECK(ipsec::explain(off).empty());
}

TEST_CASE("reason: a restarted v1.12 pod (files OVSDB names are gone, monitor down) says so, with the fix")
{
  const auto node = monitor_down("file missing", false);
  REQUIRE(node.health == ipsec::NodeHealth::monitor_down);
  CHECK(ipsec::explain(node) == "pod restarted: ovs-monitor-ipsec is down and the certificate files OVSDB names are "
                                "gone; run `kubectl ko ipsec init`");
}

TEST_CASE("reason: the monitor down, by what else is wrong")
{
  CHECK(ipsec::explain(monitor_down("none", false)) ==
        "IPsec not set up on this node (no certificate, ovs-monitor-ipsec not running); run `kubectl ko ipsec init`");
  CHECK(ipsec::explain(monitor_down("ok", false)) ==
        "ovs-monitor-ipsec and strongSwan are not running; run `kubectl ko ipsec init`");
  CHECK(ipsec::explain(monitor_down("ok", true)) == "ovs-monitor-ipsec is not running; run `kubectl ko ipsec init`");
  auto expired = monitor_down("expired", std::nullopt);
  expired.cert.days_left = -3;
  CHECK(ipsec::explain(expired) ==
        "ovs-monitor-ipsec is not running, and the certificate expired 3 days ago; run `kubectl ko ipsec init`");
}

TEST_CASE("reason: certificate problems come before the tunnels they break")
{
  auto expired = answered(4, 4, 0, "expired");
  expired.cert.days_left = -1;
  CHECK(ipsec::explain(expired) == "certificate expired 1 day ago; run `kubectl ko ipsec init`");
  CHECK(ipsec::explain(answered(4, 4, 0, "other CA")) ==
        "certificate not issued by the cluster CA (Secret ovn-ipsec-ca); run `kubectl ko ipsec init`");
  CHECK(ipsec::explain(answered(4, 2, 2, "file missing")) ==
        "pod restarted: the certificate files OVSDB names are gone from /etc/ipsec.d; run `kubectl ko ipsec init`");
  CHECK(ipsec::explain(answered(4, 4, 0, "none")) == "no IPsec certificate on this node; run `kubectl ko ipsec init`");
  // A certificate that could not be looked at is not blamed.
  CHECK(ipsec::explain(answered(4, 4, 0, "unknown")) == "IKE has no SAs with 4 of 4 peers yet");
}

TEST_CASE("reason: strongSwan down, tunnels missing, SAs not yet installed")
{
  auto ike_down = answered(4, 4, 1);
  ike_down.ike_running = false;
  CHECK(ipsec::explain(ike_down) == "strongSwan (the IKE daemon) is not running; run `kubectl ko ipsec init`");

  auto missing = answered(4, 2, 2);
  missing.not_configured = 1;
  missing.tunnels = 3;
  missing.health = ipsec::judge(missing, true);
  REQUIRE(missing.health == ipsec::NodeHealth::incomplete);
  CHECK(
      ipsec::explain(missing) ==
      "no CONFIGURED tunnel to 2 of 4 peers, 1 tunnel not CONFIGURED (see `kubectl ko ipsec tunnels --node worker2`)");

  auto negotiating = answered(1, 1, 0);
  negotiating.negotiating = 1;
  CHECK(ipsec::explain(negotiating) == "IKE has no SAs with 1 of 1 peer yet (1 negotiating)");
}

TEST_CASE("reason: off with tunnels left, unreadable output, an unreachable pod")
{
  auto stale = answered(4, 2, 2);
  stale.health = ipsec::judge(stale, false);
  REQUIRE(stale.health == ipsec::NodeHealth::stale);
  CHECK(ipsec::explain(stale).starts_with("IPsec is off but 2 IPsec tunnels remain;"));

  auto unreadable = answered(4, 0, 0);
  unreadable.warnings = 1;
  unreadable.first_warning = "line 1: not a tunnel: garbage";
  unreadable.health = ipsec::judge(unreadable, true);
  REQUIRE(unreadable.health == ipsec::NodeHealth::unreadable);
  CHECK(ipsec::explain(unreadable) ==
        "tunnels/show said something this plugin cannot read: line 1: not a tunnel: garbage");

  ipsec::NodeStatus gone;
  gone.error = "no Kube-OVN pod on this node";
  CHECK(ipsec::explain(gone) == "no Kube-OVN pod on this node");
}

TEST_CASE("reason: strongSwan is asked only where it can explain something")
{
  CHECK_FALSE(ipsec::wants_ike_check(answered(4, 4, 4))); // up
  CHECK(ipsec::wants_ike_check(answered(4, 4, 1)));       // SAs missing
  CHECK(ipsec::wants_ike_check(monitor_down("ok", std::nullopt)));
  CHECK_FALSE(ipsec::wants_ike_check(answered(4, 0, 0))); // no tunnel at all: the monitor, not IKE
  ipsec::NodeStatus unreachable;
  CHECK_FALSE(ipsec::wants_ike_check(unreachable));
}

TEST_CASE("reason: on Kube-OVN >= 1.13 with --enable-ovn-ipsec=true the fix is Kube-OVN's, never init")
{
  auto down = monitor_down("ok", false);
  down.pod = "kube-ovn-cni-x7k2p";
  const std::string text = ipsec::explain(down, ipsec::Healer::kube_ovn, "kube-system");
  CHECK(text == "ovs-monitor-ipsec and strongSwan are not running; restart its kube-ovn-cni pod (`kubectl -n "
                "kube-system delete pod kube-ovn-cni-x7k2p`): Kube-OVN enrolls the node and starts the daemons as "
                "the pod starts");
  auto missing = monitor_down("file missing", false);
  CHECK_FALSE(ipsec::explain(missing, ipsec::Healer::kube_ovn).starts_with("pod restarted")); // a host path there
  CHECK(ipsec::explain(missing, ipsec::Healer::kube_ovn).find("init") == std::string::npos);

  ipsec::StatusReport report;
  CHECK(ipsec::healer_for(report) == ipsec::Healer::plugin_init);
  report.owner = ipsec::FlagOwner{"kube-ovn-controller-1", "kube-ovn-controller", false};
  CHECK(ipsec::healer_for(report) == ipsec::Healer::plugin_init); // off: nothing of Kube-OVN's to restart
  report.owner->value = true;
  CHECK(ipsec::healer_for(report) == ipsec::Healer::kube_ovn);
}

TEST_CASE("certificate: status follows the files OVSDB names, wherever they are")
{
  const auto defaults = ipsec::node_paths("abc");
  ipsec::NodeProbe probe;
  probe.other_config = {{"certificate", defaults.cert}, {"private_key", defaults.key}, {"ca_cert", defaults.ca}};
  CHECK_FALSE(ipsec::paths_named_in_ovsdb(probe, defaults).has_value());
  probe.other_config = {{"certificate", ""}, {"private_key", ""}, {"ca_cert", ""}};
  CHECK_FALSE(ipsec::paths_named_in_ovsdb(probe, defaults).has_value());
  // Kube-OVN >= 1.13 (pkg/daemon/ipsec.go).
  probe.other_config = {{"certificate", "/etc/ovs_ipsec_keys/ipsec-cert.pem"},
                        {"private_key", "/etc/ovs_ipsec_keys/ipsec-privkey.pem"},
                        {"ca_cert", "/etc/ovs_ipsec_keys/ipsec-cacert.pem"}};
  const auto named = ipsec::paths_named_in_ovsdb(probe, defaults);
  REQUIRE(named.has_value());
  CHECK(named->cert == "/etc/ovs_ipsec_keys/ipsec-cert.pem");
  CHECK(named->key == "/etc/ovs_ipsec_keys/ipsec-privkey.pem");
  CHECK(named->ca == "/etc/ovs_ipsec_keys/ipsec-cacert.pem");
}
