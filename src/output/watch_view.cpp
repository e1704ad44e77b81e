#include "output/watch_view.hpp"

#include "util/duration.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace output {

namespace {

// A round names at most this many changed rows; a count says how many more (a mesh's tunnels
// all change at once when IPsec is turned on).
constexpr size_t k_named_changes = 10;

// The row's first `cells` cells (cells are split by spaces and hold none), joined by '/'.
std::string
row_key(const std::string& row, size_t cells)
{
  std::string key;
  size_t at = 0;
  for (size_t cell = 0; cell < cells && at < row.size(); ++cell) {
    const size_t end = std::min(row.find(' ', at), row.size());
    key += (cell == 0 ? "" : "/") + row.substr(at, end - at);
    at = row.find_first_not_of(' ', end);
  }
  return key;
}

std::string
named(const std::vector<std::string>& keys)
{
  if (keys.size() <= k_named_changes) {
    return fmt::format("{}", fmt::join(keys, ", "));
  }
  return fmt::format("{} and {} more", fmt::join(keys.begin(), keys.begin() + k_named_changes, ", "),
                     keys.size() - k_named_changes);
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
    now.emplace(row_key(row, m_key_cells), row);
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
  const bool summary_changed = summary != m_summary;
  m_summary = summary;
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
      out.text += fmt::format("Changed since the last poll: {}{}{}\n", named(changed),
                              !changed.empty() && !gone.empty() ? "; gone: "
                              : gone.empty()                    ? ""
                                                                : "gone: ",
                              named(gone));
    }
    return out;
  }
  if (first) {
    out.text = screen;
    return out;
  }
  if (changed.empty() && gone.empty()) {
    // A summary-only listing (`tunnels --summary` with nothing wrong) changes in its summary.
    if (summary_changed) {
      out.text = fmt::format("\n--- {}: no listed row changed\n{}\n", when, summary);
    }
    return out;
  }
  out.text = fmt::format("\n--- {}: {} changed\n", when, named(changed.empty() ? gone : changed));
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
