#include "output/tunnel_text.hpp"

#include "ipsec/tunnel_sas.hpp"
#include "output/render_tunnels.hpp"
#include "output/yaml.hpp"
#include "util/ascii_run.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace output {

namespace {

// Literals as views: appended without a strlen (a million tunnels, ~30 appends each).
using namespace std::string_view_literals;

// Whether `text` is valid UTF-8 (nlohmann's replacement of bad bytes is left to nlohmann).
bool
valid_utf8(std::string_view text)
{
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned code = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      code = (code << 6) | (next & 0x3F);
    }
    const unsigned smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// A JSON string as nlohmann dumps it with ensure_ascii off. True when the string went out as it
// is, printable ASCII with nothing to escape.
bool
append_string(std::string& out, std::string_view text)
{
  // Nearly every string here (names, paths, addresses, SA lines) is printable ASCII without a
  // quote or backslash: one pass to see that, one append.
  if (util::printable_prefix<'"', '\\'>(text) == text.size()) {
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    out += text;
    out += '"';
    return true;
  }
  if (!valid_utf8(text)) {
    out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return false;
  }
  out += '"';
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char* escape = nullptr;
    switch (c) {
    case '"':
      escape = "\\\"";
      break;
    case '\\':
      escape = "\\\\";
      break;
    case '\b':
      escape = "\\b";
      break;
    case '\f':
      escape = "\\f";
      break;
    case '\n':
      escape = "\\n";
      break;
    case '\r':
      escape = "\\r";
      break;
    case '\t':
      escape = "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) >= 0x20) {
        continue; // copied with its run
      }
    }
    out.append(text.substr(start, i - start));
    start = i + 1;
    if (escape != nullptr) {
      out += escape;
    } else {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    }
  }
  out.append(text.substr(start));
  out += '"';
  return false;
}

// Writes one object's members in the order given (the caller gives them sorted by key, as
// nlohmann's std::map orders them), each on its own line at `depth`.
class JsonObject {
public:
  JsonObject(std::string& out, size_t depth) : m_out(out), m_depth(depth) { m_out += '{'; }

  // `name` is one of ours (plain ASCII); escaped_key() for one from a pod.
  void key(std::string_view name)
  {
    start_member();
    m_out += '"';
    m_out += name;
    m_out += "\": "sv;
  }
  void escaped_key(std::string_view name)
  {
    start_member();
    m_plain = append_string(m_out, name) && m_plain;
    m_out += ": "sv;
  }
  void text(std::string_view name, std::string_view value)
  {
    key(name);
    m_plain = append_string(m_out, value) && m_plain;
  }
  void escaped_text(std::string_view name, std::string_view value)
  {
    escaped_key(name);
    m_plain = append_string(m_out, value) && m_plain;
  }
  void null(std::string_view name) { raw(name, "null"); }
  void text_or_null(std::string_view name, const std::optional<std::string>& value)
  {
    key(name);
    if (value) {
      m_plain = append_string(m_out, *value) && m_plain;
    } else {
      m_out += "null"sv;
    }
  }
  void raw(std::string_view name, std::string_view value)
  {
    key(name);
    m_out += value;
  }
  void strings(std::string_view name, const std::vector<std::string>& values)
  {
    key(name);
    if (values.empty()) {
      m_out += "[]"sv;
      return;
    }
    m_out += '[';
    for (size_t i = 0; i < values.size(); ++i) {
      m_out += i == 0 ? "\n"sv : ",\n"sv;
      m_out.append((m_depth + 2) * 2, ' ');
      m_plain = append_string(m_out, values[i]) && m_plain;
    }
    m_out += '\n';
    m_out.append((m_depth + 1) * 2, ' ');
    m_out += ']';
  }
  void close()
  {
    if (m_first) {
      m_out += '}';
      return;
    }
    m_out += '\n';
    m_out.append(m_depth * 2, ' ');
    m_out += '}';
  }

  // Whether every string went out as it was (printable ASCII): then so is the object's text.
  bool plain() const { return m_plain; }

private:
  void start_member()
  {
    m_out += m_first ? "\n"sv : ",\n"sv;
    m_first = false;
    m_out.append((m_depth + 1) * 2, ' ');
  }

  std::string& m_out;
  size_t m_depth;
  bool m_first = true;
  bool m_plain = true;
};

// Whether the emitter writes `text` as it is: letters, digits and . / _ - with single spaces
// between words (IPs, paths, chassis ids, SA and policy lines), not starting with an indicator,
// not read as another type. Anything else asks the emitter (a test holds the two together).
bool
plain_as_is(const std::string& text)
{
  if (text.empty() || text.back() == ' ' || !(util::is_ascii_alnum(text[0]) || text[0] == '/')) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool word = util::is_ascii_alnum(c) || c == '.' || c == '/' || c == '_' || c == '-';
    if (!word && !(c == ' ' && text[i + 1] != ' ')) {
      return false;
    }
  }
  return !yaml_reads_as_other_type(text);
}

// The same members as YAML, in block style at `indent` (a sequence item's first member after
// "- "), as to_yaml's emitter writes them: "key: value", "key: []", "key:" then "  - item"
// lines, nested maps two spaces in.
class YamlObject {
public:
  YamlObject(std::string& out, size_t indent, bool sequence_item, YamlScalarCache& scalars)
      : m_out(out), m_indent(indent), m_item(sequence_item), m_scalars(scalars)
  {}

  void key(std::string_view name)
  {
    if (m_item && m_first) {
      m_out.append(m_indent - 2, ' ');
      m_out += "- "sv;
    } else {
      m_out.append(m_indent, ' ');
    }
    m_first = false;
    m_out += name;
    m_out += ':';
  }
  void text(std::string_view name, const std::string& value)
  {
    key(name);
    m_out += ' ';
    m_out += scalar(value);
    m_out += '\n';
  }
  void text_or_null(std::string_view name, const std::optional<std::string>& value)
  {
    if (value) {
      text(name, *value);
    } else {
      raw(name, "~");
    }
  }
  void null(std::string_view name) { raw(name, "~"); }
  void raw(std::string_view name, std::string_view value)
  {
    key(name);
    m_out += ' ';
    m_out += value;
    m_out += '\n';
  }
  void strings(std::string_view name, const std::vector<std::string>& values)
  {
    if (values.empty()) {
      raw(name, "[]");
      return;
    }
    key(name);
    m_out += '\n';
    for (const auto& value : values) {
      m_out.append(m_indent + 2, ' ');
      m_out += "- "sv;
      m_out += scalar(value);
      m_out += '\n';
    }
  }
  // Not reached: a tunnel with options goes through the emitter (append_tunnel_yaml).
  void escaped_text(std::string_view name, const std::string& value) { text(scalar(std::string(name)), value); }
  // A nested map's members follow, at the indent nested() gives.
  void open(std::string_view name)
  {
    key(name);
    m_out += '\n';
  }
  size_t nested() const { return m_indent + 2; }
  void close() {}

private:
  // Plain when it cannot be read as anything else; else as the emitter writes it (cached).
  const std::string& scalar(const std::string& value)
  {
    if (plain_as_is(value)) {
      return value;
    }
    auto found = m_scalars.find(value);
    if (found == m_scalars.end()) {
      std::string text = value;
      if (!valid_utf8(text)) { // as to_yaml's round trip through JSON text replaces it
        text =
            nlohmann::json::parse(nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                .get<std::string>();
      }
      if (m_scalars.size() > 4096) {
        m_scalars.clear(); // bounded: most values repeat per node, not across the mesh
      }
      found = m_scalars.emplace(value, yaml_scalar(text)).first;
    }
    return found->second;
  }

  std::string& m_out;
  size_t m_indent;
  bool m_item;
  YamlScalarCache& m_scalars;
  bool m_first = true;
};

template<typename Writer, typename Number>
void
number_or_null(Writer& object, std::string_view name, const std::optional<Number>& value)
{
  if (value) {
    object.raw(name, std::to_string(*value));
  } else {
    object.null(name);
  }
}

// Every member of a tunnel's object, sorted by key as nlohmann's std::map orders them: one
// list for both writers. `object(name)` makes the writer of a nested map.
template<typename Writer, typename Nested>
void
write_tunnel(Writer& object, const ipsec::Tunnel& tunnel, const std::string& remote_node, Nested&& nested)
{
  const auto counts = ipsec::count_sas(tunnel);
  const std::string psk = psk_word(tunnel.psk);
  const auto optional_text = [](const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
  };
  object.strings("activeConnections", tunnel.active_connections);
  object.text_or_null("addressFamily", tunnel.address_family);
  object.text_or_null("caCert", tunnel.ca_cert);
  object.text_or_null("cfmState", tunnel.cfm_state);
  object.raw("complete", tunnel.complete ? "true" : "false");
  if (tunnel.custom_options) {
    std::map<std::string, std::string> sorted; // a repeated key keeps its last value, as json[key] = value
    for (const auto& [key, value] : *tunnel.custom_options) {
      sorted[key] = value;
    }
    if (sorted.empty()) {
      object.raw("customOptions", "{}");
    } else {
      nested(object, "customOptions", [&](auto& options) {
        for (const auto& [key, value] : sorted) {
          options.escaped_text(key, value);
        }
      });
    }
  } else {
    object.null("customOptions");
  }
  object.text("interface", tunnel.interface);
  object.text_or_null("invalidReason", tunnel.state == ipsec::TunnelState::invalid
                                           ? std::optional<std::string>(tunnel.invalid_reason)
                                           : std::nullopt);
  object.text_or_null("localCert", tunnel.local_cert);
  object.text_or_null("localIp", tunnel.local_ip);
  object.text_or_null("localKey", tunnel.local_key);
  object.text_or_null("localName", tunnel.local_name);
  number_or_null(object, "ofport", tunnel.ofport);
  object.strings("policies", tunnel.policies);
  object.text_or_null("psk", optional_text(psk));
  object.text_or_null("remoteCert", tunnel.remote_cert);
  object.text_or_null("remoteIp", tunnel.remote_ip);
  object.text_or_null("remoteName", tunnel.remote_name);
  object.text_or_null("remoteNode", optional_text(remote_node));
  nested(object, "saCounts", [&](auto& sa_counts) {
    sa_counts.raw("acquiring", std::to_string(counts.larval));
    sa_counts.raw("installed", std::to_string(counts.installed));
    sa_counts.raw("unrecognized", std::to_string(counts.unrecognized));
  });
  object.text("saStatus", std::string(ipsec::to_string(ipsec::sa_status(tunnel, counts))));
  object.strings("securityAssociations", tunnel.sas);
  object.text_or_null("skbMark", tunnel.skb_mark);
  object.text("state", state_word(tunnel));
  object.text_or_null("type", tunnel.type);
  object.strings("unknownLines", tunnel.unknown_lines);
  number_or_null(object, "version", tunnel.version);
  object.close();
}

} // namespace

bool
append_tunnel_json(std::string& out, const ipsec::Tunnel& tunnel, const std::string& remote_node, size_t depth)
{
  JsonObject object(out, depth);
  bool plain = true;
  write_tunnel(object, tunnel, remote_node,
               [&out, &plain, depth](JsonObject& parent, std::string_view name, const auto& fill) {
                 parent.key(name);
                 JsonObject child(out, depth + 1);
                 fill(child);
                 child.close();
                 plain = plain && child.plain();
               });
  return plain && object.plain();
}

void
append_tunnel_yaml(std::string& out, const ipsec::Tunnel& tunnel, const std::string& remote_node,
                   YamlScalarCache& scalars)
{
  if (tunnel.custom_options && !tunnel.custom_options->empty()) {
    // Option keys come from the pod and the emitter quotes keys its own way: let it (OVS >= 3.0
    // with ipsec_* options set only).
    const ipsec::TunnelRow row{ipsec::RowKind::tunnel, nullptr, &tunnel, remote_node, "", ""};
    out += to_yaml(nlohmann::json::array({tunnel_row_json(row)}));
    return;
  }
  YamlObject object(out, 2, true, scalars);
  write_tunnel(object, tunnel, remote_node,
               [&out, &scalars](YamlObject& parent, std::string_view name, const auto& fill) {
                 YamlObject child(out, parent.nested(), false, scalars);
                 parent.open(name);
                 fill(child);
               });
}

} // namespace output
