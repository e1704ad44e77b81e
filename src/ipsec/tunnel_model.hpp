#pragma once
// What `ovs-appctl -t ovs-monitor-ipsec tunnels/show` says about one node, as plain data.
// Filled by ipsec::TunnelsShowParser (ipsec/tunnels_show.hpp); no I/O here.
//
// A value the monitor printed as Python `None`, and a field an older OVS does not print at all
// (OVS 2.11-2.13 lack Local IP / Address Family, < 3.0 lacks Custom Options), are both nullopt.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ipsec {

// The state in an `Interface name: X vN (STATE)` header. `unknown` keeps a state this code does
// not know (the raw text is in Tunnel::state_text).
enum class TunnelState { init, configured, invalid, removed, unknown };

// Whether a pre-shared key is configured. The key itself is never stored anywhere.
enum class PskState { unknown, unset, set };

// `Custom Options` (OVS >= 3.0): the Python dict of options:ipsec_* with the prefix stripped,
// as ordered key/value pairs (e.g. {"encapsulation", "yes"}).
using CustomOptions = std::vector<std::pair<std::string, std::string>>;

// One `Interface name:` block.
struct Tunnel {
  std::string interface;                // OVSDB interface name, e.g. "ovn-222222-0"
  std::optional<std::uint64_t> version; // the N of "vN"
  TunnelState state = TunnelState::unknown;
  std::string state_text;              // between the parentheses, e.g. "INVALID: 'remote_ip' is not set"
  std::string invalid_reason;          // for INVALID: the text after "INVALID: "
  std::optional<std::string> type;     // Tunnel Type: geneve, vxlan, gre, stt
  std::optional<std::string> local_ip; // may be "%defaultroute"
  std::optional<std::string> remote_ip;
  std::optional<std::string> address_family; // "IPv4" / "IPv6"
  std::optional<std::string> skb_mark;
  std::optional<std::string> local_cert;
  std::optional<std::string> local_name; // CN of the local cert = own chassis name in OVN
  std::optional<std::string> local_key;  // a path, not key material
  std::optional<std::string> remote_cert;
  std::optional<std::string> remote_name; // the peer's chassis name in OVN
  std::optional<std::string> ca_cert;
  PskState psk = PskState::unknown;
  std::optional<CustomOptions> custom_options;
  std::optional<std::int64_t> ofport;          // nullopt also for "Not assigned"
  std::optional<std::string> cfm_state;        // "Up" / "Down" / "Disabled"
  std::vector<std::string> policies;           // distinct "src ... dst ..." lines, first-seen order
  std::vector<std::string> sas;                // "sel src ..." lines, leading/trailing blanks stripped
  std::vector<std::string> active_connections; // `ipsec status` lines the monitor matched
  std::vector<std::string> unknown_lines;      // lines inside the block this parser did not recognize
  bool complete = false;                       // the block ended (blank line or next header), not cut off

  bool operator==(const Tunnel&) const = default;
};

// One node's tunnels/show output.
struct NodeTunnels {
  bool no_tunnels = false;                // "No tunnels configured with IPsec" (IPsec off; not an error)
  std::vector<Tunnel> tunnels;            // in output order
  std::vector<std::string> unknown_lines; // non-blank lines outside any tunnel block
  std::vector<std::string> warnings;      // one line each: what looked wrong and on which line
  bool truncated = false;                 // the text ended inside a tunnel block

  bool operator==(const NodeTunnels&) const = default;
};

} // namespace ipsec
