#pragma once
// Parser for `ovs-appctl -t ovs-monitor-ipsec tunnels/show` (format:
// docs/reference/kube-ovn-ipsec.md §5). Accepts OVS 2.11 to 3.x field sets, CRLF, cut-off output and unknown
// lines; it never throws on odd input but records warnings in the model. Pure: text in, model out.

#include "ipsec/tunnel_model.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ipsec {

// Incremental parser: feed() chunks split anywhere (even mid-line or mid-UTF-8 sequence), then
// finish(). Memory is one line plus the model (or one tunnel with a sink); time is linear.
class TunnelsShowParser {
public:
  // Receives each finished tunnel instead of the model keeping it (for very large outputs).
  using TunnelSink = std::function<void(Tunnel&&)>;

  TunnelsShowParser() = default;
  explicit TunnelsShowParser(TunnelSink sink);

  void feed(std::string_view chunk);
  // Parses what is left and returns the model; the parser is then empty and can be reused.
  NodeTunnels finish();

private:
  enum class Section { between, fields, policies, sas, active };

  void take_line(std::string_view raw);
  void start_tunnel(std::string_view header);
  void close_tunnel(bool complete);
  void take_field(std::string_view line);
  void take_unknown(std::string_view line, bool in_tunnel);
  void warn(std::string text);
  void warn_line(const std::string& text); // prefixed with "line N: "

  bool new_policy(std::string_view item); // not yet among the open block's policies

  TunnelSink m_sink;
  NodeTunnels m_model;
  bool m_open = false;             // m_block is a block being read
  Tunnel m_block;                  // the open block; its lists hold stale lines past the counts below
  std::uint32_t m_fields_seen = 0; // which text fields the open block has (bit per field)
  size_t m_policies = 0;           // lines of the open block's lists so far
  size_t m_sas = 0;
  size_t m_active = 0;
  std::unordered_set<std::string> m_seen_policies; // of the open block, once it has many
  Section m_section = Section::between;
  bool m_after_psk = false;   // the previous line was the PSK field
  std::string m_pending;      // the unfinished last line
  bool m_pending_cut = false; // m_pending hit k_max_line_length
  std::size_t m_line_number = 0;
  std::size_t m_tunnel_count = 0; // blocks closed (kept or sent to the sink)
  std::size_t m_dropped_warnings = 0;
  std::size_t m_dropped_unknown = 0;
};

// How every tunnel's block in tunnels/show starts.
inline constexpr std::string_view k_interface_header = "Interface name:";

// One-shot parse of a whole output (uses TunnelsShowParser).
NodeTunnels parse_tunnels_show(std::string_view text);

// Control characters (except TAB) and invalid UTF-8 bytes replaced by '?': what the parser keeps
// goes to a terminal and to JSON, where either would do harm.
std::string sanitize_line(std::string_view text);
// How many leading bytes sanitize_line() keeps as they are (printable ASCII and TAB); a line
// whose plain_prefix() is its whole length needs no copy.
std::size_t plain_prefix(std::string_view text);

// Fills interface, version, state, state_text and invalid_reason of `tunnel` from an
// "Interface name: X vN (STATE)" line; returns what looked wrong (empty when nothing did).
std::vector<std::string> parse_tunnel_header(std::string_view header, Tunnel& tunnel);

// `{'encapsulation': 'yes'}` (Python dict repr of str → str) → pairs; nullopt when malformed.
std::optional<CustomOptions> parse_python_dict(std::string_view text);

// Lines longer than this are cut (with a warning) so a runaway line cannot exhaust memory.
inline constexpr std::size_t k_max_line_length = 64 * 1024;
// Unrecognized lines kept per tunnel and outside tunnels; the rest are counted in a warning.
inline constexpr std::size_t k_max_unknown_lines = 100;
// Warnings kept per node; the rest are counted in one final warning.
inline constexpr std::size_t k_max_warnings = 50;

} // namespace ipsec
