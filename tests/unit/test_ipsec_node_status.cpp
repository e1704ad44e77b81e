// `status` counters and verdicts: tunnels tallied per peer, node health, exit codes, summary.
#include "ipsec/node_status.hpp"
#include "ipsec/tunnels_show.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>

namespace {

using ipsec::NodeHealth;
using testsupport::fakelab::k_chassis;

// Parses `text` through the streaming path and returns the filled node.
ipsec::NodeStatus
tally(const std::string& text, const std::vector<std::string>& chassis, const std::string& own,
      std::size_t unresolved = 0)
{
  const ipsec::ChassisIndex index(chassis, unresolved);
  ipsec::TunnelTally counts(index, own);
  ipsec::TunnelsShowParser parser([&counts](ipsec::Tunnel&& tunnel) { counts.add(tunnel); });
  parser.feed(text);
  const auto model = parser.finish();
  ipsec::NodeStatus status;
  status.node = "n";
  status.chassis = own;
  status.reached = true;
  status.monitor_answered = true;
  status.no_tunnels_line = model.no_tunnels;
  status.warnings = model.warnings.size();
  counts.fill(status);
  return status;
}

ipsec::NodeStatus
healthy(const std::string& name, NodeHealth health)
{
  ipsec::NodeStatus node;
  node.node = name;
  node.health = health;
  return node;
}

} // namespace

TEST_CASE("status tally: lab state C, node1 — both tunnels CONFIGURED, only larval SAs")
{
  const auto node =
      tally(testsupport::fakelab::capture("tunnels-show.C-ike-established.node1.txt"), k_chassis, k_chassis[0]);
  CHECK(node.expected == 2);
  CHECK(node.tunnels == 2);
  CHECK(node.configured == 2);
  CHECK(node.established == 0);
  CHECK(node.negotiating == 2);
  CHECK(node.not_configured == 0);
  CHECK(node.unknown_peer == 0);
  CHECK(ipsec::judge(node, true) == NodeHealth::no_sas);
  CHECK(ipsec::judge(node, false) == NodeHealth::stale);
}

TEST_CASE("status tally: a full mesh with installed SAs is up; without SAs it is not")
{
  const auto up = tally(testsupport::fakelab::mesh_tunnels_show(2, 3, true), k_chassis, k_chassis[1]);
  CHECK(up.configured == 2);
  CHECK(up.established == 2);
  CHECK(ipsec::judge(up, true) == NodeHealth::up);
  CHECK(ipsec::judge(up, std::nullopt) == NodeHealth::up);

  const auto bare = tally(testsupport::fakelab::mesh_tunnels_show(2, 3, false), k_chassis, k_chassis[1]);
  CHECK(bare.established == 0);
  CHECK(bare.negotiating == 0);
  CHECK(ipsec::judge(bare, true) == NodeHealth::no_sas);
}

TEST_CASE("status tally: a missing peer, a peer shown twice, an unknown chassis, a bad state")
{
  std::vector<std::string> chassis = k_chassis;
  chassis.push_back("44444444-dddd-4000-8000-000000000004");
  // Node 1 of a 3-node mesh text in a 4-chassis cluster: the fourth peer is missing.
  auto node = tally(testsupport::fakelab::mesh_tunnels_show(1, 3, true), chassis, k_chassis[0]);
  CHECK(node.expected == 3);
  CHECK(node.configured == 2);
  CHECK(ipsec::judge(node, true) == NodeHealth::incomplete);

  // The same tunnel listed twice counts its peer once.
  const std::string twice = testsupport::fakelab::mesh_tunnels_show(1, 2, true);
  node = tally(twice + twice, k_chassis, k_chassis[0]);
  CHECK(node.tunnels == 2);
  CHECK(node.configured == 1);
  CHECK(node.expected == 2);

  // Peers outside the cluster (a stale SB chassis) are counted apart, not as configured.
  node = tally(testsupport::fakelab::mesh_tunnels_show(1, 3, true), {k_chassis[0], k_chassis[1]}, k_chassis[0]);
  CHECK(node.unknown_peer == 1);
  CHECK(node.configured == 1);
  CHECK(ipsec::judge(node, true) == NodeHealth::up);

  node = tally(testsupport::fakelab::capture("edge.invalid-reasons.txt"), k_chassis, k_chassis[0]);
  CHECK(node.not_configured > 0);
  CHECK(ipsec::judge(node, true) == NodeHealth::incomplete);
}

TEST_CASE("status tally: without its system-id a node is recognised by its tunnels' Local name")
{
  const auto node = tally(testsupport::fakelab::mesh_tunnels_show(3, 3, true), k_chassis, "");
  CHECK(node.expected == 2);
  CHECK(node.configured == 2);
  CHECK(ipsec::judge(node, true) == NodeHealth::up);
}

TEST_CASE("status tally: a peer whose system-id could not be read is still expected")
{
  // node3's system-id was unreadable: the index knows node1 and node2, plus one unresolved node.
  const std::vector<std::string> known{k_chassis[0], k_chassis[1]};
  auto node = tally(testsupport::fakelab::mesh_tunnels_show(1, 3, true), known, k_chassis[0], 1);
  CHECK(node.expected == 2);
  CHECK(node.configured == 2); // the tunnel to node3's (unknown) chassis stands in for it
  CHECK(node.established == 2);
  CHECK(node.unknown_peer == 0);
  CHECK(ipsec::judge(node, true) == NodeHealth::up);

  // Without that tunnel the node is incomplete, not "2/2" of the peers it happens to know.
  node = tally(testsupport::fakelab::mesh_tunnels_show(1, 2, true), known, k_chassis[0], 1);
  CHECK(node.expected == 2);
  CHECK(node.configured == 1);
  CHECK(ipsec::judge(node, true) == NodeHealth::incomplete);

  // Two unknown peers for one unresolved node: one stands in, the other is a stranger.
  node = tally(testsupport::fakelab::mesh_tunnels_show(1, 4, false), known, k_chassis[0], 1);
  CHECK(node.expected == 2);
  CHECK(node.configured == 2);
  CHECK(node.unknown_peer == 1);
  CHECK(ipsec::judge(node, true) == NodeHealth::no_sas);

  // The unresolved node itself, known by its tunnels' Local name, is not its own peer.
  node = tally(testsupport::fakelab::mesh_tunnels_show(3, 3, true), known, "", 1);
  CHECK(node.expected == 2);
  CHECK(node.configured == 2);
  CHECK(ipsec::judge(node, true) == NodeHealth::up);
}

TEST_CASE("status judge: failed, monitor down, unreadable, off")
{
  ipsec::NodeStatus node;
  CHECK(ipsec::judge(node, true) == NodeHealth::failed);
  node.reached = true;
  CHECK(ipsec::judge(node, true) == NodeHealth::monitor_down);

  const auto garbage = tally("segmentation fault\n\x01\x02 what\n", k_chassis, k_chassis[0]);
  CHECK(ipsec::judge(garbage, true) == NodeHealth::unreadable);
  CHECK(ipsec::judge(garbage, false) == NodeHealth::unreadable);

  const auto off = tally("No tunnels configured with IPsec\n", k_chassis, k_chassis[0]);
  CHECK(off.no_tunnels_line);
  CHECK(ipsec::judge(off, false) == NodeHealth::off);
  CHECK(ipsec::judge(off, true) == NodeHealth::incomplete);
}

TEST_CASE("status exit code and summary")
{
  ipsec::StatusReport report;
  report.ipsec_on = true;
  report.flag_source = "kube-system/ovn-central-a";
  report.nodes = {healthy("n1", NodeHealth::up), healthy("n2", NodeHealth::up)};
  CHECK(ipsec::status_exit_code(report) == 0);
  CHECK(ipsec::status_summary(report) == "IPsec is on: 2/2 nodes up");

  report.nodes[1].health = NodeHealth::monitor_down;
  CHECK(ipsec::status_exit_code(report) == 1);
  CHECK(ipsec::status_summary(report) == "IPsec is on: 1/2 nodes up (n2: monitor down)");

  report.ipsec_on = false;
  report.nodes = {healthy("n1", NodeHealth::off), healthy("n2", NodeHealth::off)};
  CHECK(ipsec::status_exit_code(report) == 3);
  CHECK(ipsec::status_summary(report) == "IPsec is off: no node has an IPsec tunnel");
  report.nodes[0].health = NodeHealth::stale;
  CHECK(ipsec::status_exit_code(report) == 1);
  CHECK(ipsec::status_summary(report) == "IPsec is off, but 1/2 nodes are not clean (n1: tunnels remain)");

  report.ipsec_on.reset();
  report.flag_error = "no ready OVN NB leader";
  report.nodes = {healthy("n1", NodeHealth::up)};
  CHECK(ipsec::status_exit_code(report) == 1);
  CHECK(ipsec::status_summary(report) == "NB_Global.ipsec could not be read; 1/1 nodes have every tunnel up");

  report.ipsec_on = true;
  report.nodes.clear();
  CHECK(ipsec::status_exit_code(report) == 1);
  for (int i = 0; i < 8; ++i) {
    report.nodes.push_back(healthy("n" + std::to_string(i), NodeHealth::failed));
  }
  CHECK(ipsec::status_summary(report) ==
        "IPsec is on: 0/8 nodes up (n0: failed, n1: failed, n2: failed, n3: failed, n4: failed and 3 more)");
}
