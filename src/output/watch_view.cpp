#include "output/watch_view.hpp"

#include "util/duration.hpp"

#include <fmt/format.h>

namespace output {

namespace {

std::string
row_key(const std::string& row)
{
  return row.substr(0, row.find(' '));
}

// A row without its alignment: one row's longer cell widens the column in every row, which is
// no change of theirs.
std::string
unaligned(const std::string& row)
{
  std::string out;
  for (const char c : row) {
    if (c != ' ' || out.empty() || out.back() != ' ') {
      out += c;
    }
  }
  return out;
}

} // namespace

WatchFrame
WatchView::frame(const std::string& screen, const std::vector<std::string>& rows, const std::string& summary,
                 std::chrono::steady_clock::duration elapsed)
{
  std::map<std::string, std::string> now;
  for (const auto& row : rows) {
    now.emplace(row_key(row), row);
  }
  std::vector<std::string> changed;
  std::vector<std::string> changed_rows;
  for (const auto& [key, row] : now) {
    const auto before = m_rows.find(key);
    if (before == m_rows.end() || unaligned(before->second) != unaligned(row)) {
      changed.push_back(key);
      changed_rows.push_back(row);
    }
  }
  std::vector<std::string> gone;
  for (const auto& [key, row] : m_rows) {
    if (now.count(key) == 0) {
      gone.push_back(key);
    }
  }
  const bool first = m_rounds++ == 0;
  m_rows = std::move(now);
  const std::string when = util::elapsed_text(elapsed);

  WatchFrame out;
  if (m_terminal) {
    out.clear_screen = true;
    out.text = fmt::format("{}   elapsed {}   Ctrl-C to stop\n\n{}\n", m_title, when, screen);
    if (first) {
      return out;
    }
    if (changed.empty() && gone.empty()) {
      out.text += "No change since the last poll.\n";
    } else {
      out.text += fmt::format("Changed since the last poll: {}{}{}\n", fmt::join(changed, ", "),
                              !changed.empty() && !gone.empty() ? "; gone: "
                              : gone.empty()                    ? ""
                                                                : "gone: ",
                              fmt::join(gone, ", "));
    }
    return out;
  }
  if (first) {
    out.text = screen;
    return out;
  }
  if (changed.empty() && gone.empty()) {
    return out;
  }
  out.text = fmt::format("\n--- {}: {} changed\n", when, fmt::join(changed.empty() ? gone : changed, ", "));
  for (const auto& row : changed_rows) {
    out.text += row + "\n";
  }
  for (const auto& key : gone) {
    out.text += fmt::format("{} is gone\n", key);
  }
  out.text += summary + "\n";
  return out;
}

WatchFrame
WatchView::failed(const std::string& error, std::chrono::steady_clock::duration elapsed) const
{
  const std::string when = util::elapsed_text(elapsed);
  if (m_terminal) {
    return {true, fmt::format("{}   elapsed {}   Ctrl-C to stop\n\nThis poll failed: {}\n", m_title, when, error)};
  }
  return {false, fmt::format("\n--- {}: this poll failed: {}\n", when, error)};
}

} // namespace output
