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
