#include "ops/progress.hpp"

#include "util/duration.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <ostream>

#include <sys/ioctl.h>
#include <unistd.h>

namespace ops {

namespace {

// stderr's width in columns; 80 when it cannot be asked.
size_t
terminal_columns()
{
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

// `text` cut to `columns` characters (UTF-8 aware: a cut never splits a character).
std::string
fit(const std::string& text, size_t columns)
{
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    const int length = util::utf8_sequence_length(text, i);
    const size_t step = length > 0 ? static_cast<size_t>(length) : 1;
    if (++chars > columns) {
      return text.substr(0, i);
    }
    i += step;
  }
  return text;
}

} // namespace

Progress::Progress(const Session& session, std::string what)
    : m_session(session), m_what(std::move(what)), m_start(std::chrono::steady_clock::now())
{}

Progress::~Progress()
{
  clear();
}

void
Progress::update(const std::string& detail)
{
  if (!m_session.err_is_terminal) {
    return;
  }
  static constexpr std::string_view k_frames = "|/-\\";
  std::lock_guard lock(m_mutex);
  const std::string line =
      fmt::format("[{}] {}{}{} ({})", k_frames[m_frame++ % k_frames.size()], m_what, detail.empty() ? "" : ": ", detail,
                  util::elapsed_text(std::chrono::steady_clock::now() - m_start));
  util::write_terminal_control(m_session.err, "\r\033[K");
  // One column short of the width: a line that fills the last column wraps on some terminals.
  m_session.err << fit(line, terminal_columns() - 1) << std::flush;
  m_shown = true;
}

void
Progress::clear()
{
  std::lock_guard lock(m_mutex);
  if (!m_shown) {
    return;
  }
  util::write_terminal_control(m_session.err, "\r\033[K");
  m_session.err << std::flush;
  m_shown = false;
}

} // namespace ops
