#include "output/spooled_table.hpp"

#include "output/table.hpp"
#include "util/error.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace output {

namespace {

// An unlinked temporary file under $TMPDIR (else /tmp); null when none can be made, and the
// rows then stay in memory: a bigger process beats no output.
std::FILE*
make_spool_file()
{
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/kubectl-ko-ipsec-table-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return nullptr;
  }
  ::unlink(path.c_str());
  std::FILE* file = ::fdopen(fd, "w+b");
  if (file == nullptr) {
    ::close(fd);
  }
  return file;
}

} // namespace

SpooledTable::SpooledTable(std::vector<std::string> headings, size_t memory_limit)
    : m_headings(std::move(headings)), m_memory_limit(memory_limit)
{
  for (const auto& heading : m_headings) {
    m_widths.push_back(heading.size());
  }
  m_row_widths.resize(m_headings.size());
}

void
SpooledTable::pack_row(std::string& packed, std::vector<size_t>& widths, const std::vector<std::string>& cells)
{
  if (widths.size() < cells.size()) {
    widths.resize(cells.size());
  }
  for (size_t c = 0; c < cells.size(); ++c) {
    const std::string cell = util::escape_for_terminal(cells[c]);
    widths[c] = std::max(widths[c], cell.size());
    if (c > 0) {
      packed += k_cell_separator;
    }
    packed += cell;
  }
  packed += '\n';
}

void
SpooledTable::add_rows(std::string_view packed, const std::vector<size_t>& widths)
{
  for (size_t c = 0; c < std::min(widths.size(), m_widths.size()); ++c) {
    m_widths[c] = std::max(m_widths[c], widths[c]);
    m_row_widths[c] = std::max(m_row_widths[c], widths[c]);
  }
  if (m_file) {
    if (std::fwrite(packed.data(), 1, packed.size(), m_file.get()) != packed.size()) {
      throw util::Error(fmt::format("cannot write the table's temporary file: {}", std::strerror(errno)));
    }
    return;
  }
  m_memory += packed;
  if (m_memory.size() > m_memory_limit) {
    spill();
  }
}

void
SpooledTable::spill()
{
  m_file.reset(make_spool_file());
  if (!m_file) {
    m_memory_limit = static_cast<size_t>(-1); // keep them in memory
    return;
  }
  if (std::fwrite(m_memory.data(), 1, m_memory.size(), m_file.get()) != m_memory.size()) {
    throw util::Error(fmt::format("cannot write the table's temporary file: {}", std::strerror(errno)));
  }
  m_memory.clear();
  m_memory.shrink_to_fit();
}

namespace {

// The `column`th cell of a packed row.
std::string_view
packed_cell(std::string_view row, size_t column)
{
  for (size_t c = 0; c < column; ++c) {
    const auto end = row.find(SpooledTable::k_cell_separator);
    if (end == std::string_view::npos) {
      return {};
    }
    row.remove_prefix(end + 1);
  }
  return row.substr(0, row.find(SpooledTable::k_cell_separator));
}

} // namespace

void
SpooledTable::write_line(std::string& buffer, std::string_view packed_row, size_t columns,
                         const std::vector<size_t>& widths) const
{
  std::vector<std::string_view> cells;
  cells.reserve(columns);
  while (cells.size() < columns) {
    const auto end = packed_row.find(k_cell_separator);
    cells.push_back(packed_row.substr(0, end));
    if (end == std::string_view::npos) {
      break;
    }
    packed_row.remove_prefix(end + 1);
  }
  cells.resize(columns); // a short row: empty cells, as Table::add_row pads them
  append_aligned_line(buffer, cells, widths);
}

std::string
SpooledTable::all_rows()
{
  std::string rows;
  if (m_file) {
    std::rewind(m_file.get());
    std::vector<char> block(1024 * 1024);
    while (const size_t got = std::fread(block.data(), 1, block.size(), m_file.get())) {
      rows.append(block.data(), got);
    }
    if (std::ferror(m_file.get()) != 0) {
      throw util::Error(fmt::format("cannot read the table's temporary file: {}", std::strerror(errno)));
    }
  }
  rows += m_memory;
  return rows;
}

void
SpooledTable::write(std::ostream& out, size_t columns, const TableStyle& style)
{
  columns = std::min(columns, m_headings.size());
  const auto& widths = style.no_headers ? m_row_widths : m_widths;
  std::string buffer;
  if (!style.no_headers) {
    append_aligned_line(buffer, std::vector<std::string_view>(m_headings.begin(), m_headings.begin() + columns),
                        widths);
  }
  const auto flush = [&] {
    if (buffer.size() >= 64 * 1024) {
      out << buffer;
      buffer.clear();
    }
  };
  if (const auto column = sort_column(
          std::vector<std::string>(m_headings.begin(), m_headings.begin() + static_cast<std::ptrdiff_t>(columns)),
          style)) {
    const std::string rows = all_rows();
    std::vector<std::string_view> lines;
    for (size_t start = 0, end = rows.find('\n'); end != std::string::npos;
         start = end + 1, end = rows.find('\n', start)) {
      lines.push_back(std::string_view(rows).substr(start, end - start));
    }
    std::stable_sort(lines.begin(), lines.end(), [c = *column](std::string_view a, std::string_view b) {
      return natural_less(packed_cell(a, c), packed_cell(b, c));
    });
    for (const auto line : lines) {
      write_line(buffer, line, columns, widths);
      flush();
    }
    out << buffer;
    return;
  }
  const auto write_rows = [&](std::string_view text) {
    size_t start = 0;
    for (size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', start)) {
      write_line(buffer, text.substr(start, end - start), columns, widths);
      start = end + 1;
      flush();
    }
    return start; // what is left: part of a row
  };
  if (m_file) {
    std::rewind(m_file.get());
    std::string chunk;
    std::vector<char> block(1024 * 1024);
    while (true) {
      const size_t got = std::fread(block.data(), 1, block.size(), m_file.get());
      if (got == 0) {
        break;
      }
      chunk.append(block.data(), got);
      chunk.erase(0, write_rows(chunk));
    }
    if (std::ferror(m_file.get()) != 0) {
      throw util::Error(fmt::format("cannot read the table's temporary file: {}", std::strerror(errno)));
    }
  }
  write_rows(m_memory);
  out << buffer;
}

} // namespace output
