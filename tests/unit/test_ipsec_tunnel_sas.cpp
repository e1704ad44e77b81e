// Judging tunnels/show SA lines: real SAs vs larval ACQUIRE placeholders (lab state C).
#include "ipsec/tunnel_sas.hpp"
#include "ipsec/tunnels_show.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include <fstream>
#include <sstream>

namespace {

using testsupport::parse_capture;

ipsec::Tunnel
tunnel_with(std::optional<std::string> type, std::optional<std::string> local, std::optional<std::string> remote,
            std::vector<std::string> sas)
{
  ipsec::Tunnel t;
  t.type = std::move(type);
  t.local_ip = std::move(local);
  t.remote_ip = std::move(remote);
  t.sas = std::move(sas);
  return t;
}

const std::string k_out_sport = "sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 6081";
const std::string k_out_dport = "sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp dport 6081";
const std::string k_in_sport = "sel src 10.0.0.2/32 dst 10.0.0.1/32 proto udp sport 6081";
const std::string k_in_dport = "sel src 10.0.0.2/32 dst 10.0.0.1/32 proto udp dport 6081";

} // namespace

TEST_CASE("ipsec::parse_sa_selector")
{
  const auto larval =
      ipsec::parse_sa_selector("sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 53635 dport 6081 dev eth0");
  REQUIRE(larval);
  CHECK(*larval == ipsec::SaSelector{"10.99.0.11", "10.99.0.12", "udp", "53635", "6081", "eth0"});
  const auto v6 = ipsec::parse_sa_selector("sel src fd00:0:0::11/128 dst fd00::12/128 proto udp dport 6081");
  REQUIRE(v6);
  CHECK(*v6 == ipsec::SaSelector{"fd00::11", "fd00::12", "udp", std::nullopt, "6081", std::nullopt});
  const auto gre = ipsec::parse_sa_selector("\tsel src 1.1.1.1/32 dst 2.2.2.2/32 proto gre ");
  REQUIRE(gre);
  CHECK(*gre == ipsec::SaSelector{"1.1.1.1", "2.2.2.2", "gre", std::nullopt, std::nullopt, std::nullopt});
  CHECK_FALSE(ipsec::parse_sa_selector("proto esp spi 0x00000000 reqid 4 mode transport"));
  CHECK_FALSE(ipsec::parse_sa_selector("sel src 1.1.1.1/32"));
  CHECK_FALSE(ipsec::parse_sa_selector(""));
  // IPv4 as inet_ntop would print it; what inet_pton refuses (a leading zero) is kept as written.
  CHECK(ipsec::parse_sa_selector("sel src 255.0.10.1 dst 0.0.0.0/0 proto udp")->src == "255.0.10.1");
  CHECK(ipsec::parse_sa_selector("sel src 255.0.10.1 dst 0.0.0.0/0 proto udp")->dst == "0.0.0.0");
  CHECK(ipsec::parse_sa_selector("sel src 010.0.0.1/32 dst ::ffff:10.0.0.2 proto udp")->src == "010.0.0.1");
  CHECK(ipsec::parse_sa_selector("sel src 010.0.0.1/32 dst ::ffff:10.0.0.2 proto udp")->dst == "::ffff:10.0.0.2");
}

TEST_CASE("ipsec::parse_sa_selector: addresses in the form inet_pton and inet_ntop give them, for any text")
{
  // The selector parser skips inet_pton for dotted IPv4 it can see is already in normal form;
  // the libc round trip decides what normal is.
  const auto reference = [](const std::string& text) {
    std::array<unsigned char, 16> binary{};
    std::array<char, INET6_ADDRSTRLEN> buffer{};
    for (const int family : {AF_INET, AF_INET6}) {
      if (inet_pton(family, text.c_str(), binary.data()) == 1 &&
          inet_ntop(family, binary.data(), buffer.data(), buffer.size()) != nullptr) {
        return std::string(buffer.data());
      }
    }
    return text;
  };
  std::mt19937 random(6081);
  const std::string alphabet = "0123456789..:af";
  std::vector<std::string> samples = {"10.0.0.1", "255.255.255.255", "256.0.0.1", "1.2.3",      "1.2.3.4.",
                                      "01.2.3.4", "0.0.0.0",         "1.2.3.4.5", "1..2.3",     ".1.2.3",
                                      "1.2.3.04", "1000.2.3.4",      "::1",       "fd00:0::11", "::ffff:1.2.3.4"};
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    const size_t length = 1 + random() % 16;
    for (size_t k = 0; k < length; ++k) {
      text += alphabet[random() % (i % 2 == 0 ? 11 : alphabet.size())];
    }
    samples.push_back(text);
  }
  for (const auto& address : samples) {
    CAPTURE(address);
    const auto selector = ipsec::parse_sa_selector("sel src " + address + "/32 dst " + address + " proto udp");
    REQUIRE(selector);
    CHECK(selector->src == reference(address));
    CHECK(selector->dst == reference(address));
  }
}

TEST_CASE("ipsec::classify_sa tells installed SAs from larval ACQUIRE states")
{
  // Lab state C: ephemeral sport + dport + dev.
  CHECK(ipsec::classify_sa("sel src 10.99.0.11/32 dst 10.99.0.12/32 proto udp sport 53635 dport 6081 dev eth0") ==
        ipsec::SaKind::larval);
  // A flow-born selector without an interface (kernel datapath) is still larval: both ports.
  CHECK(ipsec::classify_sa("sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 40000 dport 6081") ==
        ipsec::SaKind::larval);
  CHECK(ipsec::classify_sa("sel src 1.1.1.1/32 dst 2.2.2.2/32 proto gre dev eth0") == ipsec::SaKind::larval);
  // Kube-OVN docs sample (state E): one port side, no interface.
  CHECK(ipsec::classify_sa(k_out_sport) == ipsec::SaKind::installed);
  CHECK(ipsec::classify_sa(k_in_dport) == ipsec::SaKind::installed);
  CHECK(ipsec::classify_sa("sel src 1.1.1.1/32 dst 2.2.2.2/32 proto gre") == ipsec::SaKind::installed);
  CHECK(ipsec::classify_sa("anti-replay context: seq 0x0") == ipsec::SaKind::unrecognized);
}

TEST_CASE("ipsec::sa_status on the captures and samples")
{
  SUBCASE("state B/D: nothing")
  {
    for (const auto& tunnel : parse_capture("tunnels-show.B-configured-no-ike.node1.txt").tunnels) {
      CHECK(ipsec::count_sas(tunnel) == ipsec::SaCounts{});
      CHECK(ipsec::sa_status(tunnel) == ipsec::SaStatus::none);
    }
  }
  SUBCASE("state C: one larval entry per tunnel on node1 is not an SA")
  {
    for (const auto& tunnel : parse_capture("tunnels-show.C-ike-established.node1.txt").tunnels) {
      CHECK(ipsec::count_sas(tunnel) == ipsec::SaCounts{0, 1, 0, false, false});
      CHECK(ipsec::sa_status(tunnel) == ipsec::SaStatus::acquiring);
    }
  }
  SUBCASE("Kube-OVN docs sample and the user's doc: established")
  {
    for (const auto* name : {"kube-ovn-docs.v1.12.txt", "seed-user-doc.txt"}) {
      const auto tunnel = parse_capture(name).tunnels.at(0);
      CHECK(ipsec::count_sas(tunnel) == ipsec::SaCounts{4, 0, 0, true, true});
      CHECK(ipsec::sa_status(tunnel) == ipsec::SaStatus::established);
    }
  }
  SUBCASE("IPv6 with a non-canonical Remote IP: established")
  {
    CHECK(ipsec::sa_status(parse_capture("edge.ipv6.txt").tunnels.at(0)) == ipsec::SaStatus::established);
  }
  SUBCASE("GRE needs 2 SAs")
  {
    CHECK(ipsec::sa_status(parse_capture("edge.psk.txt").tunnels.at(0)) == ipsec::SaStatus::established);
  }
  SUBCASE("one CHILD_SA of two: partial")
  {
    const auto tunnel = parse_capture("edge.ovs-2.13.txt").tunnels.at(0);
    CHECK(ipsec::count_sas(tunnel) == ipsec::SaCounts{2, 0, 0, true, true});
    CHECK(ipsec::sa_status(tunnel) == ipsec::SaStatus::partial);
  }
  SUBCASE("larval plus an unreadable line: acquiring")
  {
    const auto tunnel = parse_capture("edge.unknown-lines.txt").tunnels.at(0);
    CHECK(ipsec::count_sas(tunnel) == ipsec::SaCounts{0, 1, 1, false, false});
    CHECK(ipsec::sa_status(tunnel) == ipsec::SaStatus::acquiring);
  }
}

TEST_CASE("ipsec::sa_status needs both directions")
{
  const auto four_out =
      tunnel_with("geneve", "10.0.0.1", "10.0.0.2", {k_out_sport, k_out_dport, k_out_sport, k_out_dport});
  CHECK(ipsec::count_sas(four_out) == ipsec::SaCounts{4, 0, 0, true, false});
  CHECK(ipsec::sa_status(four_out) == ipsec::SaStatus::partial);

  const auto both =
      tunnel_with("vxlan", "%defaultroute", "10.0.0.2", {k_out_sport, k_out_dport, k_in_sport, k_in_dport});
  CHECK(ipsec::count_sas(both) == ipsec::SaCounts{4, 0, 0, true, true});
  CHECK(ipsec::sa_status(both) == ipsec::SaStatus::established);

  // SAs of another pair of hosts do not count for this tunnel's directions.
  const auto other = tunnel_with("geneve", "10.0.0.9", "10.0.0.2", {k_out_sport, k_out_dport, k_in_sport, k_in_dport});
  CHECK(ipsec::count_sas(other) == ipsec::SaCounts{4, 0, 0, false, false});

  // Without IPs (odd output) opposite selectors still show both directions.
  const auto no_ips = tunnel_with(std::nullopt, std::nullopt, std::nullopt, {k_out_sport, k_in_dport});
  CHECK(ipsec::count_sas(no_ips) == ipsec::SaCounts{2, 0, 0, true, true});
  CHECK(ipsec::sa_status(no_ips) == ipsec::SaStatus::established);
  const auto one_way = tunnel_with(std::nullopt, std::nullopt, std::nullopt, {k_out_sport, k_out_dport});
  CHECK(ipsec::sa_status(one_way) == ipsec::SaStatus::partial);

  // Rekeying: old and new SAs side by side are still established.
  const auto rekey = tunnel_with("geneve", "10.0.0.1", "10.0.0.2",
                                 {k_out_sport, k_out_dport, k_in_sport, k_in_dport, k_out_sport, k_in_dport});
  CHECK(ipsec::sa_status(rekey) == ipsec::SaStatus::established);

  CHECK(ipsec::sa_status(tunnel_with("geneve", "10.0.0.1", "10.0.0.2", {"garbage"})) == ipsec::SaStatus::unknown);
}

TEST_CASE("ipsec::expected_sa_count and to_string")
{
  CHECK(ipsec::expected_sa_count(std::string("geneve")) == 4);
  CHECK(ipsec::expected_sa_count(std::string("vxlan")) == 4);
  CHECK(ipsec::expected_sa_count(std::string("stt")) == 4);
  CHECK(ipsec::expected_sa_count(std::string("gre")) == 2);
  CHECK(ipsec::expected_sa_count(std::nullopt) == 2);
  CHECK(ipsec::to_string(ipsec::SaStatus::none) == "none");
  CHECK(ipsec::to_string(ipsec::SaStatus::acquiring) == "acquiring");
  CHECK(ipsec::to_string(ipsec::SaStatus::partial) == "partial");
  CHECK(ipsec::to_string(ipsec::SaStatus::established) == "established");
  CHECK(ipsec::to_string(ipsec::SaStatus::unknown) == "unknown");
}
