#pragma once
// `verify`'s two commands in a node's pod and the reading of what they print. Pure: the
// commands are argv vectors, the parsers take text.
//
// 1. Facts (every node): the node's Geneve source address (ovn-encap-ip) and its `ovn0`, the
//    join-subnet port Kube-OVN gives every node on br-int (pkg/daemon/ovs_linux.go, v1.10-v1.16):
//    a packet from one node's ovn0 to another's crosses that pair's Geneve tunnel.
// 2. Probe (one exec per sending node, every peer at once): ESP SA counters before and after,
//    a bounded tcpdump of every outgoing Geneve/ESP packet counted per destination in the pod
//    (so a busy node sends back a few lines, not its traffic), ICMP echoes to each peer's ovn0,
//    then a DF echo of ovn0's MTU. Only tools Kube-OVN's image has (dist/images/Dockerfile.base:
//    iproute2, tcpdump, python3, coreutils' timeout, awk). SA keys never leave the node: the SA
//    summary keeps addresses, SPI and counters only.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

struct VerifyFacts {
  std::string encap_ip;                   // first of external_ids:ovn-encap-ip; "" when unset
  std::string ovn0_ip;                    // ovn0's IPv4 address; "" when the node has none
  int mtu = 0;                            // ovn0's MTU (the pod network's); 0 when unknown
  std::vector<std::string> missing_tools; // of those the probe needs
};

std::vector<std::string> verify_facts_command();
VerifyFacts parse_verify_facts(std::string_view output);

// The probe of one sending node: capture for `window`, echoes to every address of
// `peer_ovn0_ips` during it, then a DF echo of `mtu` bytes to each (and smaller ones for a peer
// the full size does not reach). Everything it starts ends within window + 15 s, whatever
// happens to the exec stream (coreutils `timeout` on every step).
std::vector<std::string> verify_probe_command(std::chrono::milliseconds window, int mtu,
                                              const std::vector<std::string>& peer_ovn0_ips);
// The most a probe can take in its pod, for the exec's own deadline.
std::chrono::milliseconds probe_time_limit(std::chrono::milliseconds window);

// The programs the probe runs, exposed so tests can run them on captured text.
extern const std::string_view k_sa_summary_awk;      // `ip -s xfrm state` → "sa SRC DST SPI BYTES PACKETS"
extern const std::string_view k_capture_summary_awk; // tcpdump -nn -t lines → "esp|clear|example DST …"
extern const std::string_view k_echo_python;         // ICMP echoes and the MTU probe

struct SaCounter {
  std::string src;
  std::string dst;
  std::string spi;
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
};

struct WireCount {
  std::uint64_t esp = 0;   // ESP packets (also UDP-encapsulated) to this destination
  std::uint64_t clear = 0; // Geneve (UDP 6081) packets in the clear to it
  std::string example;     // the first cleartext packet as tcpdump printed it (sanitized)
};

struct EchoCount {
  int sent = 0;
  int replied = 0;
};

struct MtuProbe {
  int size = 0;       // the size tried first: ovn0's MTU
  std::string result; // "ok", "lost", or the send error ("EMSGSIZE", ...)
  int largest_ok = 0; // largest size that got a reply (0: none did)
};

struct ProbeOutput {
  std::vector<SaCounter> sas_before;
  std::vector<SaCounter> sas_after;
  std::map<std::string, WireCount> wire; // by destination address
  std::map<std::string, EchoCount> echo; // by peer ovn0 address
  std::map<std::string, MtuProbe> mtu;   // by peer ovn0 address
  bool capture_ran = false;              // tcpdump listened and stopped as planned
  std::string capture_error;             // else why (its stderr's first line)
  std::string traffic_error;             // the echo program's failure, if any
  std::vector<std::string> missing_tools;
};

ProbeOutput parse_probe_output(std::string_view text);

// Outbound ESP packets from `self` to `dst` between two SA readings: per SPI, after − before
// (an SA new in `after`, e.g. rekeyed in the window, counts whole).
std::uint64_t sa_packets_delta(const std::vector<SaCounter>& before, const std::vector<SaCounter>& after,
                               std::string_view dst);
// Whether any outbound SA to `dst` exists in `sas`.
bool has_sa_to(const std::vector<SaCounter>& sas, std::string_view dst);

} // namespace ipsec
