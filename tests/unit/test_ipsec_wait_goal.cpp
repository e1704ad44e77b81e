// The wait's judgement from nodes reduced while their tunnels stream in (ipsec/wait_goal):
// which peers are missing, which node is not readable, the per-node cap on listed items, and
// the goals `removed` and `established`.
#include "ipsec/targets.hpp"
#include "ipsec/wait_goal.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace ipsec;

namespace {

Tunnel
tunnel_to(const std::string& own, const std::string& peer, TunnelState state = TunnelState::configured)
{
  Tunnel t;
  t.interface = "ovn-" + peer.substr(0, 6) + "-0";
  t.local_name = own;
  t.remote_name = peer;
  t.state = state;
  t.complete = true;
  return t;
}

NodeTunnelsResult
fetched(const std::string& node, const std::string& chassis, const std::string& error = "")
{
  NodeTunnelsResult r;
  r.node = node;
  r.chassis = chassis;
  r.error = error;
  if (error.empty()) {
    r.tunnels = NodeTunnels{};
  }
  return r;
}

// Node i (1-based) of `count`, chassis "chassis-<i>", with CONFIGURED tunnels to `peers`.
WaitNode
node_with(ChassisIds& ids, WaitGoal goal, int i, const std::vector<int>& peers)
{
  WaitNodeBuilder builder(ids, goal);
  for (const int peer : peers) {
    builder.add(tunnel_to(fmt::format("chassis-{:02}", i), fmt::format("chassis-{:02}", peer)));
  }
  return builder.finish(fetched(fmt::format("node{:02}", i), fmt::format("chassis-{:02}", i)));
}

} // namespace

TEST_CASE("ipsec::judge_poll: missing peers by node name, an unreadable node, the summary")
{
  ChassisIds ids;
  std::vector<WaitNode> nodes{node_with(ids, WaitGoal::configured, 1, {2}),
                              node_with(ids, WaitGoal::configured, 2, {1, 3}),
                              node_with(ids, WaitGoal::configured, 3, {1, 2})};
  WaitNodeBuilder failing(ids, WaitGoal::configured);
  nodes.push_back(failing.finish(fetched("node04", "", "pod ovs-ovn-x is not ready")));
  const WaitPoll poll = judge_poll(nodes, ids, WaitGoal::configured);
  CHECK(poll.pending == std::vector<std::string>{"node01: no CONFIGURED tunnel to node03 (chassis-03)",
                                                 "node04: cannot read its tunnels: pod ovs-ovn-x is not ready"});
  CHECK(poll.pending_total == 2);
  CHECK(progress_summary(poll, WaitGoal::configured) == "2/4 nodes configured, 2 item(s) pending");

  // A tunnel that is not CONFIGURED does not count; a stale chassis of the same node is no peer.
  ChassisIds ids2;
  WaitNodeBuilder b1(ids2, WaitGoal::configured);
  b1.add(tunnel_to("chassis-01", "chassis-02", TunnelState::init));
  std::vector<WaitNode> two{b1.finish(fetched("node01", "chassis-01")), node_with(ids2, WaitGoal::configured, 2, {1})};
  two.push_back(two.back());
  two.back().chassis = "chassis-old";
  two.back().chassis_id = ids2.id("chassis-old");
  const WaitPoll p2 = judge_poll(two, ids2, WaitGoal::configured);
  CHECK(p2.pending == std::vector<std::string>{"node01: no CONFIGURED tunnel to node02 (chassis-02)",
                                               "node01: no CONFIGURED tunnel to node02 (chassis-old)"});
}

TEST_CASE("ipsec::judge_poll lists at most k_pending_lines_per_node items per node and counts the rest")
{
  ChassisIds ids;
  std::vector<WaitNode> nodes{node_with(ids, WaitGoal::configured, 1, {})};
  for (int i = 2; i <= 16; ++i) {
    nodes.push_back(node_with(ids, WaitGoal::configured, i, {1}));
  }
  const WaitPoll poll = judge_poll(nodes, ids, WaitGoal::configured);
  // node01 misses 15 peers; each other node misses 14 (every one but node01): 10 lines and a count each.
  CHECK(poll.pending_total == 15 + 15 * 14);
  CHECK(poll.pending.size() == 16 * (k_pending_lines_per_node + 1));
  CHECK(poll.pending.front() == "node01: no CONFIGURED tunnel to node02 (chassis-02)");
  CHECK(poll.pending[k_pending_lines_per_node] == "node01: ... and 5 more peers without a CONFIGURED tunnel");
  CHECK(poll.pending.back() == "node16: ... and 4 more peers without a CONFIGURED tunnel");
}

TEST_CASE("ipsec::judge_poll: goals removed and established")
{
  ChassisIds ids;
  std::vector<WaitNode> nodes{node_with(ids, WaitGoal::removed, 1, {2}), node_with(ids, WaitGoal::removed, 2, {})};
  WaitNodeBuilder stopped(ids, WaitGoal::removed);
  nodes.push_back(stopped.finish(fetched("node03", "chassis-03", std::string(k_monitor_not_running))));
  WaitPoll poll = judge_poll(nodes, ids, WaitGoal::removed);
  CHECK(poll.pending ==
        std::vector<std::string>{"node01: still has 1 IPsec tunnel(s)",
                                 "node03: cannot read its tunnels: " + std::string(k_monitor_not_running)});
  CHECK(monitors_down(nodes) == std::vector<std::string>{"node03"});
  poll = judge_poll(nodes, ids, WaitGoal::removed, /*stopped_daemons_are_clean=*/true);
  CHECK(poll.pending == std::vector<std::string>{"node01: still has 1 IPsec tunnel(s)"});
  CHECK(progress_summary(poll, WaitGoal::removed) == "2/3 nodes without IPsec tunnels, 1 item(s) pending");

  ChassisIds ids2;
  std::vector<WaitNode> sas{node_with(ids2, WaitGoal::established, 1, {2}),
                            node_with(ids2, WaitGoal::established, 2, {1})};
  poll = judge_poll(sas, ids2, WaitGoal::established);
  CHECK(poll.pending == std::vector<std::string>{"node01: tunnel ovn-chassi-0 to node02 (chassis-02) has no "
                                                 "established SAs yet (none)",
                                                 "node02: tunnel ovn-chassi-0 to node01 (chassis-01) has no "
                                                 "established SAs yet (none)"});
  CHECK(poll.nodes_waiting == 2);
  CHECK(unnamed_peers(sas, ids2).empty());
}

TEST_CASE("ipsec::judge_poll names a peer that could not be read by the chassis it is given")
{
  // node03 is down: its chassis is known only from the others' tunnels (and its Node's annotation).
  ChassisIds ids;
  std::vector<WaitNode> nodes{node_with(ids, WaitGoal::established, 1, {2, 3}),
                              node_with(ids, WaitGoal::established, 2, {1, 3})};
  WaitNodeBuilder down(ids, WaitGoal::established);
  nodes.push_back(down.finish(fetched("node03", "", "pod ovs-ovn-c is not ready")));
  CHECK(unnamed_peers(nodes, ids) == std::vector<std::string>{"chassis-03"});

  const auto line = [](const WaitPoll& poll, size_t i) { return i < poll.pending.size() ? poll.pending[i] : ""; };
  WaitPoll poll = judge_poll(nodes, ids, WaitGoal::established);
  CHECK(line(poll, 1) == "node01: tunnel ovn-chassi-0 to chassis-03 has no established SAs yet (none)");
  poll = judge_poll(nodes, ids, WaitGoal::established, false, {{"chassis-03", "node03"}, {"chassis-09", "node09"}});
  CHECK(line(poll, 1) == "node01: tunnel ovn-chassi-0 to node03 (chassis-03) has no established SAs yet (none)");
  CHECK(line(poll, 3) == "node02: tunnel ovn-chassi-0 to node03 (chassis-03) has no established SAs yet (none)");
  CHECK(poll.pending_total == 5); // four tunnels without SAs and node03 unreadable
}
