#include "output/table.hpp"

#include "util/error.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace output {

namespace {

std::string
column_key(std::string_view text)
{
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, text.size() - 2);
  }
  if (!text.empty() && text.front() == '$') {
    text.remove_prefix(1);
  }
  std::string key;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key;
}

} // namespace

std::optional<size_t>
sort_column(const std::vector<std::string>& headings, const TableStyle& style)
{
  if (style.sort_by.empty()) {
    return std::nullopt;
  }
  const auto key = column_key(style.sort_by);
  for (size_t c = 0; c < headings.size(); ++c) {
    if (!key.empty() && column_key(headings[c]) == key) {
      return c;
    }
  }
  throw util::UsageError(fmt::format("couldn't find any field with path \"{}\" in the table: --sort-by takes one "
                                     "of its columns: {}",
                                     style.sort_by, fmt::join(headings, ", ")));
}

bool
natural_less(std::string_view a, std::string_view b)
{
  size_t i = 0;
  size_t j = 0;
  const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t end_a = i;
      size_t end_b = j;
      while (end_a < a.size() && digit(a[end_a])) {
        ++end_a;
      }
      while (end_b < b.size() && digit(b[end_b])) {
        ++end_b;
      }
      // Leading zeros aside, the longer run is the bigger number.
      auto run_a = a.substr(i, end_a - i);
      auto run_b = b.substr(j, end_b - j);
      while (run_a.size() > 1 && run_a.front() == '0') {
        run_a.remove_prefix(1);
      }
      while (run_b.size() > 1 && run_b.front() == '0') {
        run_b.remove_prefix(1);
      }
      if (run_a.size() != run_b.size()) {
        return run_a.size() < run_b.size();
      }
      if (run_a != run_b) {
        return run_a < run_b;
      }
      i = end_a;
      j = end_b;
      continue;
    }
    if (a[i] != b[j]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    }
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

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
Table::render(const TableStyle& style) const
{
  // As kubectl's --no-headers: the columns are as wide as their rows alone.
  std::vector<size_t> widths(m_headings.size());
  for (size_t c = 0; c < m_headings.size(); ++c) {
    widths[c] = style.no_headers ? 0 : m_headings[c].size();
    for (const auto& row : m_rows) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::vector<const std::vector<std::string>*> rows;
  for (const auto& row : m_rows) {
    rows.push_back(&row);
  }
  if (const auto column = sort_column(m_headings, style)) {
    std::stable_sort(rows.begin(), rows.end(),
                     [c = *column](const auto* a, const auto* b) { return natural_less((*a)[c], (*b)[c]); });
  }
  std::string out;
  const auto emit = [&](const std::vector<std::string>& cells) {
    append_aligned_line(out, std::vector<std::string_view>(cells.begin(), cells.end()), widths);
  };
  if (!style.no_headers) {
    emit(m_headings);
  }
  for (const auto* row : rows) {
    emit(*row);
  }
  return out;
}

} // namespace output
