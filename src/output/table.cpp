#include "output/table.hpp"

#include "util/terminal_text.hpp"

#include <algorithm>

namespace output {

void
append_aligned_line(std::string& out, const std::vector<std::string_view>& cells, const std::vector<size_t>& widths)
{
  const size_t start = out.size();
  for (size_t c = 0; c < cells.size(); ++c) {
    out += cells[c];
    if (c + 1 < cells.size()) {
      out.append(widths[c] - std::min(widths[c], cells[c].size()) + 3, ' ');
    }
  }
  while (out.size() > start && out.back() == ' ') {
    out.pop_back();
  }
  out += '\n';
}

Table::Table(std::vector<std::string> headings) : m_headings(std::move(headings)) {}

void
Table::add_row(std::vector<std::string> cells)
{
  cells.resize(m_headings.size());
  for (auto& cell : cells) {
    cell = util::escape_for_terminal(cell); // before widths are measured, so columns stay aligned
  }
  m_rows.push_back(std::move(cells));
}

std::string
Table::render() const
{
  std::vector<size_t> widths(m_headings.size());
  for (size_t c = 0; c < m_headings.size(); ++c) {
    widths[c] = m_headings[c].size();
    for (const auto& row : m_rows) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::string out;
  const auto emit = [&](const std::vector<std::string>& cells) {
    append_aligned_line(out, std::vector<std::string_view>(cells.begin(), cells.end()), widths);
  };
  emit(m_headings);
  for (const auto& row : m_rows) {
    emit(row);
  }
  return out;
}

} // namespace output
