// tunnels/show parser: any chunking gives the same model, linear time at scale, bounded memory,
// and the text helpers (header line, Python dict repr, sanitizing).
#include "ipsec/tunnels_show.hpp"
#include "output/render_tunnels.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace {

using ipsec::NodeTunnels;
using ipsec::Tunnel;
using ipsec::TunnelState;

const std::string k_data_dir = std::string(KOI_SOURCE_DIR) + "/tests/testdata/tunnels-show/";

using testsupport::read_capture;

void
check_same_model(const NodeTunnels& actual, const NodeTunnels& expected)
{
  INFO("expected:\n"
       << output::node_tunnels_to_json(expected).dump(1) << "\nactual:\n"
       << output::node_tunnels_to_json(actual).dump(1));
  CHECK(actual == expected);
}

} // namespace

TEST_CASE("tunnels/show: control characters and bad UTF-8 never reach the model")
{
  const auto model = ipsec::parse_tunnels_show("\x1b[31mred\x07 \xff\xfe caf\xc3\xa9\n");
  REQUIRE(model.unknown_lines.size() == 1);
  CHECK(model.unknown_lines[0] == "?[31mred? ?? caf\xc3\xa9");
  CHECK(ipsec::sanitize_line("a\tb\x7f\xed\xa0\x80\xf0\x9f\x98\x80") == "a\tb????\xf0\x9f\x98\x80");
  // The plain-ASCII prefix is copied whole; whatever follows the first odd byte is still checked.
  CHECK(ipsec::sanitize_line("") == "");
  CHECK(ipsec::sanitize_line("  Local IP:       10.99.0.11") == "  Local IP:       10.99.0.11");
  CHECK(ipsec::sanitize_line("plain~") == "plain~");
  CHECK(ipsec::sanitize_line("plain\x7f") == "plain?");
  CHECK(ipsec::sanitize_line(std::string_view("ab\0cd\x01", 6)) == "ab?cd?");
  CHECK(ipsec::sanitize_line("caf\xc3\xa9 then \x1b") == "caf\xc3\xa9 then ?");
  CHECK(ipsec::plain_prefix("") == 0);
  CHECK(ipsec::plain_prefix("a\tb ~") == 5);
  CHECK(ipsec::plain_prefix("ab\x7f") == 2);
  CHECK(ipsec::plain_prefix("caf\xc3\xa9") == 3);
}

TEST_CASE("tunnels/show: a runaway line is cut, memory stays bounded")
{
  ipsec::TunnelsShowParser parser;
  const std::string chunk(10000, 'x');
  for (int i = 0; i < 20; ++i) { // 200 000 bytes without a newline, fed in pieces
    parser.feed(chunk);
  }
  parser.feed("\nNo tunnels configured with IPsec\n");
  const auto model = parser.finish();
  CHECK(model.no_tunnels);
  REQUIRE(model.unknown_lines.size() == 1);
  CHECK(model.unknown_lines[0].size() == ipsec::k_max_line_length);
  REQUIRE(model.warnings.size() == 2);
  CHECK(model.warnings[0] == "line 1: longer than 65536 bytes, cut");
}

TEST_CASE("tunnels/show: warnings are capped")
{
  std::string text;
  for (int i = 0; i < 60; ++i) {
    text += "junk " + std::to_string(i) + "\n";
  }
  const auto model = ipsec::parse_tunnels_show(text);
  CHECK(model.unknown_lines.size() == 60);
  REQUIRE(model.warnings.size() == ipsec::k_max_warnings + 1);
  CHECK(model.warnings.front() == "line 1: unrecognized line kept: \"junk 0\"");
  CHECK(model.warnings.back() == "11 more warnings not shown");
}

TEST_CASE("tunnels/show streaming: any split gives the same model")
{
  // Every split point of the files that exercise every parser path (a quadratic amount of
  // work, so not all files); 1-byte chunks for every file.
  const std::set<std::string> every_split{"tunnels-show.A-before-ipsec.node1.txt",
                                          "tunnels-show.C-ike-established.node1.txt",
                                          "kube-ovn-docs.v1.12.txt",
                                          "edge.crlf.txt",
                                          "edge.unknown-lines.txt",
                                          "edge.psk-multiline.txt",
                                          "edge.truncated.txt"};
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(k_data_dir)) {
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    ++files;
    const std::string text = read_capture(name);
    const NodeTunnels whole = ipsec::parse_tunnels_show(text);
    ipsec::TunnelsShowParser parser;
    for (size_t split = 0; every_split.count(name) != 0 && split <= text.size(); ++split) {
      parser.feed(std::string_view(text).substr(0, split));
      parser.feed(std::string_view(text).substr(split));
      const auto model = parser.finish(); // also checks that finish() resets the parser
      if (!(model == whole)) {
        FAIL_CHECK("split at byte " << split << " differs");
        break;
      }
    }
    for (const char c : text) {
      parser.feed(std::string_view(&c, 1));
    }
    check_same_model(parser.finish(), whole);
  }
  CHECK(files == 20); // 7 captures, 2 documented samples, 11 edge cases
}

TEST_CASE("tunnels/show streaming: a sink that keeps nothing sees each block as the model has it")
{
  // The parser reuses one block's buffers for the next: a field, policy or SA of the block
  // before must never show through in the next one, whether the sink moves the block out or
  // only looks at it.
  std::string mixed = "Interface name: ovn-aaaaaa-0 v3 (CONFIGURED)\n"
                      "  Tunnel Type:    geneve\n  Local IP:       10.0.0.1\n  Remote IP:      10.0.0.2\n"
                      "  Address Family: IPv4\n  SKB mark:       None\n  Local cert:     /c.pem\n"
                      "  Local name:     aaaa\n  Local key:      /k.pem\n  Remote cert:    /r.pem\n"
                      "  Remote name:    bbbb\n  CA cert:        /ca.pem\n  PSK:            None\n"
                      "  Custom Options: {'encapsulation': 'yes'}\n  Ofport:         7\n  CFM state:      Up\n"
                      "  an odd line\n"
                      "Kernel policies installed:\n";
  for (int i = 0; i < 20; ++i) { // past the policies checked one by one
    const std::string policy = "  src 10.0.0.1/32 dst 10.0.1." + std::to_string(i) + "/32 proto udp\n";
    mixed += policy + policy;
  }
  mixed += "Kernel security associations installed:\n"
           "  sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 6081\n"
           "  sel src 10.0.0.2/32 dst 10.0.0.1/32 proto udp dport 6081\n"
           "  sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp dport 6081\n"
           "IPsec connections that are active:\n  ovn-aaaaaa-0-in-3 ESTABLISHED\n\n"
           // OVS 2.11: fewer fields; one SA, one policy, nothing active; INVALID with a reason.
           "Interface name: ovn-cccccc-0 v1 (INVALID: 'remote_ip' is not set)\n"
           "  Tunnel Type:    vxlan\n  Remote IP:      None\n  Local cert:     None\n"
           "  Ofport:         Not assigned\n  CFM state:      Down\n"
           "Kernel policies installed:\n  src a dst b\n  src a dst b\n"
           "Kernel security associations installed:\n  sel src a dst b\n"
           "IPsec connections that are active:\n\n"
           // A header only, cut off.
           "Interface name: ovn-dddddd-0 v2 (INIT)\n";
  std::vector<std::string> texts{mixed};
  for (const char* name : {"tunnels-show.C-ike-established.node1.txt", "edge.ovs-2.13.txt", "edge.psk-multiline.txt",
                           "edge.unknown-lines.txt", "edge.invalid-reasons.txt", "edge.ipv6.txt"}) {
    texts.push_back(read_capture(name));
  }
  for (const auto& text : texts) {
    const NodeTunnels whole = ipsec::parse_tunnels_show(text);
    REQUIRE(!whole.tunnels.empty());
    std::vector<Tunnel> looked_at;
    std::vector<Tunnel> moved_out;
    ipsec::TunnelsShowParser looking([&](Tunnel&& tunnel) { looked_at.push_back(tunnel); });
    ipsec::TunnelsShowParser moving([&](Tunnel&& tunnel) { moved_out.push_back(std::move(tunnel)); });
    for (size_t at = 0; at < text.size(); at += 7) {
      looking.feed(std::string_view(text).substr(at, 7));
      moving.feed(std::string_view(text).substr(at, 7));
    }
    auto looking_rest = looking.finish();
    auto moving_rest = moving.finish();
    CHECK(looked_at == whole.tunnels);
    CHECK(moved_out == whole.tunnels);
    looking_rest.tunnels = whole.tunnels;
    moving_rest.tunnels = whole.tunnels;
    check_same_model(looking_rest, whole);
    check_same_model(moving_rest, whole);
  }
  const auto first = ipsec::parse_tunnels_show(mixed);
  REQUIRE(first.tunnels.size() == 3);
  CHECK(first.tunnels[0].policies.size() == 20);
  CHECK(first.tunnels[0].sas.size() == 3);
  CHECK(first.tunnels[1].local_ip == std::nullopt);
  CHECK(first.tunnels[1].local_name == std::nullopt);
  CHECK(first.tunnels[1].custom_options == std::nullopt);
  CHECK(first.tunnels[1].ofport == std::nullopt);
  CHECK(first.tunnels[1].policies == std::vector<std::string>{"src a dst b"});
  CHECK(first.tunnels[1].sas == std::vector<std::string>{"sel src a dst b"});
  CHECK(first.tunnels[1].active_connections.empty());
  CHECK(first.tunnels[1].unknown_lines.empty());
  CHECK(first.tunnels[1].invalid_reason == "'remote_ip' is not set");
  CHECK(first.tunnels[2].type == std::nullopt);
  CHECK(first.tunnels[2].invalid_reason.empty());
  CHECK(first.tunnels[2].policies.empty());
}

TEST_CASE("tunnels/show scale: 999 tunnels and many policies stay linear")
{
  const std::string block = read_capture("tunnels-show.C-ike-established.node1.txt");
  const std::string one = block.substr(0, block.find("Interface name:", 1));
  std::string text;
  for (int i = 0; i < 999; ++i) {
    text += one;
  }
  // One tunnel with 60 000 distinct policies, each printed twice (a quadratic dedupe would take minutes).
  text += "Interface name: big v1 (CONFIGURED)\nKernel policies installed:\n";
  for (int i = 0; i < 60000; ++i) {
    const std::string line = "  src 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + "/32 dst x\n";
    text += line + line;
  }
  text += "Kernel security associations installed:\nIPsec connections that are active:\n\n";

  const auto start = std::chrono::steady_clock::now();
  size_t streamed = 0;
  size_t big_policies = 0;
  ipsec::TunnelsShowParser parser([&](Tunnel&& tunnel) {
    ++streamed;
    if (tunnel.interface == "big") {
      big_policies = tunnel.policies.size();
    }
  });
  for (size_t at = 0; at < text.size(); at += 4096) {
    parser.feed(std::string_view(text).substr(at, 4096));
  }
  const auto model = parser.finish();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(streamed == 1000);
  CHECK(big_policies == 60000);
  CHECK(model.tunnels.empty()); // the sink took them
  CHECK(model.warnings.empty());
  CHECK_MESSAGE(seconds < 20.0, "parsing took " << seconds << " s");
}

TEST_CASE("ipsec::parse_tunnel_header")
{
  Tunnel t;
  CHECK(ipsec::parse_tunnel_header("Interface name: ovn-a4718e-0 v12 (CONFIGURED)", t).empty());
  CHECK(t.interface == "ovn-a4718e-0");
  CHECK(t.version == 12u);
  CHECK(t.state == TunnelState::configured);

  Tunnel invalid;
  CHECK(ipsec::parse_tunnel_header("Interface name: x v1 (INVALID: odd (nested) reason)", invalid).empty());
  CHECK(invalid.state == TunnelState::invalid);
  CHECK(invalid.invalid_reason == "odd (nested) reason");
  CHECK(invalid.state_text == "INVALID: odd (nested) reason");

  Tunnel bare;
  CHECK(ipsec::parse_tunnel_header("Interface name: x", bare) == std::vector<std::string>{"no version", "no state"});
  CHECK(bare.interface == "x");
  CHECK(bare.state == TunnelState::unknown);

  Tunnel open;
  CHECK(ipsec::parse_tunnel_header("Interface name: y v2 (CONFIG", open) ==
        std::vector<std::string>{"no closing parenthesis", "unknown state \"CONFIG\""});
  CHECK(open.version == 2u);

  Tunnel nameless;
  CHECK(ipsec::parse_tunnel_header("Interface name: ", nameless) ==
        std::vector<std::string>{"no version", "no interface name", "no state"});
  Tunnel only_version; // ambiguous: read as an interface called "v1"
  CHECK(ipsec::parse_tunnel_header("Interface name:  v1 (INIT)", only_version) ==
        std::vector<std::string>{"no version"});
  CHECK(only_version.interface == "v1");
}

TEST_CASE("ipsec::parse_python_dict reads Python dict reprs")
{
  using ipsec::CustomOptions;
  CHECK(ipsec::parse_python_dict("{}") == CustomOptions{});
  CHECK(ipsec::parse_python_dict(" { } ") == CustomOptions{});
  CHECK(ipsec::parse_python_dict("{'encapsulation': 'yes'}") == CustomOptions{{"encapsulation", "yes"}});
  CHECK(ipsec::parse_python_dict("{'a': 'x', \"b\": \"it's\"}") == CustomOptions{{"a", "x"}, {"b", "it's"}});
  CHECK(ipsec::parse_python_dict(R"({'e': 'q\'s \\ \x41\u00e9\U0001F600'})") ==
        CustomOptions{{"e", "q's \\ A\xc3\xa9\xf0\x9f\x98\x80"}});
  CHECK(ipsec::parse_python_dict(R"({'n': 'a\nb\tc'})") == CustomOptions{{"n", "a?b\tc"}}); // no control chars kept
  CHECK(ipsec::parse_python_dict("{'on': True, 'n': 1}") == CustomOptions{{"on", "True"}, {"n", "1"}});
  CHECK_FALSE(ipsec::parse_python_dict(""));
  CHECK_FALSE(ipsec::parse_python_dict("None"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a': 'b'"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a' 'b'}"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a': 'b'} x"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a': }"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a': 'b\\"));
  CHECK_FALSE(ipsec::parse_python_dict("{'a': '\\x4'}"));
}
