// verify's probe programs run on text (awk, python3 and sh as the pod has them), its parser and
// its judgement of each node pair.
#include "ipsec/verify_probe.hpp"
#include "ipsec/verify_report.hpp"
#include "output/render_verify.hpp"
#include "support/skip.hpp"
#include "support/subprocess.hpp"
#include "support/testdata.hpp"

#include <doctest/doctest.h>

using namespace ipsec;

namespace {

// `ip -s xfrm state` as iproute2 6.1 prints an installed transport-mode SA pair and a larval
// ACQUIRE entry (SPI 0, as in docs/reference samples ip-xfrm-state.C-*).
const std::string k_xfrm_state = R"(src 10.99.0.11 dst 10.99.0.12
	proto esp spi 0xc39b2a10(3281725968) reqid 1(0x00000001) mode transport
	replay-window 0 seq 0x00000000 flag  (0x00000000)
	aead rfc4106(gcm(aes)) 0x5ec2e8d4c9a9f2d0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9 (224 bits) 128
	anti-replay context: seq 0x0, oseq 0x2a, bitmap 0x00000000
	sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp dport 6081 
	lifetime config:
	  limit: soft (INF)(bytes), hard (INF)(bytes)
	  limit: soft (INF)(packets), hard (INF)(packets)
	  expire add: soft 3232(sec), hard 3600(sec)
	  expire use: soft 0(sec), hard 0(sec)
	lifetime current:
	  6048(bytes), 42(packets)
	  add 2026-12-05 20:31:02 use 2026-12-05 20:31:05
	stats:
	  replay-window 0 replay 0 failed 0
src 10.99.0.12 dst 10.99.0.11
	proto esp spi 0xcf0a7713(3473569555) reqid 1(0x00000001) mode transport
	replay-window 32 seq 0x00000000 flag  (0x00000000)
	aead rfc4106(gcm(aes)) 0x11c2e8d4c9a9f2d0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9 (224 bits) 128
	anti-replay context: seq 0x29, oseq 0x0, bitmap 0xffffffff
	sel src 10.99.0.12/32 dst 10.99.0.11/32 proto udp sport 6081 
	lifetime config:
	  limit: soft (INF)(bytes), hard (INF)(bytes)
	  limit: soft (INF)(packets), hard (INF)(packets)
	  expire add: soft 3301(sec), hard 3600(sec)
	  expire use: soft 0(sec), hard 0(sec)
	lifetime current:
	  5904(bytes), 41(packets)
	  add 2026-12-05 20:31:02 use 2026-12-05 20:31:05
	stats:
	  replay-window 0 replay 0 failed 0
src 10.99.0.11 dst 10.99.0.13
	proto esp spi 0x00000000 reqid 4 mode transport
	replay-window 0 
	anti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
	sel src 10.99.0.11/32 dst 10.99.0.13/32 proto udp sport 53860 dport 6081 dev eth0 
	lifetime config:
	  limit: soft (INF)(bytes), hard (INF)(bytes)
	  limit: soft (INF)(packets), hard (INF)(packets)
	  expire add: soft 0(sec), hard 165(sec)
	  expire use: soft 0(sec), hard 0(sec)
	lifetime current:
	  0(bytes), 0(packets)
	  add 2026-12-05 20:31:02 use -
	stats:
	  replay-window 0 replay 0 failed 0
)";

// tcpdump 4.99 -i any -nn -t: ESP to node2, Geneve in the clear to node3 (carrying an echo),
// NAT-T ESP, IPv6 Geneve, and a Geneve packet whose inner packet is a pod's own ESP.
const std::string k_tcpdump = R"(eth0  Out IP 10.99.0.11 > 10.99.0.12: ESP(spi=0xc39b2a10,seq=0x2b), length 140
eth0  Out IP 10.99.0.11 > 10.99.0.12: ESP(spi=0xc39b2a10,seq=0x2c), length 140
eth0  In  IP 10.99.0.12 > 10.99.0.11: ESP(spi=0xcf0a7713,seq=0x2a), length 140
eth0  Out IP 10.99.0.11.52873 > 10.99.0.13.6081: Geneve, Flags [C], vni 0x1, options [8 bytes]: IP 100.64.0.2 > 100.64.0.4: ICMP echo request, id 4660, seq 0, length 64
eth0  Out IP 10.99.0.11.52873 > 10.99.0.13.6081: Geneve, Flags [C], vni 0x1, options [8 bytes]: IP 100.64.0.2 > 100.64.0.4: ICMP echo request, id 4660, seq 1, length 64
eth0  Out IP 10.99.0.11.4500 > 10.99.0.14.4500: UDP-encap: ESP(spi=0x0badf00d,seq=0x1), length 156
eth0  Out IP6 fd00::11.40000 > fd00::15.6081: Geneve, Flags [C], vni 0x1, options [8 bytes]: IP 100.64.0.2 > 100.64.0.6: ICMP echo request, id 1, seq 0, length 64
eth0  Out IP 10.99.0.11.40001 > 10.99.0.16.6081: Geneve, Flags [C], vni 0x5, options [8 bytes]: IP 10.16.0.5 > 10.16.0.9: ESP(spi=0x01020304,seq=0x1), length 100
)";

std::string
run_awk(std::string_view program, const std::string& input)
{
  const auto r = testsupport::run({"awk", std::string(program)}, {}, input);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out;
}

std::vector<std::string>
sorted_lines(const std::string& text)
{
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    const auto end = text.find('\n', pos);
    lines.push_back(text.substr(pos, end - pos));
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

VerifyNode
node(const std::string& name, const std::string& encap, const std::string& ovn0)
{
  return VerifyNode{name, VerifyFacts{encap, ovn0, 1400, {}}, ""};
}

} // namespace

TEST_CASE("verify: the SA summary keeps addresses, SPI and counters of installed SAs, never keys")
{
  KOI_SKIP_IF_REASON(testsupport::which("awk").empty() ? "no awk on PATH" : "");
  const auto out = run_awk(k_sa_summary_awk, k_xfrm_state);
  CHECK(out == "sa 10.99.0.11 10.99.0.12 0xc39b2a10 6048 42\n"
               "sa 10.99.0.12 10.99.0.11 0xcf0a7713 5904 41\n");
  CHECK(out.find("5ec2e8") == std::string::npos);
}

TEST_CASE("verify: the capture summary counts per destination by the outer header")
{
  KOI_SKIP_IF_REASON(testsupport::which("awk").empty() ? "no awk on PATH" : "");
  const auto lines = sorted_lines(run_awk(k_capture_summary_awk, k_tcpdump));
  CHECK(lines == std::vector<std::string>{
                     "clear 10.99.0.13 2",
                     "clear 10.99.0.16 1",
                     "clear fd00::15 1",
                     "esp 10.99.0.11 1",
                     "esp 10.99.0.12 2",
                     "esp 10.99.0.14 1",
                     "example 10.99.0.13 eth0  Out IP 10.99.0.11.52873 > 10.99.0.13.6081: Geneve, Flags [C], vni 0x1, "
                     "options [8 bytes]: IP 100.64.0.2 > 100.64.0.4: ICMP echo request, id 4660, seq 0, length 64",
                     "example 10.99.0.16 eth0  Out IP 10.99.0.11.40001 > 10.99.0.16.6081: Geneve, Flags [C], vni 0x5, "
                     "options [8 bytes]: IP 10.16.0.5 > 10.16.0.9: ESP(spi=0x01020304,seq=0x1), length 100",
                     "example fd00::15 eth0  Out IP6 fd00::11.40000 > fd00::15.6081: Geneve, Flags [C], vni 0x1, "
                     "options [8 bytes]: IP 100.64.0.2 > 100.64.0.6: ICMP echo request, id 1, seq 0, length 64",
                 });
}

TEST_CASE("verify: the probe's shell and python programs parse")
{
  KOI_SKIP_IF_REASON(testsupport::which("python3").empty() ? "no python3 on PATH" : "");
  const auto py = testsupport::run({"python3", "-c", "import ast, sys; ast.parse(sys.stdin.read())"}, {},
                                   std::string(k_echo_python));
  CHECK_MESSAGE(py.exit_code == 0, py.err);
  const auto argv = verify_probe_command(std::chrono::milliseconds(2000), 1400, {"100.64.0.3", "100.64.0.4"});
  REQUIRE(argv.size() == 12);
  CHECK(argv[0] == "sh");
  CHECK(std::vector<std::string>(argv.begin() + 7, argv.end()) ==
        std::vector<std::string>{"2.0", "17", "1400", "100.64.0.3", "100.64.0.4"});
  const auto sh = testsupport::run({"sh", "-n", "-c", argv[2]});
  CHECK_MESSAGE(sh.exit_code == 0, sh.err);
  const auto facts = testsupport::run({"sh", "-n", "-c", verify_facts_command()[2]});
  CHECK_MESSAGE(facts.exit_code == 0, facts.err);
}

TEST_CASE("verify: facts from a node's pod")
{
  const auto facts = parse_verify_facts("encap-ip \"10.99.0.11,10.98.0.11\"\n"
                                        "ovn0 7: ovn0    inet 100.64.0.2/16 brd 100.64.255.255 scope global ovn0\\ "
                                        "valid_lft forever preferred_lft forever\n"
                                        "mtu 1400\n"
                                        "missing tcpdump\n");
  CHECK(facts.encap_ip == "10.99.0.11");
  CHECK(facts.ovn0_ip == "100.64.0.2");
  CHECK(facts.mtu == 1400);
  CHECK(facts.missing_tools == std::vector<std::string>{"tcpdump"});
  const auto bare = parse_verify_facts("encap-ip \novn0 \nmtu \n");
  CHECK(bare.encap_ip.empty());
  CHECK(bare.ovn0_ip.empty());
  CHECK(bare.mtu == 0);
  CHECK(probe_blocker(VerifyNode{"n1", bare, ""}) == "OVS has no external_ids:ovn-encap-ip");
  CHECK(parse_verify_facts("mtu 99999999999999999999\n").mtu == 0);
}

namespace {

const std::string k_probe_out = "@sa-before\n"
                                "sa-rc 0\n"
                                "sa 10.99.0.11 10.99.0.12 0xc39b2a10 6048 42\n"
                                "@echo\n"
                                "echo 100.64.0.3 10 10\n"
                                "echo 100.64.0.4 10 0\n"
                                "echo 100.64.0.5 10 10\n"
                                "mtu 100.64.0.3 1400 ok 1400\n"
                                "mtu 100.64.0.4 1400 lost 0\n"
                                "mtu 100.64.0.5 1400 lost 1352\n"
                                "@capture 0\n"
                                "esp 10.99.0.12 22\n"
                                "clear 10.99.0.13 12\n"
                                "example 10.99.0.13 eth0  Out IP 10.99.0.11.5 > 10.99.0.13.6081: Geneve\x1b[2J\n"
                                "esp 10.99.0.14 3\n"
                                "capture-stderr tcpdump: data link type LINUX_SLL2\n"
                                "capture-stderr listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot "
                                "length 262144 bytes\n"
                                "capture-stderr 37 packets captured\n"
                                "capture-stderr 40 packets received by filter\n"
                                "capture-stderr 0 packets dropped by kernel\n"
                                "@sa-after\n"
                                "sa-rc 0\n"
                                "sa 10.99.0.11 10.99.0.12 0xc39b2a10 9228 64\n"
                                "sa 10.99.0.11 10.99.0.14 0x0badf00d 300 3\n"
                                "@done\n";

} // namespace

TEST_CASE("verify: a probe's output judged pair by pair")
{
  const auto probe = parse_probe_output(k_probe_out);
  CHECK(probe.capture_ran);
  CHECK(probe.capture_error.empty());
  CHECK(probe.wire.at("10.99.0.13").example.find('\x1b') == std::string::npos);
  CHECK(sa_packets_delta(probe.sas_before, probe.sas_after, "10.99.0.12") == 22);
  CHECK(sa_packets_delta(probe.sas_before, probe.sas_after, "10.99.0.14") == 3); // an SA new in the window

  const auto sender = node("n1", "10.99.0.11", "100.64.0.2");
  const auto n2 = node("n2", "10.99.0.12", "100.64.0.3");
  const auto n3 = node("n3", "10.99.0.13", "100.64.0.4");
  const auto n4 = node("n4", "10.99.0.14", "100.64.0.5");
  const VerifyNode n5{"n5", {}, "pod kube-system/ovs-ovn-5 is not ready (Pending)"};
  const auto rows = judge_probe(sender, {&n2, &n3, &n4, &n5}, probe);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].verdict == Verdict::encrypted);
  CHECK(rows[0].esp_wire == 22);
  CHECK(rows[0].sa_packets == 22);
  CHECK(mtu_ok(rows[0]));
  CHECK(rows[1].verdict == Verdict::not_encrypted);
  CHECK(rows[1].reason == "12 Geneve packets to n3 left in the clear, no ESP SA to it");
  CHECK(rows[2].verdict == Verdict::encrypted);
  CHECK_FALSE(mtu_ok(rows[2]));
  CHECK(rows[2].mtu->largest_ok == 1352);
  CHECK(rows[3].verdict == Verdict::unknown);
  CHECK(rows[3].reason == "n5: pod kube-system/ovs-ovn-5 is not ready (Pending)");

  VerifyReport report{rows, std::chrono::milliseconds(2000)};
  CHECK_FALSE(verify_passed(report));
  CHECK(verify_summary(report) == "NOT verified: 2/4 node pairs encrypted; 1 not encrypted, 1 unknown, "
                                  "1 encrypted pair drops full-MTU packets");
  const auto table = output::render_verify(report, output::Format::table);
  CHECK(table.find("n1     n4   3     0           1400 FAIL (max 1352)   encrypted") != std::string::npos);
  const auto json = output::verify_to_json(report);
  CHECK(json["passed"] == false);
  CHECK(json["pairs"][1]["cleartext"]["packets"] == 12);
  CHECK(json["pairs"][0]["mtu"]["result"] == "ok");
}

TEST_CASE("verify: cleartext next to ESP is a leak; nothing on the wire is unknown; a failed capture proves nothing")
{
  const auto sender = node("n1", "10.99.0.11", "100.64.0.2");
  const auto n2 = node("n2", "10.99.0.12", "100.64.0.3");
  ProbeOutput probe;
  probe.capture_ran = true;
  probe.wire["10.99.0.12"] = WireCount{5, 2, "x"};
  CHECK(judge_probe(sender, {&n2}, probe)[0].verdict == Verdict::leaking);

  probe.wire.clear();
  probe.echo["100.64.0.3"] = EchoCount{10, 0};
  const auto silent = judge_probe(sender, {&n2}, probe)[0];
  CHECK(silent.verdict == Verdict::unknown);
  CHECK(silent.reason == "nothing to n2 on the wire (10 echoes sent, 0 answered)");

  probe.wire["10.99.0.12"] = WireCount{5, 0, ""};
  probe.capture_ran = false;
  probe.capture_error = "tcpdump: any: You don't have permission to perform this capture on that device";
  const auto blind = judge_probe(sender, {&n2}, probe)[0];
  CHECK(blind.verdict == Verdict::unknown);
  CHECK(blind.reason.find("capture failed: tcpdump: any: You don't have permission") != std::string::npos);
}

TEST_CASE("verify: tcpdump's exit and kernel drops decide whether the capture counts")
{
  CHECK_FALSE(parse_probe_output("@capture 1\ncapture-stderr tcpdump: any: no such device\n").capture_ran);
  CHECK(parse_probe_output("@capture 1\ncapture-stderr tcpdump: any: no such device\n").capture_error ==
        "tcpdump: any: no such device");
  CHECK(parse_probe_output("@capture 124\n").capture_ran);
  const auto dropped = parse_probe_output("@capture 0\ncapture-stderr 12 packets dropped by kernel\n");
  CHECK_FALSE(dropped.capture_ran);
  CHECK(dropped.capture_error == "tcpdump dropped 12 packets (the capture may have missed some)");
  CHECK(parse_probe_output("@sa-before\n").capture_error == "the probe ended before its capture");
  CHECK(parse_probe_output("missing tcpdump\n").missing_tools == std::vector<std::string>{"tcpdump"});
}

TEST_CASE("verify: which pairs are probed")
{
  const std::vector<std::string> nodes{"a", "b", "c"};
  const auto all = plan_pairs(nodes, {});
  REQUIRE(all.size() == 3);
  CHECK(all[0].peers == std::vector<std::string>{"b", "c"});
  const auto one = plan_pairs(nodes, {"b"});
  REQUIRE(one.size() == 3);
  CHECK(one[0].sender == "a");
  CHECK(one[0].peers == std::vector<std::string>{"b"});
  CHECK(one[1].peers == std::vector<std::string>{"a", "c"});
  CHECK(one[2].peers == std::vector<std::string>{"b"});
  CHECK(plan_pairs({"a"}, {}).empty());
  CHECK(verify_summary(VerifyReport{}) == "nothing verified: fewer than two nodes to send between");
}

namespace {

// A probe's output assembled from a real capture of one pair (tests/testdata/verify/README.md):
// the SA readings and the tcpdump lines summarized by the probe's own awk programs.
ProbeOutput
probe_from_capture(const std::string& dir)
{
  const auto file = [&](const std::string& name) { return testsupport::read_file(dir + "/" + name); };
  const std::string text = "@sa-before\nsa-rc 0\n" + run_awk(k_sa_summary_awk, file("xfrm-state-before.txt")) +
                           "@echo\necho 100.64.0.3 6 6\nmtu 100.64.0.3 1400 ok 1400\n@capture 0\n" +
                           run_awk(k_capture_summary_awk, file("tcpdump.stdout")) + "@sa-after\nsa-rc 0\n" +
                           run_awk(k_sa_summary_awk, file("xfrm-state-after.txt"));
  return parse_probe_output(text);
}

VerifyNode
node_from_capture(const std::string& name, const std::string& dir)
{
  const auto file = [&](const std::string& f) { return testsupport::read_file(dir + "/" + f); };
  return VerifyNode{name,
                    parse_verify_facts("encap-ip " + file("ovn-encap-ip.txt") + "ovn0 " + file("ip-addr-ovn0.txt") +
                                       "mtu " + file("ovn0-mtu.txt")),
                    ""};
}

} // namespace

TEST_CASE("verify: real captures: the UML lab's Geneve is ESP, the netns lab's goes out in the clear")
{
  KOI_SKIP_IF_REASON(testsupport::which("awk").empty() ? "no awk on PATH" : "");
  const std::string root = testsupport::testdata_path("verify/");
  for (const std::string lab : {"uml", "netns"}) {
    CAPTURE(lab);
    const auto sender = node_from_capture("node1", root + lab + "/ipsec-on/node1");
    const auto peer = node_from_capture("node2", root + lab + "/ipsec-on/node2");
    CHECK(sender.facts.encap_ip == "10.99.0.11");
    CHECK(sender.facts.ovn0_ip == "100.64.0.2");
    CHECK(sender.facts.mtu == 1400);
    CHECK(peer.facts.ovn0_ip == "100.64.0.3");
    const auto rows = judge_probe(sender, {&peer}, probe_from_capture(root + lab + "/ipsec-on/node1/to-node2"));
    REQUIRE(rows.size() == 1);
    if (lab == "uml") {
      CHECK(rows[0].verdict == Verdict::encrypted);
      CHECK(rows[0].esp_wire > 0);
      CHECK(rows[0].sa_packets > 0); // the `dport 6081` SA counted the probe's datagrams
      CHECK(rows[0].clear_wire == 0);
    } else {
      CHECK(rows[0].verdict == Verdict::not_encrypted); // larval states only: no SA with a key
      CHECK_FALSE(rows[0].sa_present);
      CHECK(rows[0].clear_wire > 0);
      CHECK(rows[0].esp_wire == 0);
    }
  }
  // UML with IPsec turned off again: cleartext.
  const auto sender = node_from_capture("node1", root + "uml/ipsec-turned-off/node1");
  const auto peer = node_from_capture("node2", root + "uml/ipsec-turned-off/node2");
  const auto off = judge_probe(sender, {&peer}, probe_from_capture(root + "uml/ipsec-turned-off/node1/to-node2"));
  CHECK(off[0].verdict == Verdict::not_encrypted);
}
