// The cluster-wide tunnels report: names, expected vs seen tunnels, row order.
#include "ipsec/tunnels_report.hpp"
#include "ipsec/tunnels_show.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace {

using ipsec::Chassis;
using ipsec::RowKind;

using testsupport::k_chassis1;
using testsupport::k_chassis2;
using testsupport::k_chassis3;

using testsupport::parse_capture;

ipsec::NodeTunnelsResult
ok_node(const std::string& node, const std::string& chassis, const std::string& file)
{
  return {node, chassis, parse_capture(file), ""};
}

ipsec::NodeTunnelsResult
failed_node(const std::string& node, const std::string& chassis, const std::string& error)
{
  return {node, chassis, std::nullopt, error};
}

// The lab in state C, node3's pod not ready; given out of order on purpose.
ipsec::TunnelsReport
lab_report()
{
  ipsec::TunnelsReport report;
  report.nodes = {failed_node("node3", k_chassis3, "pod ovs-ovn-ccc is not ready (Pending)"),
                  ok_node("node2", k_chassis2, "tunnels-show.C-ike-established.node2.txt"),
                  ok_node("node1", k_chassis1, "tunnels-show.C-ike-established.node1.txt")};
  return report;
}

// A row as one comparable line.
std::string
describe(const ipsec::TunnelRow& row)
{
  static const char* const k_kinds[] = {"tunnel", "missing", "no_tunnels", "unreadable", "failed"};
  return std::string(k_kinds[static_cast<int>(row.kind)]) + "|" + row.result->node + "|" + row.remote_node + "|" +
         (row.tunnel ? row.tunnel->interface : "") + "|" + row.remote_chassis + "|" + row.message;
}

// All rows, one per line, so doctest shows a readable mismatch.
std::string
describe(const std::vector<ipsec::TunnelRow>& rows)
{
  std::string out;
  for (const auto& row : rows) {
    out += describe(row) + "\n";
  }
  return out;
}

std::string
lines(const std::vector<std::string>& rows)
{
  std::string out;
  for (const auto& row : rows) {
    out += row + "\n";
  }
  return out;
}

} // namespace

TEST_CASE("ipsec::all_chassis and chassis_names of a report")
{
  auto report = lab_report();
  report.chassis = {{"44444444-dddd-4000-8000-000000000004", "node4"}, {k_chassis1, ""}, {"", "nameless"}};
  CHECK(ipsec::all_chassis(report) == std::vector<Chassis>{{k_chassis1, "node1"},
                                                           {k_chassis2, "node2"},
                                                           {k_chassis3, "node3"},
                                                           {"44444444-dddd-4000-8000-000000000004", "node4"}});
  const auto names = ipsec::chassis_names(report);
  CHECK(names.chassis == ipsec::all_chassis(report));
  REQUIRE(names.find(k_chassis2) != nullptr);
  CHECK(names.find(k_chassis2)->node == "node2");
  CHECK(names.find("nameless") == nullptr);
  CHECK(names.find("") == nullptr);
}

TEST_CASE("ipsec::remote_node names the peer")
{
  const auto names = ipsec::chassis_names(std::vector<Chassis>{{k_chassis2, "node2"}, {k_chassis1, ""}});
  ipsec::Tunnel tunnel;
  CHECK(ipsec::remote_node(tunnel, names) == "");
  tunnel.remote_ip = "10.99.0.12";
  CHECK(ipsec::remote_node(tunnel, names) == "10.99.0.12"); // PSK mode: no Remote name
  tunnel.remote_name = k_chassis3;
  CHECK(ipsec::remote_node(tunnel, names) == k_chassis3); // unknown chassis: its name
  tunnel.remote_name = k_chassis1;
  CHECK(ipsec::remote_node(tunnel, names) == k_chassis1); // known chassis without a node: its name
  tunnel.remote_name = k_chassis2;
  CHECK(ipsec::remote_node(tunnel, names) == "node2");
}

TEST_CASE("ipsec::expected_peers excludes the node itself and its stale chassis")
{
  const std::vector<Chassis> chassis{
      {k_chassis1, "node1"}, {k_chassis2, "node2"}, {"old-chassis", "node1"}, {k_chassis3, ""}};
  CHECK(ipsec::expected_peers(chassis, failed_node("node1", k_chassis1, "x")) ==
        std::vector<Chassis>{{k_chassis2, "node2"}, {k_chassis3, ""}});
  // Own chassis unknown: the node name still excludes its entries.
  CHECK(ipsec::expected_peers(chassis, failed_node("node1", "", "x")) ==
        std::vector<Chassis>{{k_chassis2, "node2"}, {k_chassis3, ""}});
  CHECK(ipsec::expected_peers({{k_chassis1, "node1"}}, failed_node("node1", k_chassis1, "x"))
            .empty()); // one-node cluster
}

TEST_CASE("ipsec::missing_peers and missing_tunnels")
{
  auto report = lab_report();
  const std::vector<Chassis> chassis = ipsec::all_chassis(report);
  SUBCASE("every expected tunnel is there in state C")
  {
    CHECK(ipsec::missing_tunnels(report) ==
          std::vector<ipsec::MissingTunnels>{{"node1", false, {}},
                                             {"node2", false, {}},
                                             {"node3", true, {{k_chassis1, "node1"}, {k_chassis2, "node2"}}}});
  }
  SUBCASE("a chassis without tunnels to it is missing everywhere")
  {
    report.chassis = {{"44444444-dddd-4000-8000-000000000004", "node4"}};
    const Chassis node4{"44444444-dddd-4000-8000-000000000004", "node4"};
    const auto missing = ipsec::missing_tunnels(report);
    REQUIRE(missing.size() == 3);
    CHECK(missing[0] == ipsec::MissingTunnels{"node1", false, {node4}});
    CHECK(missing[1] == ipsec::MissingTunnels{"node2", false, {node4}});
    CHECK(missing[2] == ipsec::MissingTunnels{"node3", true, {{k_chassis1, "node1"}, {k_chassis2, "node2"}, node4}});
  }
  SUBCASE("IPsec off: every peer is missing")
  {
    const auto node = ok_node("node1", k_chassis1, "tunnels-show.A-before-ipsec.node1.txt");
    CHECK(ipsec::missing_peers(chassis, node, true) ==
          std::vector<Chassis>{{k_chassis2, "node2"}, {k_chassis3, "node3"}});
    CHECK(ipsec::missing_peers(chassis, node, false) ==
          std::vector<Chassis>{{k_chassis2, "node2"}, {k_chassis3, "node3"}});
  }
  SUBCASE("a tunnel that is not CONFIGURED counts only when asked")
  {
    auto node = ok_node("node1", k_chassis1, "tunnels-show.B-configured-no-ike.node1.txt");
    node.tunnels->tunnels[1].state = ipsec::TunnelState::init;
    CHECK(ipsec::missing_peers(chassis, node, true) == std::vector<Chassis>{{k_chassis3, "node3"}});
    CHECK(ipsec::missing_peers(chassis, node, false).empty());
  }
}

TEST_CASE("ipsec::tunnel_rows: stable order, remote node names, one row per failed node")
{
  SUBCASE("the lab in state C")
  {
    const auto report = lab_report();
    CHECK(describe(ipsec::tunnel_rows(report)) == lines({"tunnel|node1|node2|ovn-222222-0|" + k_chassis2 + "|",
                                                         "tunnel|node1|node3|ovn-333333-0|" + k_chassis3 + "|",
                                                         "tunnel|node2|node1|ovn-111111-0|" + k_chassis1 + "|",
                                                         "tunnel|node2|node3|ovn-333333-0|" + k_chassis3 + "|",
                                                         "failed|node3||||pod ovs-ovn-ccc is not ready (Pending)"}));
  }
  SUBCASE("missing, no-tunnels, unreadable, unknown chassis, same remote twice")
  {
    ipsec::TunnelsReport report;
    auto node1 = ok_node("node1", k_chassis1, "tunnels-show.B-configured-no-ike.node1.txt");
    node1.tunnels->tunnels.push_back(node1.tunnels->tunnels[0]);
    node1.tunnels->tunnels.back().interface = "ovn-222222-1";
    node1.tunnels->tunnels.back().remote_name = "99999999-unknown";
    node1.tunnels->tunnels.insert(node1.tunnels->tunnels.begin(), node1.tunnels->tunnels[0]);
    node1.tunnels->tunnels.front().interface = "ovn-222222-9"; // same remote, sorts after -0
    report.nodes = {ok_node("node2", k_chassis2, "tunnels-show.A-before-ipsec.node1.txt"),
                    ok_node("node3", k_chassis3, "edge.empty.txt"), node1,
                    failed_node("node0", "", "exec failed: websocket closed")};
    report.chassis = {{"44444444-dddd-4000-8000-000000000004", ""}};
    CHECK(describe(ipsec::tunnel_rows(report)) ==
          lines({"failed|node0||||exec failed: websocket closed",
                 "missing|node1|44444444-dddd-4000-8000-000000000004||44444444-dddd-4000-8000-000000000004|",
                 "tunnel|node1|99999999-unknown|ovn-222222-1|99999999-unknown|",
                 "tunnel|node1|node2|ovn-222222-0|" + k_chassis2 + "|",
                 "tunnel|node1|node2|ovn-222222-9|" + k_chassis2 + "|",
                 "tunnel|node1|node3|ovn-333333-0|" + k_chassis3 + "|", "no_tunnels|node2||||",
                 "unreadable|node3||||tunnels/show printed nothing"}));
  }
  SUBCASE("a failed node that still has parsed tunnels shows both")
  {
    ipsec::TunnelsReport report;
    auto node = ok_node("node1", k_chassis1, "tunnels-show.B-configured-no-ike.node1.txt");
    node.error = "exec exit code 1";
    report.nodes = {node};
    CHECK(describe(ipsec::tunnel_rows(report)) ==
          lines({"failed|node1||||exec exit code 1", "tunnel|node1|" + k_chassis2 + "|ovn-222222-0|" + k_chassis2 + "|",
                 "tunnel|node1|" + k_chassis3 + "|ovn-333333-0|" + k_chassis3 + "|"}));
  }
  SUBCASE("a failed node without a message")
  {
    ipsec::TunnelsReport report;
    report.nodes = {failed_node("node1", k_chassis1, "")};
    CHECK(describe(ipsec::tunnel_rows(report)) == lines({"failed|node1||||no output"}));
  }
}

TEST_CASE("ipsec::report_warnings prefixes the node")
{
  ipsec::TunnelsReport report;
  report.nodes = {ok_node("node2", k_chassis2, "seed-user-doc.txt"), ok_node("node1", k_chassis1, "edge.empty.txt"),
                  failed_node("node3", k_chassis3, "x")};
  CHECK(ipsec::report_warnings(report) ==
        std::vector<std::string>{"node1: tunnels/show printed nothing",
                                 "node2: output ends inside the block of \"ovn-9aa51f-0\" (cut off?)"});
}

TEST_CASE("tunnels report: trustworthy only when every node answered with output it can read")
{
  ipsec::TunnelsReport report;
  report.nodes = {ok_node("n1", k_chassis1, "tunnels-show.C-ike-established.node1.txt"),
                  ok_node("n2", k_chassis2, "tunnels-show.A-before-ipsec.node1.txt")};
  CHECK(ipsec::report_trustworthy(report));

  auto with = [&](ipsec::NodeTunnelsResult node) {
    auto copy = report;
    copy.nodes.push_back(std::move(node));
    return ipsec::report_trustworthy(copy);
  };
  CHECK_FALSE(with(failed_node("n3", k_chassis3, "pod is not ready")));
  CHECK_FALSE(with(ok_node("n3", k_chassis3, "edge.truncated.txt")));
  CHECK_FALSE(with(ok_node("n3", k_chassis3, "edge.empty.txt")));
  CHECK_FALSE(with({"n3", k_chassis3, ipsec::parse_tunnels_show("(((\n)))\n"), ""}));
  CHECK_FALSE(with({"n3", k_chassis3, ipsec::parse_tunnels_show("Interface name: ovn-111111-0 v1 (WEIRD)\n\n"), ""}));
  CHECK(with(ok_node("n3", k_chassis3, "edge.ovs-2.13.txt"))); // an older field set is fine
  CHECK(with({"n3", k_chassis3,
              ipsec::parse_tunnels_show("banner from a newer OVS\nNo tunnels configured with IPsec\n"), ""}));
}
