#pragma once
// A kubectl-style text table: upper-case headings, columns separated by three spaces,
// left-aligned, no trailing spaces. Returns the text; the caller prints it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace output {

// What a table leaves out or reorders (--no-headers, --sort-by).
struct TableStyle {
  bool no_headers = false; // rows only: no column headings (and no screen around the table)
  std::string sort_by;     // a column (heading or json key: "STATE", ".state", "{.remoteNode}"); "" = as made
};

// The column `style.sort_by` names among `headings` (case, spaces, '-', '_', a leading '.', '$.'
// or the braces of a JSONPath do not count), nullopt without --sort-by. Throws util::UsageError
// naming the columns there are.
std::optional<size_t> sort_column(const std::vector<std::string>& headings, const TableStyle& style);

// Cell order for --sort-by: numbers inside text by value ("node-2" < "node-10"), else bytes.
bool natural_less(std::string_view a, std::string_view b);

// One line of a table: each cell but the last padded to its column's width plus three spaces,
// trailing spaces removed, then '\n'. Widths are in bytes of the escaped cells.
void append_aligned_line(std::string& out, const std::vector<std::string_view>& cells,
                         const std::vector<size_t>& widths);

class Table {
public:
  explicit Table(std::vector<std::string> headings);
  void add_row(std::vector<std::string> cells); // missing cells render empty
  std::string render(const TableStyle& style = {}) const;

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
render_columns(const std::vector<Column<Row>>& columns, const std::vector<Row>& rows, bool wide,
               const TableStyle& style = {})
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
  return table.render(style);
}

} // namespace output
