#include "output/spooled_table.hpp"

#include "output/table.hpp"
#include "util/error.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <queue>
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

// Calls `row` with each row of `rows` (whole rows, each ended by '\n'), without its '\n'.
template<typename Row>
void
for_each_row(std::string_view rows, Row&& row)
{
  for (size_t start = 0, end = rows.find('\n'); end != std::string_view::npos;
       start = end + 1, end = rows.find('\n', start)) {
    row(rows.substr(start, end - start));
  }
}

[[noreturn]] void
temporary_file_failed(const char* doing)
{
  throw util::Error(fmt::format("cannot {} the table's temporary file: {}", doing, std::strerror(errno)));
}

} // namespace

SpooledTable::SpooledTable(std::vector<std::string> headings, size_t memory_limit, size_t sort_run)
    : m_headings(std::move(headings)), m_memory_limit(memory_limit), m_sort_run(std::max<size_t>(1, sort_run))
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
      temporary_file_failed("write");
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
    temporary_file_failed("write");
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

template<typename Rows>
void
SpooledTable::read_rows(Rows&& rows)
{
  if (m_file) {
    std::rewind(m_file.get());
    std::string chunk;
    std::vector<char> block(1024 * 1024);
    while (const size_t got = std::fread(block.data(), 1, block.size(), m_file.get())) {
      chunk.append(block.data(), got);
      const size_t whole = chunk.rfind('\n') + 1; // 0 when no row is whole yet
      rows(std::string_view(chunk).substr(0, whole));
      chunk.erase(0, whole);
    }
    if (std::ferror(m_file.get()) != 0) {
      temporary_file_failed("read");
    }
  }
  rows(std::string_view(m_memory));
}

namespace {

// Where one sorted run lies in the runs' file.
struct SortedRun {
  long offset = 0;
  size_t size = 0;
};

// One sorted run's rows, read back in order 64 KiB at a time.
class RunReader {
public:
  RunReader(int fd, SortedRun run) : m_fd(fd), m_at(run.offset), m_end(run.offset + static_cast<long>(run.size)) {}

  // The next row into row(); false after the last.
  bool next()
  {
    while (true) {
      const size_t end = m_buffer.find('\n', m_pos);
      if (end != std::string::npos) {
        m_row = std::string_view(m_buffer).substr(m_pos, end - m_pos);
        m_pos = end + 1;
        return true;
      }
      if (m_at >= m_end) {
        return false;
      }
      m_buffer.erase(0, m_pos);
      m_pos = 0;
      const size_t want = std::min<size_t>(64 * 1024, static_cast<size_t>(m_end - m_at));
      const size_t had = m_buffer.size();
      m_buffer.resize(had + want);
      const ssize_t got = ::pread(m_fd, m_buffer.data() + had, want, m_at);
      if (got <= 0) {
        temporary_file_failed("read");
      }
      m_buffer.resize(had + static_cast<size_t>(got));
      m_at += got;
    }
  }
  std::string_view row() const { return m_row; }

private:
  int m_fd;
  long m_at;
  long m_end;
  std::string m_buffer;
  size_t m_pos = 0;
  std::string_view m_row;
};

} // namespace

template<typename Line>
void
SpooledTable::sorted_rows(size_t column, Line&& line)
{
  const auto less = [column](std::string_view a, std::string_view b) {
    return natural_less(packed_cell(a, column), packed_cell(b, column));
  };
  std::string run;
  std::vector<std::string_view> lines;
  const auto sort_run = [&] {
    lines.clear();
    for_each_row(run, [&](std::string_view row) { lines.push_back(row); });
    std::stable_sort(lines.begin(), lines.end(), less);
  };
  // Runs of m_sort_run bytes go to a temporary file; without one they stay in memory as one run
  // (a bigger process beats no output).
  std::unique_ptr<std::FILE, FileCloser> runs_file;
  bool no_file = false;
  std::vector<SortedRun> runs;
  const auto write_run = [&] {
    sort_run();
    SortedRun sorted{std::ftell(runs_file.get()), run.size()};
    for (const auto row : lines) {
      if (std::fwrite(row.data(), 1, row.size(), runs_file.get()) != row.size() ||
          std::fputc('\n', runs_file.get()) == EOF) {
        temporary_file_failed("write");
      }
    }
    runs.push_back(sorted);
    run.clear();
  };
  read_rows([&](std::string_view rows) {
    while (!rows.empty()) {
      // Up to the run's size, cut at a row's end.
      size_t take = rows.size();
      if (!no_file && run.size() + rows.size() > m_sort_run) {
        const size_t room = m_sort_run > run.size() ? m_sort_run - run.size() : 1;
        const size_t end = rows.find('\n', room - 1);
        take = end == std::string_view::npos ? rows.size() : end + 1;
      }
      run += rows.substr(0, take);
      rows.remove_prefix(take);
      if (run.size() < m_sort_run || no_file) {
        continue;
      }
      if (!runs_file) {
        runs_file.reset(make_spool_file());
        no_file = !runs_file;
        if (no_file) {
          continue;
        }
      }
      write_run();
    }
  });
  if (runs.empty()) {
    sort_run();
    for (const auto row : lines) {
      line(row);
    }
    return;
  }
  if (!run.empty()) {
    write_run();
  }
  if (std::fflush(runs_file.get()) != 0) {
    temporary_file_failed("write");
  }
  // A k-way merge; equal keys come from the earlier run first, so the sort stays stable.
  std::vector<RunReader> readers;
  readers.reserve(runs.size());
  for (const auto& sorted : runs) {
    readers.emplace_back(::fileno(runs_file.get()), sorted);
  }
  const auto after = [&](size_t a, size_t b) {
    if (less(readers[b].row(), readers[a].row())) {
      return true;
    }
    return !less(readers[a].row(), readers[b].row()) && a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(after)> heap(after);
  for (size_t i = 0; i < readers.size(); ++i) {
    if (readers[i].next()) {
      heap.push(i);
    }
  }
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    line(readers[i].row());
    if (readers[i].next()) {
      heap.push(i);
    }
  }
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
  const auto write_row = [&](std::string_view row) {
    write_line(buffer, row, columns, widths);
    if (buffer.size() >= 64 * 1024) {
      out << buffer;
      buffer.clear();
    }
  };
  if (const auto column = sort_column(
          std::vector<std::string>(m_headings.begin(), m_headings.begin() + static_cast<std::ptrdiff_t>(columns)),
          style)) {
    sorted_rows(*column, write_row);
  } else {
    read_rows([&](std::string_view rows) { for_each_row(rows, write_row); });
  }
  out << buffer;
}

} // namespace output
