#include "ipsec/tunnels_show.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace ipsec {

namespace {

constexpr std::string_view k_no_tunnels = "No tunnels configured with IPsec";
constexpr std::string_view k_policies = "Kernel policies installed:";
constexpr std::string_view k_sas = "Kernel security associations installed:";
constexpr std::string_view k_active = "IPsec connections that are active:";
constexpr size_t k_quote_limit = 80;

std::string_view
rtrim(std::string_view text)
{
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string
quote(std::string_view text)
{
  if (text.size() > k_quote_limit) {
    return "\"" + std::string(text.substr(0, k_quote_limit)) + "...\"";
  }
  return "\"" + std::string(text) + "\"";
}

// Python prints a missing value as None; an empty value says no more. An engaged field is
// assigned in place (its buffer kept).
void
assign_or_none(std::optional<std::string>& field, std::string_view value)
{
  if (value.empty() || value == "None") {
    field.reset();
  } else if (field) {
    field->assign(value);
  } else {
    field.emplace(value);
  }
}

// The `count`th line of a list in `lines`, in place of what a block before left there.
void
reuse_line(std::vector<std::string>& lines, size_t& count, std::string_view line)
{
  if (count < lines.size()) {
    lines[count].assign(line);
  } else {
    lines.emplace_back(line);
  }
  ++count;
}

// The fields kept as text, by label; a bit each in TunnelsShowParser::m_fields_seen.
using TextField = std::optional<std::string> Tunnel::*;
constexpr std::array<std::pair<std::string_view, TextField>, 12> k_text_fields{{
    {"Tunnel Type", &Tunnel::type},
    {"Local IP", &Tunnel::local_ip},
    {"Remote IP", &Tunnel::remote_ip},
    {"Address Family", &Tunnel::address_family},
    {"SKB mark", &Tunnel::skb_mark},
    {"Local cert", &Tunnel::local_cert},
    {"Local name", &Tunnel::local_name},
    {"Local key", &Tunnel::local_key},
    {"Remote cert", &Tunnel::remote_cert},
    {"Remote name", &Tunnel::remote_name},
    {"CA cert", &Tunnel::ca_cert},
    {"CFM state", &Tunnel::cfm_state},
}};

// Distinct policies of a block checked one by one up to this many, then in a hash set.
constexpr size_t k_linear_policies = 16;

// Labels of unknown fields that could carry a secret: their value is never kept.
bool
label_looks_secret(std::string_view label)
{
  const std::string lower = util::to_lower(label);
  for (const std::string_view word : {"psk", "secret", "password", "passphrase", "token"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TunnelsShowParser::TunnelsShowParser(TunnelSink sink) : m_sink(std::move(sink)) {}

void
TunnelsShowParser::feed(std::string_view chunk)
{
  while (!chunk.empty()) {
    const size_t newline = chunk.find('\n');
    const std::string_view part = chunk.substr(0, newline);
    if (newline == std::string_view::npos) {
      chunk = {};
    } else {
      chunk.remove_prefix(newline + 1);
    }
    // Keep at most k_max_line_length bytes of a line; the rest is skipped until its newline.
    const size_t room = m_pending.size() < k_max_line_length ? k_max_line_length - m_pending.size() : 0;
    if (part.size() > room) {
      m_pending_cut = true;
    }
    if (newline == std::string_view::npos) {
      m_pending.append(part.substr(0, room));
      return;
    }
    if (m_pending.empty() && !m_pending_cut) {
      take_line(part); // the common case: no copy of the line
      continue;
    }
    m_pending.append(part.substr(0, room));
    take_line(m_pending);
    m_pending.clear();
    m_pending_cut = false;
  }
}

NodeTunnels
TunnelsShowParser::finish()
{
  // A last line without its newline means the output stopped early, unless nothing was open.
  const bool ended_mid_line = !m_pending.empty() || m_pending_cut;
  if (ended_mid_line) {
    const std::string last = std::exchange(m_pending, {});
    take_line(last);
    m_pending_cut = false;
  }
  if (m_open) {
    // The "active" list is the last part of a block; only its closing blank line is missing
    // when the caller trimmed the output, so that still counts as complete.
    const bool complete = m_section == Section::active && !ended_mid_line;
    if (!complete) {
      m_model.truncated = true;
      warn("output ends inside the block of " + quote(m_block.interface) + " (cut off?)");
    }
    close_tunnel(complete);
  }
  if (m_line_number == 0) {
    warn("tunnels/show printed nothing");
  } else if (!m_model.no_tunnels && m_tunnel_count == 0) {
    warn("no tunnel blocks and no \"" + std::string(k_no_tunnels) + "\" line");
  } else if (m_model.no_tunnels && m_tunnel_count > 0) {
    warn("both \"" + std::string(k_no_tunnels) + "\" and tunnel blocks");
  }
  if (m_dropped_unknown > 0) {
    m_model.warnings.push_back(std::to_string(m_dropped_unknown) + " more unrecognized lines not kept (at most " +
                               std::to_string(k_max_unknown_lines) + " per tunnel and outside them)");
  }
  if (m_dropped_warnings > 0) {
    m_model.warnings.push_back(std::to_string(m_dropped_warnings) + " more warnings not shown");
  }
  NodeTunnels done = std::move(m_model);
  m_model = {};
  m_seen_policies.clear();
  m_section = Section::between;
  m_after_psk = false;
  m_line_number = 0;
  m_tunnel_count = 0;
  m_dropped_warnings = 0;
  m_dropped_unknown = 0;
  return done;
}

void
TunnelsShowParser::take_line(std::string_view raw)
{
  ++m_line_number;
  if (m_pending_cut) {
    warn_line("longer than " + std::to_string(k_max_line_length) + " bytes, cut");
  }
  // Most lines are plain ASCII and are read in place; only the others are copied, cleaned.
  const std::string_view trimmed = rtrim(raw);
  std::string cleaned;
  const std::string_view view =
      plain_prefix(trimmed) == trimmed.size() ? trimmed : std::string_view(cleaned = sanitize_line(trimmed));
  const bool after_psk = std::exchange(m_after_psk, false);

  if (!view.empty() && view.front() == 'I' && util::starts_with(view, k_interface_header)) {
    if (m_open) {
      close_tunnel(true); // no blank line before it, but the next block began: nothing was lost
    }
    start_tunnel(view);
    return;
  }
  if (view.empty()) {
    if (after_psk && m_open) {
      // Ofport and CFM state always follow the PSK field, so a blank line here is part of a
      // key with newlines, not the end of the block.
      m_after_psk = true;
      warn_line("blank line after the PSK field dropped (it may be part of the key)");
      return;
    }
    if (m_open) {
      close_tunnel(true);
    }
    return;
  }
  if (!m_open) {
    if (util::trim(view) == k_no_tunnels) {
      m_model.no_tunnels = true;
      return;
    }
    take_unknown(view, false);
    return;
  }
  if (view == k_policies) {
    m_section = Section::policies;
    return;
  }
  if (view == k_sas) {
    m_section = Section::sas;
    return;
  }
  if (view == k_active) {
    m_section = Section::active;
    return;
  }
  const bool indented = view.front() == ' ' || view.front() == '\t';
  if (!indented) {
    m_after_psk = after_psk;
    take_unknown(view, true);
    return;
  }
  const std::string_view item = util::trim(view);
  switch (m_section) {
  case Section::fields:
    m_after_psk = after_psk; // take_field() clears it on a known field
    take_field(view);
    return;
  case Section::policies:
    // OVS prints every policy line twice (XFRM.get_policies() bug).
    if (new_policy(item)) {
      reuse_line(m_block.policies, m_policies, item);
    }
    return;
  case Section::sas:
    reuse_line(m_block.sas, m_sas, item);
    return;
  case Section::active:
    reuse_line(m_block.active_connections, m_active, item);
    return;
  case Section::between:
    break;
  }
  take_unknown(view, true);
}

void
TunnelsShowParser::start_tunnel(std::string_view header)
{
  // The block's strings keep their buffers from the one before: a node's 999 blocks have the
  // same fields, so after the first nothing is allocated for them.
  m_block.interface.clear();
  m_block.version.reset();
  m_block.state = TunnelState::unknown;
  m_block.state_text.clear();
  m_block.invalid_reason.clear();
  m_block.psk = PskState::unknown;
  m_block.custom_options.reset();
  m_block.ofport.reset();
  m_block.unknown_lines.clear();
  m_block.complete = false;
  m_fields_seen = 0;
  m_policies = m_sas = m_active = 0;
  m_open = true;
  m_section = Section::fields;
  for (const auto& problem : parse_tunnel_header(header, m_block)) {
    warn_line(problem + " in tunnel header " + quote(header));
  }
}

void
TunnelsShowParser::close_tunnel(bool complete)
{
  for (size_t i = 0; i < k_text_fields.size(); ++i) {
    if ((m_fields_seen & (1U << i)) == 0) {
      (m_block.*k_text_fields[i].second).reset();
    }
  }
  m_block.policies.resize(m_policies);
  m_block.sas.resize(m_sas);
  m_block.active_connections.resize(m_active);
  m_block.complete = complete;
  if (m_sink) {
    m_sink(std::move(m_block)); // a sink that keeps it moves it; the next block then allocates anew
  } else {
    m_model.tunnels.push_back(std::move(m_block));
  }
  m_open = false;
  m_seen_policies.clear();
  m_section = Section::between;
  m_after_psk = false;
  ++m_tunnel_count;
}

bool
TunnelsShowParser::new_policy(std::string_view item)
{
  const auto& policies = m_block.policies;
  if (m_policies < k_linear_policies) {
    return std::find(policies.begin(), policies.begin() + static_cast<std::ptrdiff_t>(m_policies), item) ==
           policies.begin() + static_cast<std::ptrdiff_t>(m_policies);
  }
  if (m_seen_policies.empty()) {
    m_seen_policies.insert(policies.begin(), policies.begin() + static_cast<std::ptrdiff_t>(m_policies));
  }
  return m_seen_policies.insert(std::string(item)).second; // a hash set keeps a flood linear
}

void
TunnelsShowParser::take_field(std::string_view line)
{
  const std::string_view item = util::trim(line);
  const size_t colon = item.find(':');
  if (colon == std::string_view::npos) {
    take_unknown(line, true);
    return;
  }
  const std::string_view label = util::trim(item.substr(0, colon));
  const std::string_view value = util::trim(item.substr(colon + 1));
  Tunnel& tunnel = m_block;
  for (size_t i = 0; i < k_text_fields.size(); ++i) {
    const std::string_view name = k_text_fields[i].first;
    if (label.size() == name.size() && label.front() == name.front() && label == name) {
      m_after_psk = false;
      m_fields_seen |= 1U << i;
      assign_or_none(tunnel.*k_text_fields[i].second, value);
      return;
    }
  }
  if (m_after_psk && label != "PSK" && label != "Custom Options" && label != "Ofport") {
    // A key with a newline can spill a `name: value` line of its own: until the next field the
    // monitor prints after PSK, nothing is kept, whatever it looks like.
    warn_line("line after the PSK field dropped unread (it may hold part of the key)");
    return;
  }
  if (label == "PSK") {
    // The monitor prints the key in clear text; only whether one is set is kept, and lines
    // right after it are dropped unread (a key with a newline would spill onto them).
    tunnel.psk = value.empty() || value == "None" ? PskState::unset : PskState::set;
    m_after_psk = true;
    return;
  }
  m_after_psk = false;
  if (label == "Custom Options") {
    tunnel.custom_options = parse_python_dict(value);
    if (tunnel.custom_options) {
      for (auto& [key, option] : *tunnel.custom_options) {
        if (label_looks_secret(key)) {
          option = "<redacted>"; // options:psk and the like are passed through by the monitor
        }
      }
    } else if (label_looks_secret(value)) {
      warn_line("Custom Options of " + quote(tunnel.interface) + " not understood (kept out: it may hold a key)");
    } else {
      warn_line("Custom Options of " + quote(tunnel.interface) + " not understood: " + quote(value));
      tunnel.unknown_lines.emplace_back(line);
    }
    return;
  }
  if (label == "Ofport") {
    std::int64_t port = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (ec == std::errc() && ptr == value.data() + value.size()) {
      tunnel.ofport = port;
    } else if (value != "Not assigned") {
      warn_line("Ofport of " + quote(tunnel.interface) + " is not a number: " + quote(value));
      tunnel.unknown_lines.emplace_back(line);
    }
    return;
  }
  if (label_looks_secret(label)) {
    tunnel.unknown_lines.push_back(std::string(line.substr(0, line.find(':') + 1)) + " <redacted>");
    warn_line("unknown field " + quote(label) + " kept without its value");
    return;
  }
  take_unknown(line, true);
}

void
TunnelsShowParser::take_unknown(std::string_view line, bool in_tunnel)
{
  if (in_tunnel && m_after_psk) {
    warn_line("line after the PSK field dropped unread (it may hold part of the key)");
    return;
  }
  auto& kept = in_tunnel ? m_block.unknown_lines : m_model.unknown_lines;
  if (kept.size() >= k_max_unknown_lines) {
    ++m_dropped_unknown; // a pod printing junk must not fill memory through this
    return;
  }
  kept.emplace_back(line);
  warn_line("unrecognized line kept: " + quote(util::trim(line)));
}

void
TunnelsShowParser::warn(std::string text)
{
  if (m_model.warnings.size() < k_max_warnings) {
    m_model.warnings.push_back(std::move(text));
  } else {
    ++m_dropped_warnings;
  }
}

void
TunnelsShowParser::warn_line(const std::string& text)
{
  warn("line " + std::to_string(m_line_number) + ": " + text);
}

NodeTunnels
parse_tunnels_show(std::string_view text)
{
  TunnelsShowParser parser;
  parser.feed(text);
  return parser.finish();
}

} // namespace ipsec
