#pragma once
// A table too long to keep as cells (a million tunnel rows at 1,000 nodes): rows are kept as
// packed text, in memory up to a limit and then in an unlinked temporary file, with the widest
// cell per column; write() aligns them at the end, as output::Table would have. Memory stays
// constant while the output is byte for byte that of output::Table.

#include "output/table.hpp"

#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace output {

class SpooledTable {
public:
  // Between packed cells; cells are escaped for the terminal first, so none holds it.
  static constexpr char k_cell_separator = '\x1f';

  // `sort_run`: with --sort-by, rows are sorted this many bytes at a time into runs in a
  // temporary file, then merged: memory stays constant with --sort-by too.
  explicit SpooledTable(std::vector<std::string> headings, size_t memory_limit = 4 * 1024 * 1024,
                        size_t sort_run = 8 * 1024 * 1024);

  // Escapes `cells` (as Table::add_row does) and appends them to `packed` as one row, widening
  // `widths` (one per heading) to fit. Pure: builds a batch for add_rows on any thread.
  static void pack_row(std::string& packed, std::vector<size_t>& widths, const std::vector<std::string>& cells);

  // Rows from pack_row, in order.
  void add_rows(std::string_view packed, const std::vector<size_t>& widths);

  // The table with its first `columns` columns (later ones left out, e.g. an empty MESSAGE),
  // sorted by style.sort_by (stable, as Table sorts).
  void write(std::ostream& out, size_t columns, const TableStyle& style = {});

private:
  void spill();
  // Calls `rows` with the packed rows in the order added, a block of whole rows at a time.
  template<typename Rows>
  void read_rows(Rows&& rows);
  // Writes the rows sorted by `column` to `line(row)`: one run sorted in memory, or sorted runs
  // of m_sort_run bytes in a temporary file merged.
  template<typename Line>
  void sorted_rows(size_t column, Line&& line);
  void write_line(std::string& buffer, std::string_view packed_row, size_t columns,
                  const std::vector<size_t>& widths) const;

  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };

  std::vector<std::string> m_headings;
  std::vector<size_t> m_widths;     // headings included
  std::vector<size_t> m_row_widths; // rows only (--no-headers)
  size_t m_memory_limit;
  size_t m_sort_run;
  std::string m_memory;                          // packed rows not in the file
  std::unique_ptr<std::FILE, FileCloser> m_file; // once the rows outgrew m_memory_limit
};

} // namespace output
