#pragma once
// How many IPsec SAs a tunnel really has, judged from the "Kernel security associations
// installed:" lines of tunnels/show. Pure functions; the reasoning is in tunnel_sas.cpp.

#include "ipsec/tunnel_model.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ipsec {

// A `sel src A/32 dst B/32 proto udp sport N dport M dev eth0` line, addresses without prefix.
struct SaSelector {
  std::string src;
  std::string dst;
  std::string proto; // "" when absent
  std::optional<std::string> sport;
  std::optional<std::string> dport;
  std::optional<std::string> dev;

  bool operator==(const SaSelector&) const = default;
};

// nullopt when the line is not a `sel src ... dst ...` selector.
std::optional<SaSelector> parse_sa_selector(std::string_view line);

// installed: an SA the IKE daemon put in the kernel; larval: the kernel's placeholder for a
// pending ACQUIRE (negotiation asked for, no keys); unrecognized: not a selector line.
enum class SaKind { installed, larval, unrecognized };
SaKind classify_sa(std::string_view line);

struct SaCounts {
  std::size_t installed = 0;
  std::size_t larval = 0;
  std::size_t unrecognized = 0;
  bool outbound = false; // an installed SA local → remote
  bool inbound = false;  // an installed SA remote → local

  bool operator==(const SaCounts&) const = default;
};
SaCounts count_sas(const Tunnel& tunnel);

// Installed SAs a fully established tunnel of this type has: 4 for geneve/vxlan/stt (two
// CHILD_SAs, -in- and -out-, each one SA per direction), 2 for gre (one CHILD_SA); 2 otherwise.
std::size_t expected_sa_count(const std::optional<std::string>& tunnel_type);

// none: no SA at all; acquiring: only larval entries (IKE started, no CHILD_SA yet);
// partial: some SAs but fewer than expected or one direction missing; established: every
// expected SA, both directions; unknown: only lines this code cannot read.
enum class SaStatus { none, acquiring, partial, established, unknown };
SaStatus sa_status(const Tunnel& tunnel);
// The same from the tunnel's count_sas(), when the caller has it already.
SaStatus sa_status(const Tunnel& tunnel, const SaCounts& counts);

// "none", "acquiring", "partial", "established", "unknown".
std::string_view to_string(SaStatus status);

} // namespace ipsec
