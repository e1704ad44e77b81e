// Telling real SAs from look-alikes in tunnels/show.
//
// ovs-monitor-ipsec prints, for each tunnel, the `sel` line of every `ip xfrm state` entry whose
// source or destination is the tunnel's remote IP. Two kinds of entries produce such a line:
//
//  * SAs the IKE daemon installed for a CHILD_SA. strongSwan (kernel-netlink with
//    set_proto_port_transport_sa) writes the CHILD_SA's traffic selectors into the selector.
//    OVS configures `leftprotoport=udp/6081 rightprotoport=udp` (geneve; vxlan 4789), so exactly
//    one side carries a port: `sel src A/32 dst B/32 proto udp sport 6081` (or `dport 6081`),
//    and no interface. GRE uses `proto gre` without ports.
//  * Larval states: when a packet hits a trap policy the kernel sends an ACQUIRE to the IKE
//    daemon and parks a placeholder state (spi 0, no key) whose selector is copied from the
//    triggering flow: both ports (an ephemeral source port and the tunnel port) and, when the
//    flow had one, the output interface: `sel ... proto udp sport 53635 dport 6081 dev eth0`
//    (docs/reference/lab.md §9 state C, §15 item 12). It lives until charon's xfrm_acq_expires
//    (165 s) or until real SAs replace it. It means "negotiation was asked for", not "encrypted".
//
// So a selector with a `dev`, or with both a source and a destination port, is larval; any
// other selector is an installed SA. (A larval GRE state without `dev` would be miscounted as
// installed; OVN tunnels are geneve or vxlan, so this is accepted.)
//
// A geneve/vxlan tunnel has two CHILD_SAs (conns <if>-in-<v> and <if>-out-<v>), each with one
// SA per direction, so 4 installed SAs when established (docs/reference/lab.md §9 state E and the
// Kube-OVN docs sample); during a rekey old and new SAs coexist, so more is also established.
// While a CHILD_SA is still being negotiated only 2 may be present: that is "partial".
#include "ipsec/tunnel_sas.hpp"

#include <arpa/inet.h>

#include <array>
#include <set>
#include <utility>
#include <vector>

namespace ipsec {

namespace {

std::vector<std::string_view>
words(std::string_view text)
{
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

// "10.0.0.1/32" → "10.0.0.1"; IPv6 in canonical form, so "fd00:0::11" matches "fd00::11".
std::string
normalize_address(std::string_view text)
{
  const std::string address(text.substr(0, text.find('/')));
  std::array<unsigned char, 16> binary{};
  if (inet_pton(AF_INET, address.c_str(), binary.data()) == 1) {
    // inet_ntop formats with sprintf, which showed in profiles of `status` at 1000 nodes.
    std::string out;
    for (size_t k = 0; k < 4; ++k) {
      out += (k == 0 ? "" : ".") + std::to_string(binary[k]);
    }
    return out;
  }
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (inet_pton(AF_INET6, address.c_str(), binary.data()) == 1 &&
      inet_ntop(AF_INET6, binary.data(), buffer.data(), buffer.size()) != nullptr) {
    return buffer.data();
  }
  return address;
}

SaKind
classify(const std::optional<SaSelector>& selector)
{
  if (!selector) {
    return SaKind::unrecognized;
  }
  return selector->dev || (selector->sport && selector->dport) ? SaKind::larval : SaKind::installed;
}

} // namespace

std::optional<SaSelector>
parse_sa_selector(std::string_view line)
{
  const auto tokens = words(line);
  if (tokens.size() < 5 || tokens[0] != "sel" || tokens[1] != "src" || tokens[3] != "dst") {
    return std::nullopt;
  }
  SaSelector selector;
  selector.src = normalize_address(tokens[2]);
  selector.dst = normalize_address(tokens[4]);
  for (size_t i = 5; i + 1 < tokens.size(); i += 2) {
    const std::string value(tokens[i + 1]);
    if (tokens[i] == "proto") {
      selector.proto = value;
    } else if (tokens[i] == "sport") {
      selector.sport = value;
    } else if (tokens[i] == "dport") {
      selector.dport = value;
    } else if (tokens[i] == "dev") {
      selector.dev = value;
    }
  }
  return selector;
}

SaKind
classify_sa(std::string_view line)
{
  return classify(parse_sa_selector(line));
}

SaCounts
count_sas(const Tunnel& tunnel)
{
  SaCounts counts;
  const auto usable = [](const std::optional<std::string>& ip) {
    return ip && !ip->empty() && ip->front() != '%'; // "%defaultroute" says nothing
  };
  const std::string remote = usable(tunnel.remote_ip) ? normalize_address(*tunnel.remote_ip) : "";
  const std::string local = usable(tunnel.local_ip) ? normalize_address(*tunnel.local_ip) : "";
  std::set<std::pair<std::string, std::string>> pairs; // only used without a remote IP
  for (const auto& line : tunnel.sas) {
    const auto selector = parse_sa_selector(line);
    switch (classify(selector)) {
    case SaKind::unrecognized:
      ++counts.unrecognized;
      continue;
    case SaKind::larval:
      ++counts.larval;
      continue;
    case SaKind::installed:
      ++counts.installed;
      break;
    }
    if (remote.empty()) {
      pairs.emplace(selector->src, selector->dst);
      continue;
    }
    if (selector->dst == remote && (local.empty() || selector->src == local)) {
      counts.outbound = true;
    }
    if (selector->src == remote && (local.empty() || selector->dst == local)) {
      counts.inbound = true;
    }
  }
  // Without the remote IP (old or odd output) a pair of opposite selectors still shows both
  // directions; which one is "out" cannot be told, so both flags go together.
  for (const auto& [src, dst] : pairs) {
    if (pairs.count({dst, src}) != 0) {
      counts.outbound = counts.inbound = true;
      break;
    }
  }
  return counts;
}

std::size_t
expected_sa_count(const std::optional<std::string>& tunnel_type)
{
  if (tunnel_type && (*tunnel_type == "geneve" || *tunnel_type == "vxlan" || *tunnel_type == "stt")) {
    return 4;
  }
  return 2;
}

SaStatus
sa_status(const Tunnel& tunnel)
{
  const SaCounts counts = count_sas(tunnel);
  if (counts.installed > 0) {
    const bool all = counts.installed >= expected_sa_count(tunnel.type) && counts.outbound && counts.inbound;
    return all ? SaStatus::established : SaStatus::partial;
  }
  if (counts.larval > 0) {
    return SaStatus::acquiring;
  }
  return counts.unrecognized > 0 ? SaStatus::unknown : SaStatus::none;
}

std::string_view
to_string(SaStatus status)
{
  switch (status) {
  case SaStatus::none:
    return "none";
  case SaStatus::acquiring:
    return "acquiring";
  case SaStatus::partial:
    return "partial";
  case SaStatus::established:
    return "established";
  case SaStatus::unknown:
    return "unknown";
  }
  return "unknown";
}

} // namespace ipsec
