// The small text pieces of tunnels/show: header line, Python dict repr, and line sanitizing.
#include "ipsec/tunnels_show.hpp"

#include "util/strings.hpp"
#include "util/ascii_run.hpp"
#include "util/terminal_text.hpp"

#include <charconv>

namespace ipsec {

namespace {

// Number of bytes of the valid UTF-8 sequence starting at `i`, 0 when it is not valid.
size_t
utf8_length(std::string_view text, size_t i)
{
  const int length = util::utf8_sequence_length(text, i);
  return length > 0 ? static_cast<size_t>(length) : 0;
}

void
append_utf8(std::string& out, std::uint32_t code)
{
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    if (code >= 0xD800 && code <= 0xDFFF) {
      out += '?'; // a lone surrogate has no UTF-8 form
      return;
    }
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code <= 0x10FFFF) {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += '?';
  }
}

bool
is_digits(std::string_view text)
{
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// "vN" → N.
std::optional<std::uint64_t>
parse_version(std::string_view token)
{
  if (token.size() < 2 || token[0] != 'v' || !is_digits(token.substr(1))) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(token.data() + 1, token.data() + token.size(), value);
  if (ec != std::errc() || ptr != token.data() + token.size()) {
    return std::nullopt;
  }
  return value;
}

// The token that ends at `end` (after the last space before it).
std::string_view
token_before(std::string_view text, size_t end)
{
  const std::string_view head = text.substr(0, end);
  const size_t space = head.rfind(' ');
  return space == std::string_view::npos ? head : head.substr(space + 1);
}

void
skip_spaces(std::string_view text, size_t& i)
{
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
    ++i;
  }
}

// A Python str repr ('...' or "..." with backslash escapes) or, leniently, a bare token such
// as True or 1, starting at `i`; nullopt when malformed.
std::optional<std::string>
read_python_value(std::string_view text, size_t& i)
{
  if (i >= text.size()) {
    return std::nullopt;
  }
  const char quote = text[i];
  if (quote != '\'' && quote != '"') {
    const size_t start = i;
    while (i < text.size() && text[i] != ',' && text[i] != ':' && text[i] != '}') {
      ++i;
    }
    const std::string_view token = util::trim(text.substr(start, i - start));
    return token.empty() ? std::nullopt : std::optional<std::string>(sanitize_line(token));
  }
  ++i;
  std::string out;
  while (i < text.size()) {
    const char c = text[i++];
    if (c == quote) {
      return sanitize_line(out);
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= text.size()) {
      return std::nullopt;
    }
    const char escape = text[i++];
    const size_t digits = escape == 'x' ? 2 : escape == 'u' ? 4 : escape == 'U' ? 8 : 0;
    if (digits > 0) {
      std::uint32_t code = 0;
      const char* first = text.data() + i;
      if (i + digits > text.size() || std::from_chars(first, first + digits, code, 16).ptr != first + digits) {
        return std::nullopt;
      }
      append_utf8(out, code); // Python escapes name code points, not bytes
      i += digits;
      continue;
    }
    switch (escape) {
    case 'n':
      out += '\n';
      break;
    case 't':
      out += '\t';
      break;
    case 'r':
      out += '\r';
      break;
    case '\\':
    case '\'':
    case '"':
      out += escape;
      break;
    default:
      out += '\\';
      out += escape;
      break;
    }
  }
  return std::nullopt; // no closing quote
}

} // namespace

size_t
plain_prefix(std::string_view text)
{
  return util::plain_run<'\t'>(text);
}

std::string
sanitize_line(std::string_view text)
{
  // Nearly every line is printable ASCII: copy that prefix in one go (this runs for each of
  // the ~25 million lines `status` reads at 1000 nodes), then go byte by byte from the first
  // byte that may need replacing.
  size_t i = plain_prefix(text);
  std::string out(text.substr(0, i));
  if (i == text.size()) {
    return out;
  }
  out.reserve(text.size());
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += (c < 0x20 && c != '\t') || c == 0x7F ? '?' : static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t length = utf8_length(text, i);
    if (length == 0) {
      out += '?';
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::vector<std::string>
parse_tunnel_header(std::string_view header, Tunnel& tunnel)
{
  std::vector<std::string> problems;
  const std::string_view rest =
      util::trim(util::starts_with(header, k_interface_header) ? header.substr(k_interface_header.size()) : header);

  // "<ifname> v<N> (<STATE>)": split at the " (" right after the version token, so a state
  // text with parentheses of its own cannot move the split.
  size_t open = std::string_view::npos;
  for (size_t pos = rest.find(" ("); pos != std::string_view::npos; pos = rest.find(" (", pos + 1)) {
    if (parse_version(token_before(rest, pos))) {
      open = pos;
      break;
    }
  }
  if (open == std::string_view::npos) {
    open = rest.find(" (");
  }
  std::string_view name = open == std::string_view::npos ? rest : rest.substr(0, open);
  const std::string_view version_token = token_before(name, name.size());
  if (const auto version = parse_version(version_token); version && version_token.size() < name.size()) {
    tunnel.version = version;
    name = util::trim(name.substr(0, name.size() - version_token.size()));
  } else {
    problems.emplace_back("no version");
  }
  tunnel.interface.assign(name);
  if (tunnel.interface.empty()) {
    problems.emplace_back("no interface name");
  }
  if (open == std::string_view::npos) {
    problems.emplace_back("no state");
    return problems;
  }
  std::string_view state = rest.substr(open + 2);
  if (!state.empty() && state.back() == ')') {
    state.remove_suffix(1);
  } else {
    problems.emplace_back("no closing parenthesis");
  }
  tunnel.state_text.assign(state);
  if (state == "CONFIGURED") {
    tunnel.state = TunnelState::configured;
  } else if (state == "INIT") {
    tunnel.state = TunnelState::init;
  } else if (state == "REMOVED") {
    tunnel.state = TunnelState::removed;
  } else if (util::starts_with(state, "INVALID")) {
    // OVS prints "INVALID" + a reason that starts with ": ".
    tunnel.state = TunnelState::invalid;
    std::string_view reason = util::trim(state.substr(7));
    if (!reason.empty() && reason.front() == ':') {
      reason = util::trim(reason.substr(1));
    }
    tunnel.invalid_reason.assign(reason);
  } else {
    problems.push_back("unknown state \"" + std::string(state) + "\"");
  }
  return problems;
}

std::optional<CustomOptions>
parse_python_dict(std::string_view text)
{
  size_t i = 0;
  skip_spaces(text, i);
  if (i >= text.size() || text[i] != '{') {
    return std::nullopt;
  }
  ++i;
  skip_spaces(text, i);
  CustomOptions options;
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    while (true) {
      auto key = read_python_value(text, i);
      skip_spaces(text, i);
      if (!key || i >= text.size() || text[i] != ':') {
        return std::nullopt;
      }
      ++i;
      skip_spaces(text, i);
      auto value = read_python_value(text, i);
      if (!value) {
        return std::nullopt;
      }
      options.emplace_back(std::move(*key), std::move(*value));
      skip_spaces(text, i);
      if (i < text.size() && text[i] == ',') {
        ++i;
        skip_spaces(text, i);
        continue;
      }
      if (i < text.size() && text[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  skip_spaces(text, i);
  return i == text.size() ? std::optional<CustomOptions>(std::move(options)) : std::nullopt;
}

} // namespace ipsec
