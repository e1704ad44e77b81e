#include "util/terminal_text.hpp"

#include "util/ascii_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace util {

namespace {

// How many bytes at the start of `data` are plain: printable ASCII, newline and TAB. All of
// `tunnels -o json`'s output at 1,000 nodes (1.7 GB) may go through here on the printing thread.
size_t
plain_prefix(std::string_view data)
{
  return plain_run<'\n', '\t'>(data);
}

} // namespace

int
utf8_sequence_length(std::string_view text, size_t i)
{
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
    high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (int k = 1; k < length; ++k) {
    if (i + static_cast<size_t>(k) >= text.size()) {
      return -1;
    }
    const unsigned char c = byte(i + static_cast<size_t>(k));
    if (c < (k == 1 ? low : 0x80) || c > (k == 1 ? high : 0xBF)) {
      return 0;
    }
  }
  return length;
}

namespace {

std::uint32_t
decode(std::string_view text, size_t i, int length)
{
  const auto byte = [&](size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(text[k])); };
  std::uint32_t code = byte(i) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
  for (int k = 1; k < length; ++k) {
    code = (code << 6) | (byte(i + static_cast<size_t>(k)) & 0x3F);
  }
  return code;
}

bool
is_control_point(std::uint32_t code)
{
  return (code >= 0x80 && code <= 0x9F) || code == 0x061C || code == 0x200E || code == 0x200F ||
         (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
}

// Escapes `text` into `out`; returns how many bytes at its end form an incomplete sequence
// (left unconsumed when `partial_ok`, escaped otherwise).
size_t
escape_into(std::string& out, std::string_view text, bool partial_ok)
{
  size_t i = 0;
  while (i < text.size()) {
    const size_t run = i + plain_prefix(text.substr(i));
    out.append(text.substr(i, run - i));
    i = run;
    if (i == text.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    const int length = utf8_sequence_length(text, i);
    if (length < 0 && partial_ok) {
      return text.size() - i;
    }
    if (length <= 0) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    const auto code = decode(text, i, length);
    if (is_control_point(code)) {
      out += fmt::format("\\u{:04x}", code);
    } else {
      out.append(text.substr(i, static_cast<size_t>(length)));
    }
    i += static_cast<size_t>(length);
  }
  return 0;
}

} // namespace

std::string
escape_for_terminal(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  escape_into(out, text, false);
  return out;
}

TerminalSafeBuf::~TerminalSafeBuf()
{
  flush_pending();
}

void
TerminalSafeBuf::consume(std::string_view data)
{
  std::string joined;
  if (!m_pending.empty()) {
    joined = m_pending + std::string(data);
    data = joined;
    m_pending.clear();
  }
  // Most output needs no escape: pass it on without a copy.
  const size_t plain = plain_prefix(data);
  m_sink->sputn(data.data(), static_cast<std::streamsize>(plain));
  data.remove_prefix(plain);
  if (data.empty()) {
    return;
  }
  std::string out;
  const size_t held = escape_into(out, data, true);
  m_pending.assign(data.substr(data.size() - held));
  m_sink->sputn(out.data(), static_cast<std::streamsize>(out.size()));
}

void
TerminalSafeBuf::flush_pending()
{
  if (!m_pending.empty()) {
    const auto out = escape_for_terminal(m_pending);
    m_pending.clear();
    m_sink->sputn(out.data(), static_cast<std::streamsize>(out.size()));
  }
}

void
TerminalSafeBuf::write_raw(std::string_view bytes)
{
  flush_pending();
  m_sink->sputn(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TerminalSafeBuf::int_type
TerminalSafeBuf::overflow(int_type ch)
{
  if (traits_type::eq_int_type(ch, traits_type::eof())) {
    return traits_type::not_eof(ch);
  }
  const char c = traits_type::to_char_type(ch);
  consume(std::string_view(&c, 1));
  return ch;
}

std::streamsize
TerminalSafeBuf::xsputn(const char* s, std::streamsize n)
{
  consume(std::string_view(s, static_cast<size_t>(n)));
  return n;
}

int
TerminalSafeBuf::sync()
{
  flush_pending();
  return m_sink->pubsync();
}

void
write_terminal_control(std::ostream& os, std::string_view sequence)
{
  if (auto* safe = dynamic_cast<TerminalSafeBuf*>(os.rdbuf())) {
    safe->write_raw(sequence);
  } else {
    os << sequence;
  }
}

TerminalSafeScope::TerminalSafeScope(std::ostream& os) : m_os(os), m_old(os.rdbuf()), m_buf(os.rdbuf())
{
  m_os.rdbuf(&m_buf);
}

TerminalSafeScope::~TerminalSafeScope()
{
  m_os.flush();
  m_os.rdbuf(m_old);
}

bool
terminal_plain(std::string_view text)
{
  return plain_prefix(text) == text.size();
}

} // namespace util
