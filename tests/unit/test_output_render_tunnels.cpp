// The tunnels report renderers. Goldens: tests/testdata/golden/tunnels.*; regenerate with
// KOI_UPDATE_GOLDEN=1 ./ko_ipsec_tests -tc='*golden*' and review the diff by eye.
#include "ipsec/tunnels_show.hpp"
#include "output/render_tunnels.hpp"
#include "output/yaml.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace {

using testsupport::k_chassis1;
using testsupport::k_chassis2;
using testsupport::k_chassis3;

using testsupport::parse_capture;

std::vector<std::string>
split_lines(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Line by line: "-" what the golden file has, "+" what the code produced.
std::string
diff(const std::string& expected, const std::string& actual)
{
  const auto want = split_lines(expected);
  const auto got = split_lines(actual);
  std::string out;
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string* a = i < want.size() ? &want[i] : nullptr;
    const std::string* b = i < got.size() ? &got[i] : nullptr;
    if (a && b && *a == *b) {
      continue;
    }
    out += "line " + std::to_string(i + 1) + ":\n";
    out += a ? "- " + *a + "\n" : "- (none)\n";
    out += b ? "+ " + *b + "\n" : "+ (none)\n";
  }
  return out;
}

void
check_golden(const std::string& name, const std::string& actual)
{
  const std::string path = std::string(KOI_SOURCE_DIR) + "/tests/testdata/golden/" + name;
  const char* update = std::getenv("KOI_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path << ": review it before committing");
    return;
  }
  const std::string expected = std::filesystem::exists(path) ? testsupport::read_file(path) : "";
  if (expected != actual) {
    FAIL_CHECK("output differs from " << path << " (KOI_UPDATE_GOLDEN=1 rewrites it)\n"
                                      << diff(expected, actual) << "--- full output:\n"
                                      << actual);
  }
}

// The lab in state C, node3's pod not ready.
ipsec::TunnelsReport
lab_state_c_report()
{
  ipsec::TunnelsReport report;
  report.nodes = {{"node1", k_chassis1, parse_capture("tunnels-show.C-ike-established.node1.txt"), ""},
                  {"node2", k_chassis2, parse_capture("tunnels-show.C-ike-established.node2.txt"), ""},
                  {"node3", k_chassis3, std::nullopt, "pod kube-system/ovs-ovn-x7k2p is not ready (Pending)"}};
  return report;
}

} // namespace

TEST_CASE("render_tunnels golden files: lab state C, one node failed")
{
  const auto report = lab_state_c_report();
  check_golden("tunnels.table.txt", output::render_tunnels(report, output::Format::table));
  check_golden("tunnels.wide.txt", output::render_tunnels(report, output::Format::wide));
  check_golden("tunnels.json", output::render_tunnels(report, output::Format::json));
  check_golden("tunnels.yaml", output::render_tunnels(report, output::Format::yaml));
}

TEST_CASE("render_tunnels: json and yaml are the same document")
{
  const auto report = lab_state_c_report();
  const auto document = output::tunnels_to_json(report);
  CHECK(nlohmann::json::parse(output::render_tunnels(report, output::Format::json)) == document);
  CHECK(output::render_tunnels(report, output::Format::yaml) == output::to_yaml(document));
}

TEST_CASE("render_tunnels: every row kind in the table")
{
  ipsec::TunnelsReport report;
  auto invalid = parse_capture("edge.invalid-reasons.txt");
  invalid.tunnels.resize(1); // 'remote_ip' is not set
  report.nodes = {{"node1", k_chassis1, parse_capture("tunnels-show.B-configured-no-ike.node1.txt"), ""},
                  {"node2", k_chassis2, parse_capture("tunnels-show.A-before-ipsec.node1.txt"), ""},
                  {"node3", k_chassis3, parse_capture("edge.empty.txt"), ""},
                  {"node4", "", parse_capture("edge.truncated.txt"), ""},
                  {"node5", "", invalid, ""}};
  report.chassis = {{"66666666-ffff-4000-8000-000000000006", "node6"}};
  // node4/node5 have no chassis of their own: their tunnels' Local name (node1's) stands in.
  CHECK(output::render_tunnels(report, output::Format::table) ==
        "NODE    REMOTE NODE   INTERFACE      STATE        LOCAL IP     REMOTE IP    SAS               POLICIES   "
        "MESSAGE\n"
        "node1   node2         ovn-222222-0   CONFIGURED   10.99.0.11   10.99.0.12   0                 2\n"
        "node1   node3         ovn-333333-0   CONFIGURED   10.99.0.11   10.99.0.13   0                 2\n"
        "node1   node6         -              MISSING      -            -            -                 -          not "
        "in tunnels/show (see ovs-monitor-ipsec.log)\n"
        "node2   -             -              NO-TUNNELS   -            -            -                 -\n"
        "node3   -             -              UNKNOWN      -            -            -                 -          "
        "tunnels/show printed nothing\n"
        "node4   node2         ovn-222222-0   CONFIGURED   10.99.0.11   10.99.0.12   0 (1 acquiring)   2\n"
        "node4   node3         ovn-333333-0   CONFIGURED   10.99.0.11   10.99.0.13   0                 1          "
        "output cut off\n"
        "node4   node6         -              MISSING      -            -            -                 -          not "
        "in tunnels/show (see ovs-monitor-ipsec.log)\n"
        "node5   node2         ovn-aaaaa1-0   INVALID      10.99.0.11   -            0                 0          "
        "'remote_ip' is not set\n"
        "node5   node3         -              MISSING      -            -            -                 -          not "
        "in tunnels/show (see ovs-monitor-ipsec.log)\n"
        "node5   node6         -              MISSING      -            -            -                 -          not "
        "in tunnels/show (see ovs-monitor-ipsec.log)\n");
}

TEST_CASE("render_tunnels: no MESSAGE column when no row needs one")
{
  ipsec::TunnelsReport report;
  report.nodes = {{"node1", k_chassis1, parse_capture("tunnels-show.A-before-ipsec.node1.txt"), ""}};
  CHECK(output::render_tunnels(report, output::Format::table) ==
        "NODE    REMOTE NODE   INTERFACE   STATE        LOCAL IP   REMOTE IP   SAS   POLICIES\n"
        "node1   -             -           NO-TUNNELS   -          -           -     -\n");
}

TEST_CASE("render_tunnels: wide adds the short fields, PSK only as set/unset; names and paths are in json")
{
  ipsec::TunnelsReport report;
  report.nodes = {{"host1", "", parse_capture("edge.psk.txt"), ""}};
  CHECK(output::render_tunnels(report, output::Format::wide) ==
        "NODE    REMOTE NODE   INTERFACE   STATE        LOCAL IP   REMOTE IP   SAS   POLICIES   TYPE   FAMILY   PSK   "
        "OFPORT   CFM   ACTIVE\n"
        "host1   2.2.2.2       tun         CONFIGURED   1.1.1.1    2.2.2.2     2     1          gre    IPv4     set   "
        "1        Up    1\n");
}

TEST_CASE("render_tunnels: no secret from any fixture reaches any format")
{
  ipsec::TunnelsReport report;
  report.nodes = {{"a", "", parse_capture("edge.psk.txt"), ""},
                  {"b", "", parse_capture("edge.psk-multiline.txt"), ""},
                  {"c", "", parse_capture("edge.invalid-reasons.txt"), ""},
                  {"d", "", parse_capture("edge.unknown-lines.txt"), ""}};
  for (const auto format : {output::Format::table, output::Format::wide, output::Format::json, output::Format::yaml}) {
    const std::string text = output::render_tunnels(report, format);
    CAPTURE(text);
    for (const auto* secret : {"swordfish", "s3cr3t-psk-value", "half-of-key", "third-part", "topsecret"}) {
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  std::map<std::string, std::string> psk_by_interface;
  const auto document = output::tunnels_to_json(report);
  for (const auto& node : document["nodes"]) {
    for (const auto& tunnel : node["tunnels"]) {
      psk_by_interface[tunnel["interface"]] = tunnel["psk"].is_null() ? "null" : tunnel["psk"].get<std::string>();
    }
  }
  INFO(nlohmann::json(psk_by_interface).dump());
  CHECK(psk_by_interface == std::map<std::string, std::string>{{"tun", "set"},
                                                               {"tun2", "set"},
                                                               {"ovn-aaaaa1-0", "unset"},
                                                               {"ovn-aaaaa2-0", "set"},
                                                               {"ovn-aaaaa3-0", "unset"},
                                                               {"ovn-aaaaa4-0", "unset"},
                                                               {"ovn-aaaaa5-0", "unset"},
                                                               {"ovn-aaaaa6-0", "unset"},
                                                               {"ovn-222222-0", "unset"},
                                                               {"ovn 333333 weird", "null"}});
}

TEST_CASE("render_tunnels: odd bytes in an error never break json or yaml")
{
  ipsec::TunnelsReport report;
  report.nodes = {{"node1", "", std::nullopt, "exec failed: \xff\xfe\x1b[2J"}};
  const std::string rendered = output::render_tunnels(report, output::Format::json);
  CHECK(rendered.find("\"error\": \"exec failed: \xef\xbf\xbd\xef\xbf\xbd\\u001b[2J\"") != std::string::npos);
  // The YAML reads back to the same error text as the JSON (U+FFFD for each bad byte, ESC kept).
  const YAML::Node yaml = YAML::Load(output::render_tunnels(report, output::Format::yaml));
  REQUIRE(yaml["nodes"].IsSequence());
  REQUIRE(yaml["nodes"].size() == 1);
  CHECK(yaml["nodes"][0]["error"].as<std::string>() ==
        nlohmann::json::parse(rendered)["nodes"][0]["error"].get<std::string>());
  CHECK(yaml["nodes"][0]["error"].as<std::string>() == "exec failed: \xef\xbf\xbd\xef\xbf\xbd\x1b[2J");
  CHECK(output::render_tunnels(report, output::Format::table) ==
        "NODE    REMOTE NODE   INTERFACE   STATE   LOCAL IP   REMOTE IP   SAS   POLICIES   MESSAGE\n"
        "node1   -             -           ERROR   -          -           -     -          exec failed: ???[2J\n");
}

TEST_CASE("output::state_word and output::sa_cell")
{
  ipsec::Tunnel tunnel;
  CHECK(output::state_word(tunnel) == "UNKNOWN");
  tunnel.state_text = "DEGRADED";
  CHECK(output::state_word(tunnel) == "DEGRADED");
  tunnel.state = ipsec::TunnelState::removed;
  CHECK(output::state_word(tunnel) == "REMOVED");
  CHECK(output::sa_cell(tunnel) == "0");
  tunnel.sas = {"sel src 1.1.1.1/32 dst 2.2.2.2/32 proto udp sport 1 dport 6081 dev eth0", "junk",
                "sel src 1.1.1.1/32 dst 2.2.2.2/32 proto udp dport 6081"};
  CHECK(output::sa_cell(tunnel) == "1 (1 acquiring, 1 unrecognized)");
}
