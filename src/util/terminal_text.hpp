#pragma once
// What reaches a terminal from untrusted sources (pod output, API messages, names) must not be
// able to drive it: C0 controls (but newline and TAB), DEL, C1 controls (U+0080-U+009F, among
// them the one-byte CSI U+009B), bidi controls (U+061C, U+200E/F, U+202A-E, U+2066-9) and bytes
// that are not UTF-8 are escaped visibly. Code points become `\uXXXX`, which inside a JSON string
// or a double-quoted YAML scalar is the escape of the same character, so machine output stays
// exact; stray bytes become `\xNN`. cli::run puts every stdout and stderr byte through it.

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace util {

// Length of the UTF-8 sequence starting at text[i] (no overlong forms, surrogates or values
// above U+10FFFF): 0 when it is not valid, -1 when `text` ends before the sequence does.
int utf8_sequence_length(std::string_view text, size_t i);

// `text` with every byte or character above escaped (one-shot form, e.g. for table cells).
std::string escape_for_terminal(std::string_view text);

// A streambuf that escapes what passes through it into `sink`. A UTF-8 sequence split across
// writes is held until complete; one left incomplete at sync() is escaped byte by byte.
class TerminalSafeBuf : public std::streambuf {
public:
  explicit TerminalSafeBuf(std::streambuf* sink) : m_sink(sink) {}
  ~TerminalSafeBuf() override;
  TerminalSafeBuf(const TerminalSafeBuf&) = delete;
  TerminalSafeBuf& operator=(const TerminalSafeBuf&) = delete;

  // The plugin's own control sequences (progress lines' "\r\033[K"), passed as they are.
  void write_raw(std::string_view bytes);

protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

private:
  void consume(std::string_view data);
  void flush_pending();

  std::streambuf* m_sink;
  std::string m_pending; // an incomplete UTF-8 sequence
};

// Whether `text` is only printable ASCII, newlines and TABs: what the filter passes as it is.
bool terminal_plain(std::string_view text);

// Writes `sequence` unescaped when `os` goes through a TerminalSafeBuf, else as usual: the
// plugin's own control sequences, or text terminal_plain() holds that was checked where it was
// made (on the thread that made it, not on the one printing).
void write_terminal_control(std::ostream& os, std::string_view sequence);

// While alive, `os` writes through a TerminalSafeBuf; the old buffer comes back at the end.
class TerminalSafeScope {
public:
  explicit TerminalSafeScope(std::ostream& os);
  ~TerminalSafeScope();
  TerminalSafeScope(const TerminalSafeScope&) = delete;
  TerminalSafeScope& operator=(const TerminalSafeScope&) = delete;

private:
  std::ostream& m_os;
  std::streambuf* m_old;
  TerminalSafeBuf m_buf;
};

} // namespace util
