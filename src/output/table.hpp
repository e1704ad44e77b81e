#pragma once
// A kubectl-style text table: upper-case headings, columns separated by three spaces,
// left-aligned, no trailing spaces. Returns the text; the caller prints it.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace output {

// One line of a table: each cell but the last padded to its column's width plus three spaces,
// trailing spaces removed, then '\n'. Widths are in bytes of the escaped cells.
void append_aligned_line(std::string& out, const std::vector<std::string_view>& cells,
                         const std::vector<size_t>& widths);

class Table {
public:
  explicit Table(std::vector<std::string> headings);
  void add_row(std::vector<std::string> cells); // missing cells render empty
  std::string render() const;

private:
  std::vector<std::string> m_headings;
  std::vector<std::vector<std::string>> m_rows;
};

// One column of a table of `Row`s: its heading and its cell, declared together so the two
// cannot drift apart. `wide_only` columns appear with -o wide only.
template<typename Row>
struct Column {
  std::string heading;
  bool wide_only = false;
  std::function<std::string(const Row&)> cell;
};

// The table of `rows` in `columns` order, without the wide-only columns unless `wide`.
template<typename Row>
std::string
render_columns(const std::vector<Column<Row>>& columns, const std::vector<Row>& rows, bool wide)
{
  std::vector<std::string> headings;
  for (const auto& column : columns) {
    if (wide || !column.wide_only) {
      headings.push_back(column.heading);
    }
  }
  Table table(std::move(headings));
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& column : columns) {
      if (wide || !column.wide_only) {
        cells.push_back(column.cell(row));
      }
    }
    table.add_row(std::move(cells));
  }
  return table.render();
}

} // namespace output
