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

// The words of a line, without allocating: a selector has 13 at most, so 16 are kept.
struct Words {
  std::array<std::string_view, 16> at;
  size_t size = 0;
};

Words
split_words(std::string_view text)
{
  Words out;
  size_t i = 0;
  // A byte above the space is a word's (one comparison for nearly every byte).
  const auto separator = [&](size_t k) {
    return static_cast<unsigned char>(text[k]) <= ' ' && (text[k] == ' ' || text[k] == '\t');
  };
  while (i < text.size() && out.size < out.at.size()) {
    while (i < text.size() && separator(i)) {
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && !separator(i)) {
      ++i;
    }
    if (i > start) {
      out.at[out.size++] = text.substr(start, i - start);
    }
  }
  return out;
}

// Dotted IPv4 exactly as inet_pton accepts and inet_ntop prints it ("10.0.0.1"; not "010.0.0.1"):
// such an address is already in normal form, and nearly every selector has only these.
bool
canonical_ipv4(std::string_view text)
{
  int parts = 0;
  size_t i = 0;
  while (true) {
    const size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) {
      return false;
    }
    ++parts;
    if (i == text.size()) {
      return parts == 4;
    }
    if (text[i] != '.' || parts == 4) {
      return false;
    }
    ++i;
  }
}

// "10.0.0.1/32" → "10.0.0.1"; IPv6 in canonical form, so "fd00:0::11" matches "fd00::11".
std::string
normalize_address(std::string_view text)
{
  const std::string address(text.substr(0, text.find('/')));
  std::array<unsigned char, 16> binary{};
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (canonical_ipv4(address)) {
    return address;
  }
  if (inet_pton(AF_INET6, address.c_str(), binary.data()) == 1 &&
      inet_ntop(AF_INET6, binary.data(), buffer.data(), buffer.size()) != nullptr) {
    return buffer.data();
  }
  return address;
}

// An address in normal form, copied only when the text is not already in it.
class NormalAddress {
public:
  explicit NormalAddress(std::string_view text) : m_text(text.substr(0, text.find('/')))
  {
    if (!canonical_ipv4(m_text)) {
      m_normalized = normalize_address(m_text);
    }
  }
  NormalAddress(const NormalAddress&) = delete;
  NormalAddress& operator=(const NormalAddress&) = delete;

  std::string_view view() const { return m_normalized.empty() ? m_text : std::string_view(m_normalized); }

private:
  std::string_view m_text;
  std::string m_normalized; // "" when m_text is already normal
};

// A selector line's parts as views into it (nullopt when it is not `sel src A dst B ...`).
struct SelectorView {
  std::string_view src;
  std::string_view dst;
  std::string_view proto;
  std::optional<std::string_view> sport;
  std::optional<std::string_view> dport;
  std::optional<std::string_view> dev;
};

// `word == keyword` for the short keywords of a selector, compared in place (a call to memcmp
// per keyword was a tenth of `tunnels -o json`'s SA counting).
constexpr bool
word_is(std::string_view word, std::string_view keyword)
{
  if (word.size() != keyword.size()) {
    return false;
  }
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] != keyword[i]) {
      return false;
    }
  }
  return true;
}

std::optional<SelectorView>
view_selector(std::string_view line)
{
  const auto words = split_words(line);
  const auto& w = words.at;
  if (words.size < 5 || !word_is(w[0], "sel") || !word_is(w[1], "src") || !word_is(w[3], "dst")) {
    return std::nullopt;
  }
  SelectorView selector{w[2], w[4], {}, {}, {}, {}};
  for (size_t i = 5; i + 1 < words.size; i += 2) {
    if (word_is(w[i], "proto")) {
      selector.proto = w[i + 1];
    } else if (word_is(w[i], "sport")) {
      selector.sport = w[i + 1];
    } else if (word_is(w[i], "dport")) {
      selector.dport = w[i + 1];
    } else if (word_is(w[i], "dev")) {
      selector.dev = w[i + 1];
    }
  }
  return selector;
}

SaKind
classify(const std::optional<SelectorView>& selector)
{
  if (!selector) {
    return SaKind::unrecognized;
  }
  return selector->dev || (selector->sport && selector->dport) ? SaKind::larval : SaKind::installed;
}

std::optional<std::string>
owned(const std::optional<std::string_view>& view)
{
  return view ? std::optional<std::string>(*view) : std::nullopt;
}

} // namespace

std::optional<SaSelector>
parse_sa_selector(std::string_view line)
{
  const auto view = view_selector(line);
  if (!view) {
    return std::nullopt;
  }
  return SaSelector{normalize_address(view->src), normalize_address(view->dst), std::string(view->proto),
                    owned(view->sport),           owned(view->dport),           owned(view->dev)};
}

SaKind
classify_sa(std::string_view line)
{
  return classify(view_selector(line));
}

SaCounts
count_sas(const Tunnel& tunnel)
{
  SaCounts counts;
  const auto usable = [](const std::optional<std::string>& ip) {
    return ip && !ip->empty() && ip->front() != '%'; // "%defaultroute" says nothing
  };
  const NormalAddress remote(usable(tunnel.remote_ip) ? std::string_view(*tunnel.remote_ip) : std::string_view());
  const NormalAddress local(usable(tunnel.local_ip) ? std::string_view(*tunnel.local_ip) : std::string_view());
  std::set<std::pair<std::string, std::string>> pairs; // only used without a remote IP
  for (const auto& line : tunnel.sas) {
    const auto selector = view_selector(line);
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
    const NormalAddress src(selector->src);
    const NormalAddress dst(selector->dst);
    if (remote.view().empty()) {
      pairs.emplace(src.view(), dst.view());
      continue;
    }
    if (dst.view() == remote.view() && (local.view().empty() || src.view() == local.view())) {
      counts.outbound = true;
    }
    if (src.view() == remote.view() && (local.view().empty() || dst.view() == local.view())) {
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
  return sa_status(tunnel, count_sas(tunnel));
}

SaStatus
sa_status(const Tunnel& tunnel, const SaCounts& counts)
{
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
