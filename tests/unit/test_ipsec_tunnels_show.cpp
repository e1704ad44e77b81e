// tunnels/show parser: exact models for every real capture, the documented samples and the
// hand-made edge cases under tests/testdata/tunnels-show/. Streaming, scale and the text
// helpers: test_ipsec_tunnels_show_stream.cpp.
#include "ipsec/tunnels_show.hpp"
#include "output/render_tunnels.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace {

using ipsec::NodeTunnels;
using ipsec::PskState;
using ipsec::Tunnel;
using ipsec::TunnelState;

using testsupport::read_capture;

// Both models as JSON, plus the fields JSON does not show, so a mismatch is easy to read.
std::string
describe(const NodeTunnels& model)
{
  std::string text = output::node_tunnels_to_json(model).dump(1);
  for (const auto& tunnel : model.tunnels) {
    text += "\nstate_text[" + tunnel.interface + "] = \"" + tunnel.state_text + "\"";
  }
  return text;
}

void
check_model(const NodeTunnels& actual, const NodeTunnels& expected)
{
  INFO("expected:\n" << describe(expected) << "\nactual:\n" << describe(actual));
  CHECK(actual == expected);
}

std::string
lab_chassis(int n)
{
  switch (n) {
  case 1:
    return "11111111-aaaa-4000-8000-000000000001";
  case 2:
    return "22222222-bbbb-4000-8000-000000000002";
  default:
    return "33333333-cccc-4000-8000-000000000003";
  }
}

std::string
lab_ip(int n)
{
  return "10.99.0.1" + std::to_string(n);
}

// A tunnel of the lab captures (node `self` → node `peer`), every field spelled out.
Tunnel
lab_tunnel(int self, int peer, std::int64_t ofport, std::vector<std::string> sas = {}, bool policies = true)
{
  Tunnel t;
  t.interface = "ovn-" + std::string(6, static_cast<char>('0' + peer)) + "-0";
  t.version = 1;
  t.state = TunnelState::configured;
  t.state_text = "CONFIGURED";
  t.invalid_reason = "";
  t.type = "geneve";
  t.local_ip = lab_ip(self);
  t.remote_ip = lab_ip(peer);
  t.address_family = "IPv4";
  t.skb_mark = std::nullopt;
  t.local_cert = "/etc/ipsec.d/certs/" + lab_chassis(self) + "-cert.pem";
  t.local_name = lab_chassis(self);
  t.local_key = "/etc/ipsec.d/private/" + lab_chassis(self) + "-privkey.pem";
  t.remote_cert = std::nullopt;
  t.remote_name = lab_chassis(peer);
  t.ca_cert = "/etc/ipsec.d/cacerts/cacert.pem";
  t.psk = PskState::unset;
  t.custom_options = ipsec::CustomOptions{};
  t.ofport = ofport;
  t.cfm_state = "Disabled";
  if (policies) {
    const std::string prefix = "src " + lab_ip(self) + "/32 dst " + lab_ip(peer) + "/32 proto udp ";
    t.policies = {prefix + "dport 6081", prefix + "sport 6081"};
  }
  t.sas = std::move(sas);
  t.active_connections = {};
  t.unknown_lines = {};
  t.complete = true;
  return t;
}

// The defaults of the hand-made edge files (see how they were written: same field values).
Tunnel
edge_tunnel(const std::string& interface, TunnelState state, const std::string& state_text)
{
  Tunnel t = lab_tunnel(1, 2, 1, {}, false);
  t.interface = interface;
  t.state = state;
  t.state_text = state_text;
  t.local_cert = "/etc/ipsec.d/certs/local-cert.pem";
  t.local_key = "/etc/ipsec.d/private/local-privkey.pem";
  return t;
}

NodeTunnels
with_tunnels(std::vector<Tunnel> tunnels)
{
  NodeTunnels model;
  model.tunnels = std::move(tunnels);
  return model;
}

} // namespace

TEST_CASE("tunnels/show captures from the lab parse to exact models")
{
  SUBCASE("A: IPsec off is a state, not an error")
  {
    NodeTunnels expected;
    expected.no_tunnels = true;
    check_model(ipsec::parse_tunnels_show(read_capture("tunnels-show.A-before-ipsec.node1.txt")), expected);
  }
  SUBCASE("B: configured, no IKE; duplicated policy lines collapse")
  {
    check_model(ipsec::parse_tunnels_show(read_capture("tunnels-show.B-configured-no-ike.node1.txt")),
                with_tunnels({lab_tunnel(1, 2, 1), lab_tunnel(1, 3, 2)}));
  }
  SUBCASE("C: larval ACQUIRE selectors are kept as SA lines")
  {
    check_model(
        ipsec::parse_tunnels_show(read_capture("tunnels-show.C-ike-established.node1.txt")),
        with_tunnels(
            {lab_tunnel(1, 2, 1, {"sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 53635 dport 6081 dev eth0"}),
             lab_tunnel(1, 3, 2,
                        {"sel src 10.99.0.11/32 dst 10.99.0.13/32 proto udp sport 53860 dport 6081 dev eth0"})}));
    check_model(
        ipsec::parse_tunnels_show(read_capture("tunnels-show.C-ike-established.node2.txt")),
        with_tunnels(
            {lab_tunnel(2, 3, 2, {"sel src 10.99.0.12/32 dst 10.99.0.13/32 proto udp sport 57858 dport 6081 dev eth0"}),
             lab_tunnel(2, 1, 1)}));
    check_model(ipsec::parse_tunnels_show(read_capture("tunnels-show.C-ike-established.node3.txt")),
                with_tunnels({lab_tunnel(3, 1, 1), lab_tunnel(3, 2, 2)}));
  }
  SUBCASE("D: larval states expired, same as B")
  {
    check_model(ipsec::parse_tunnels_show(read_capture("tunnels-show.D-ike-3min-later.node1.txt")),
                with_tunnels({lab_tunnel(1, 2, 1), lab_tunnel(1, 3, 2)}));
  }
  SUBCASE("libipsec: no kernel policies at all")
  {
    check_model(ipsec::parse_tunnels_show(read_capture("tunnels-show.libipsec-ike-only.node1.txt")),
                with_tunnels({lab_tunnel(1, 2, 1, {}, false), lab_tunnel(1, 3, 2, {}, false)}));
  }
}

TEST_CASE("tunnels/show documented samples")
{
  SUBCASE("Kube-OVN docs v1.12 (ipsec.sh status, with its banner line)")
  {
    Tunnel t;
    t.interface = "ovn-a4718e-0";
    t.version = 1;
    t.state = TunnelState::configured;
    t.state_text = "CONFIGURED";
    t.type = "geneve";
    t.local_ip = "172.18.0.2";
    t.remote_ip = "172.18.0.4";
    t.address_family = "IPv4";
    t.local_cert = "/etc/ipsec.d/certs/8aebd9df-46ef-47b9-85e3-73e9a765296d-cert.pem";
    t.local_name = "8aebd9df-46ef-47b9-85e3-73e9a765296d";
    t.local_key = "/etc/ipsec.d/private/8aebd9df-46ef-47b9-85e3-73e9a765296d-privkey.pem";
    t.remote_name = "a4718e55-5b85-4f46-90e6-63527d080590";
    t.ca_cert = "/etc/ipsec.d/cacerts/cacert.pem";
    t.psk = PskState::unset;
    t.custom_options = ipsec::CustomOptions{};
    t.ofport = 2;
    t.cfm_state = "Disabled";
    t.policies = {"src 172.18.0.2/32 dst 172.18.0.4/32 proto udp sport 6081",
                  "src 172.18.0.2/32 dst 172.18.0.4/32 proto udp dport 6081"};
    t.sas = {"sel src 172.18.0.2/32 dst 172.18.0.4/32 proto udp sport 6081",
             "sel src 172.18.0.4/32 dst 172.18.0.2/32 proto udp dport 6081",
             "sel src 172.18.0.2/32 dst 172.18.0.4/32 proto udp dport 6081",
             "sel src 172.18.0.4/32 dst 172.18.0.2/32 proto udp sport 6081"};
    t.complete = true;
    NodeTunnels expected = with_tunnels({t});
    expected.unknown_lines = {" Pod {ovs-ovn-d7hdt} ipsec status..."};
    expected.warnings = {"line 1: unrecognized line kept: \"Pod {ovs-ovn-d7hdt} ipsec status...\""};
    check_model(ipsec::parse_tunnels_show(read_capture("kube-ovn-docs.v1.12.txt")), expected);
  }
  SUBCASE("the user's doc: no Custom Options, excerpt ends after the SAs")
  {
    Tunnel t;
    t.interface = "ovn-9aa51f-0";
    t.version = 1;
    t.state = TunnelState::configured;
    t.state_text = "CONFIGURED";
    t.type = "geneve";
    t.local_ip = "172.18.0.2";
    t.remote_ip = "172.18.0.4";
    t.address_family = "IPv4";
    t.local_cert = "/etc/ipsec.d/certs/6b8c6eec-eddc-4c02-a12d-c958690f6cd3-cert.pem";
    t.local_name = "6b8c6eec-eddc-4c02-a12d-c958690f6cd3";
    t.local_key = "/etc/ipsec.d/private/6b8c6eec-eddc-4c02-a12d-c958690f6cd3-privkey.pem";
    t.remote_name = "9aa51f22-8ae4-49a1-8937-b0741f5c6bbc";
    t.ca_cert = "/etc/ipsec.d/cacerts/cacert.pem";
    t.psk = PskState::unset;
    t.ofport = 1;
    t.cfm_state = "Disabled";
    t.policies = {"src 172.18.0.2/32 dst 172.18.0.4/32 proto udp dport 6081",
                  "src 172.18.0.2/32 dst 172.18.0.4/32 proto udp sport 6081"};
    t.sas = {"sel src 172.18.0.2/32 dst 172.18.0.4/32 proto udp dport 6081",
             "sel src 172.18.0.4/32 dst 172.18.0.2/32 proto udp sport 6081",
             "sel src 172.18.0.2/32 dst 172.18.0.4/32 proto udp sport 6081",
             "sel src 172.18.0.4/32 dst 172.18.0.2/32 proto udp dport 6081"};
    t.complete = false;
    NodeTunnels expected = with_tunnels({t});
    expected.truncated = true;
    expected.warnings = {"output ends inside the block of \"ovn-9aa51f-0\" (cut off?)"};
    check_model(ipsec::parse_tunnels_show(read_capture("seed-user-doc.txt")), expected);
  }
}

TEST_CASE("tunnels/show edge cases")
{
  SUBCASE("INVALID with each documented reason")
  {
    const std::vector<std::string> reasons{
        "'remote_ip' is not set",
        "'certificate', 'private_key', 'ca_cert', 'remote_cert', and 'remote_name' must be unset with PSK",
        "must set 'certificate' as local certificate when using CA-signed certificate or self-signed certificate to "
        "authenticate peers",
        "must set 'private_key' as local private key when using CA-signed certificate or self-signed certificate to "
        "authenticate peers",
        "must set 'remote_cert' when using self-signed certificate authentication or 'ca_cert' when using CA-signed "
        "certificate authentication",
        "must choose a authentication method"};
    std::vector<Tunnel> tunnels;
    for (size_t i = 0; i < reasons.size(); ++i) {
      Tunnel t =
          edge_tunnel("ovn-aaaaa" + std::to_string(i + 1) + "-0", TunnelState::invalid, "INVALID: " + reasons[i]);
      t.invalid_reason = reasons[i];
      tunnels.push_back(t);
    }
    tunnels[0].remote_ip = std::nullopt;
    tunnels[1].psk = PskState::set;
    tunnels[1].remote_cert = "/etc/ipsec.d/certs/peer-cert.pem";
    tunnels[2].local_cert = std::nullopt;
    tunnels[2].local_name = std::nullopt;
    tunnels[3].local_key = std::nullopt;
    tunnels[4].ca_cert = std::nullopt;
    tunnels[5].remote_name = tunnels[5].local_cert = tunnels[5].local_name = tunnels[5].local_key = tunnels[5].ca_cert =
        std::nullopt;
    check_model(ipsec::parse_tunnels_show(read_capture("edge.invalid-reasons.txt")), with_tunnels(tunnels));
  }
  SUBCASE("INIT v0 and REMOVED, Ofport not assigned")
  {
    Tunnel init = edge_tunnel("ovn-bbbbb1-0", TunnelState::init, "INIT");
    init.version = 0;
    init.ofport = std::nullopt;
    Tunnel removed = edge_tunnel("ovn-bbbbb2-0", TunnelState::removed, "REMOVED");
    removed.version = 3;
    removed.ofport = std::nullopt;
    removed.remote_ip = "10.99.0.13";
    removed.remote_name = lab_chassis(3);
    removed.policies = {"src 10.99.0.11/32 dst 10.99.0.13/32 proto udp dport 6081"};
    check_model(ipsec::parse_tunnels_show(read_capture("edge.init-removed.txt")), with_tunnels({init, removed}));
  }
  SUBCASE("no tunnels with CRLF, and CRLF captures equal LF ones")
  {
    NodeTunnels expected;
    expected.no_tunnels = true;
    check_model(ipsec::parse_tunnels_show(read_capture("edge.no-tunnels-crlf.txt")), expected);
    check_model(ipsec::parse_tunnels_show(read_capture("edge.crlf.txt")),
                ipsec::parse_tunnels_show(read_capture("tunnels-show.B-configured-no-ike.node1.txt")));
    check_model(ipsec::parse_tunnels_show("No tunnels configured with IPsec"), expected); // no newline
  }
  SUBCASE("IPv6 with custom options")
  {
    Tunnel t = edge_tunnel("ovn-222222-0", TunnelState::configured, "CONFIGURED");
    t.version = 2;
    t.local_ip = "fd00::11";
    t.remote_ip = "fd00:0:0::12";
    t.address_family = "IPv6";
    t.custom_options = ipsec::CustomOptions{{"forceencaps", "yes"}, {"note", "it's \\ ok"}};
    t.ofport = 7;
    t.policies = {"src fd00::11/128 dst fd00::12/128 proto udp dport 6081",
                  "src fd00::11/128 dst fd00::12/128 proto udp sport 6081"};
    t.sas = {"sel src fd00::11/128 dst fd00::12/128 proto udp sport 6081",
             "sel src fd00::12/128 dst fd00::11/128 proto udp dport 6081",
             "sel src fd00::11/128 dst fd00::12/128 proto udp dport 6081",
             "sel src fd00::12/128 dst fd00::11/128 proto udp sport 6081"};
    check_model(ipsec::parse_tunnels_show(read_capture("edge.ipv6.txt")), with_tunnels({t}));
  }
  SUBCASE("PSK mode (OVS tutorial): the key is never kept")
  {
    Tunnel t = edge_tunnel("tun", TunnelState::configured, "CONFIGURED");
    t.version = 7;
    t.type = "gre";
    t.local_ip = "1.1.1.1";
    t.remote_ip = "2.2.2.2";
    t.local_cert = t.local_name = t.local_key = t.remote_name = t.ca_cert = std::nullopt;
    t.psk = PskState::set;
    t.custom_options = ipsec::CustomOptions{{"encapsulation", "yes"}};
    t.cfm_state = "Up";
    t.policies = {"src 1.1.1.1/32 dst 2.2.2.2/32 proto gre"};
    t.sas = {"sel src 1.1.1.1/32 dst 2.2.2.2/32 proto gre", "sel src 2.2.2.2/32 dst 1.1.1.1/32 proto gre"};
    t.active_connections = {
        "#3: \"tun-7\" esp.bbf4a938@2.2.2.2 esp.dcb11de@1.1.1.1 Traffic: ESPin=0B ESPout=0B ESPmax=2^63B"};
    const auto model = ipsec::parse_tunnels_show(read_capture("edge.psk.txt"));
    check_model(model, with_tunnels({t}));
    CHECK(describe(model).find("swordfish") == std::string::npos);
  }
  SUBCASE("PSK spilling over lines: the spilled lines are dropped, not kept")
  {
    Tunnel t = edge_tunnel("tun2", TunnelState::configured, "CONFIGURED");
    t.local_cert = t.local_name = t.local_key = t.remote_name = t.ca_cert = std::nullopt;
    t.psk = PskState::set;
    NodeTunnels expected = with_tunnels({t});
    expected.warnings = {"line 14: line after the PSK field dropped unread (it may hold part of the key)",
                         "line 15: line after the PSK field dropped unread (it may hold part of the key)"};
    const auto model = ipsec::parse_tunnels_show(read_capture("edge.psk-multiline.txt"));
    check_model(model, expected);
    CHECK(describe(model).find("half-of-key") == std::string::npos);
    CHECK(describe(model).find("third-part") == std::string::npos);
  }
  SUBCASE("PSK whose spilled line looks like a field, and Custom Options carrying a key: nothing of either kept")
  {
    const auto model = ipsec::parse_tunnels_show("Interface name: t v1 (CONFIGURED)\n"
                                                 "  PSK:            first\n"
                                                 "  spilled-secret: value-part\n"
                                                 "  Custom Options: {'psk': 'opt-secret', 'encapsulation': 'yes'}\n"
                                                 "  Ofport:         4\n"
                                                 "Kernel policies installed:\n"
                                                 "Kernel security associations installed:\n"
                                                 "IPsec connections that are active:\n"
                                                 "\n");
    REQUIRE(model.tunnels.size() == 1);
    CHECK(model.tunnels[0].unknown_lines.empty());
    REQUIRE(model.tunnels[0].custom_options);
    CHECK(*model.tunnels[0].custom_options == ipsec::CustomOptions{{"psk", "<redacted>"}, {"encapsulation", "yes"}});
    CHECK(model.tunnels[0].ofport == 4);
    const auto text = describe(model);
    CHECK(text.find("spilled") == std::string::npos);
    CHECK(text.find("value-part") == std::string::npos);
    CHECK(text.find("opt-secret") == std::string::npos);
    CHECK(model.warnings ==
          std::vector<std::string>{"line 3: line after the PSK field dropped unread (it may hold part of the key)"});
  }
  SUBCASE("PSK with a blank line in it: the block does not end there")
  {
    const auto model = ipsec::parse_tunnels_show("Interface name: t v1 (CONFIGURED)\n"
                                                 "  PSK:            first\n"
                                                 "\n"
                                                 "second-secret\n"
                                                 "  Ofport:         4\n"
                                                 "Kernel policies installed:\n"
                                                 "Kernel security associations installed:\n"
                                                 "IPsec connections that are active:\n"
                                                 "\n");
    Tunnel t;
    t.interface = "t";
    t.version = 1;
    t.state = TunnelState::configured;
    t.state_text = "CONFIGURED";
    t.psk = PskState::set;
    t.ofport = 4;
    t.complete = true;
    NodeTunnels expected = with_tunnels({t});
    expected.warnings = {"line 3: blank line after the PSK field dropped (it may be part of the key)",
                         "line 4: line after the PSK field dropped unread (it may hold part of the key)"};
    check_model(model, expected);
  }
  SUBCASE("OVS 2.13: no Local IP, Address Family, Custom Options")
  {
    Tunnel a = edge_tunnel("ovn-222222-0", TunnelState::configured, "CONFIGURED");
    a.version = 2;
    a.local_ip = a.address_family = std::nullopt;
    a.custom_options = std::nullopt;
    a.policies = {"src 10.99.0.11/32 dst 10.99.0.12/32 proto udp dport 6081",
                  "src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 6081"};
    a.sas = {"sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 6081",
             "sel src 10.99.0.12/32 dst 10.99.0.11/32 proto udp dport 6081"};
    Tunnel b = edge_tunnel("ovn-333333-0", TunnelState::configured, "CONFIGURED");
    b.local_ip = b.address_family = std::nullopt;
    b.custom_options = std::nullopt;
    b.remote_ip = "10.99.0.13";
    b.remote_name = lab_chassis(3);
    b.ofport = 2;
    check_model(ipsec::parse_tunnels_show(read_capture("edge.ovs-2.13.txt")), with_tunnels({a, b}));
  }
  SUBCASE("unknown lines, fields and states are kept with warnings; secret-looking fields are not")
  {
    Tunnel a = edge_tunnel("ovn-222222-0", TunnelState::unknown, "DEGRADED");
    a.custom_options = std::nullopt;
    a.ofport = std::nullopt;
    a.cfm_state = "Down";
    a.policies = {"src A", "src B", "src C"};
    a.sas = {"proto esp spi 0x1234 reqid 1 mode transport",
             "sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 40000 dport 6081"};
    a.active_connections = {"ovn-222222-0-in-1{1}:  INSTALLED, TRANSPORT, reqid 1"};
    a.unknown_lines = {"  Future Field:   42", "  IKE Secret: <redacted>", "  Custom Options: {'a': 'b'",
                       "Stray unindented line"};
    Tunnel b;
    b.interface = "ovn 333333 weird";
    b.version = 2;
    b.state = TunnelState::configured;
    b.state_text = "CONFIGURED";
    b.complete = true;
    NodeTunnels expected = with_tunnels({a, b});
    expected.unknown_lines = {"ovs-monitor-ipsec: banner line", "  indented stray line between blocks"};
    expected.warnings = {
        "line 1: unrecognized line kept: \"ovs-monitor-ipsec: banner line\"",
        "line 3: unknown state \"DEGRADED\" in tunnel header \"Interface name: ovn-222222-0 v1 (DEGRADED)\"",
        "line 7: unrecognized line kept: \"Future Field:   42\"",
        "line 9: unknown field \"IKE Secret\" kept without its value",
        "line 18: Custom Options of \"ovn-222222-0\" not understood: \"{'a': 'b'\"",
        "line 27: unrecognized line kept: \"Stray unindented line\"",
        "line 34: unrecognized line kept: \"indented stray line between blocks\""};
    const auto model = ipsec::parse_tunnels_show(read_capture("edge.unknown-lines.txt"));
    check_model(model, expected);
    CHECK(describe(model).find("topsecret") == std::string::npos);
  }
  SUBCASE("output cut off in the middle of a line")
  {
    Tunnel cut = lab_tunnel(1, 3, 2);
    cut.policies = {"src 10.99.0.11/32 dst 10.99.0.13/32 proto udp dpo"};
    cut.complete = false;
    NodeTunnels expected = with_tunnels(
        {lab_tunnel(1, 2, 1, {"sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 53635 dport 6081 dev eth0"}),
         cut});
    expected.truncated = true;
    expected.warnings = {"output ends inside the block of \"ovn-333333-0\" (cut off?)"};
    check_model(ipsec::parse_tunnels_show(read_capture("edge.truncated.txt")), expected);
  }
  SUBCASE("empty output and output without any known line")
  {
    NodeTunnels empty;
    empty.warnings = {"tunnels/show printed nothing"};
    check_model(ipsec::parse_tunnels_show(read_capture("edge.empty.txt")), empty);
    NodeTunnels blank;
    blank.warnings = {"no tunnel blocks and no \"No tunnels configured with IPsec\" line"};
    check_model(ipsec::parse_tunnels_show("\n\n"), blank);
  }
  SUBCASE("a block whose closing blank line was trimmed away is still complete")
  {
    std::string text = read_capture("tunnels-show.B-configured-no-ike.node1.txt");
    text.resize(text.size() - 1); // drop the final blank line, keep the last newline
    check_model(ipsec::parse_tunnels_show(text),
                ipsec::parse_tunnels_show(read_capture("tunnels-show.B-configured-no-ike.node1.txt")));
  }
  SUBCASE("a header right after a block without a blank line")
  {
    const auto model = ipsec::parse_tunnels_show("Interface name: a v1 (CONFIGURED)\nInterface name: b v1 (INIT)\n\n");
    REQUIRE(model.tunnels.size() == 2);
    CHECK(model.tunnels[0].complete);
    CHECK(model.tunnels[1].state == TunnelState::init);
    CHECK(model.warnings.empty());
  }
}
