#include "output/tunnels_printer.hpp"

#include "output/render_tunnels.hpp"
#include "output/tunnel_text.hpp"
#include "output/yaml.hpp"
#include "util/memory_budget.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <mutex>
#include <sstream>

namespace output {

namespace {

using nlohmann::json;

bool
is_table(Format format)
{
  return format == Format::table || format == Format::wide;
}

// Appends `text` with `indent` spaces before each line: after every '\n' but a last one, and
// (with `first_line`) before the first. Pretty JSON holds no raw newline in a string, and the
// YAML emitter double-quotes any string with one, so this is exact for both.
void
append_indented(std::string& out, std::string_view text, size_t indent, bool first_line)
{
  if (first_line && !text.empty()) {
    out.append(indent, ' ');
  }
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', start)) {
    out.append(text.substr(start, end + 1 - start));
    start = end + 1;
    if (start < text.size() && text[start] != '\n') {
      out.append(indent, ' ');
    }
  }
  out.append(text.substr(start));
}

std::string
json_text(const json& value)
{
  return value.dump(2, ' ', false, json::error_handler_t::replace);
}

// The document's layout, {"nodes": [ item {"tunnels": [ tunnel ]} ]}, indented by 2: a node's
// item at depth 2, its keys at 3, its tunnels at 4. In YAML: items under "nodes:" at 2
// spaces, tunnels under "tunnels:" at 6.
// What a summary leaves out: a CONFIGURED tunnel, and a node with IPsec off (a state, not a
// fault). Counted either way.
// A node's rows are kept until they are sorted and printed, for up to --concurrency nodes at
// once: 8 MiB is ~6,000 tunnels in json, ~80,000 in the table.
constexpr size_t k_max_node_part = 8 * util::k_mib;
// ... and what all the nodes being read keep at once (1,000 real nodes keep ~17 MB).
constexpr size_t k_max_kept = 96 * util::k_mib;
// -o jsonpath runs its template on the whole document, parsed: five times its text in memory
// (149 MB of text at 300 nodes peaked at 789 MB). 64 MiB of text is a 200-node mesh; past it
// the command says so instead of taking gigabytes.
constexpr size_t k_max_jsonpath_document = 64 * util::k_mib;

bool
is_fine(std::string_view state)
{
  return state == "CONFIGURED" || state == "NO-TUNNELS";
}

// A tunnel's object in the json document: {"nodes": [ {"tunnels": [ here ]} ]}.
constexpr size_t k_json_tunnel_depth = 4;

constexpr std::string_view k_json_tunnel_indent = "        ";
static_assert(k_json_tunnel_indent.size() == 2 * k_json_tunnel_depth);

constexpr std::string_view k_json_empty_tunnels = "\n      \"tunnels\": []";
constexpr std::string_view k_yaml_empty_tunnels = "\n    tunnels: []\n";

} // namespace

TunnelsPrinter::TunnelsPrinter(Format format, std::ostream& out, TableRows rows)
    : TunnelsPrinter(OutputOptions{printer_of(format), nullptr, {}}, out, rows)
{}

TunnelsPrinter::TunnelsPrinter(const OutputOptions& options, std::ostream& out, TableRows rows)
    : m_options(options), m_format(options.format()), m_final_out(out),
      m_out(options.printer == Printer::jsonpath ? m_document : out), m_table_rows(rows), m_kept_budget(k_max_kept)
{
  if (is_table(m_format)) {
    std::vector<std::string> headings;
    for (auto& column : tunnel_columns(true)) {
      if (m_format == Format::wide || !column.wide_only) {
        headings.push_back(column.heading);
        m_columns.push_back(std::move(column));
      }
    }
    sort_column(headings, m_options.table); // a wrong --sort-by is refused before any node is read
    m_table = std::make_unique<SpooledTable>(std::move(headings));
  }
}

size_t
TunnelsPrinter::held_bytes_per_tunnel() const
{
  // A tunnel's json object at depth 4 is ~1.75 KB; reading 20 nodes of 999 tunnels at once
  // (1,200 B a tunnel in 24 MiB) peaked at 41-50 MB RSS, 25 nodes at 51-58 MB (at 50 ms exec
  // latency fewer nodes at once cost time: 9 nodes 9.5-10 s, 17 nodes 7.5-7.8 s).
  if (m_format == Format::json) {
    return 1200;
  }
  return m_format == Format::yaml ? 1800 : 1200;
}

TunnelsPrinter::NodePart::NodePart(const TunnelsPrinter& printer, std::string node, const ipsec::ChassisNames& names)
    : m_printer(printer), m_names(names), m_builder(names), m_charge(&printer.m_kept_budget)
{
  m_stub.node = std::move(node);
}

void
TunnelsPrinter::NodePart::take(const ipsec::TunnelRow& row, size_t sequence)
{
  const Format format = m_printer.m_format;
  std::string& out = block_for_row();
  const size_t offset = out.size();
  if (is_table(format)) {
    const auto state = row_state_word(row);
    ++m_piece.states[state];
    if (m_printer.m_table_rows == TableRows::summary && is_fine(state)) {
      return;
    }
    std::vector<std::string> cells;
    for (const auto& column : m_printer.m_columns) {
      cells.push_back(column.cell(row));
    }
    m_piece.has_message = m_piece.has_message || !cells.back().empty();
    SpooledTable::pack_row(out, m_piece.widths, cells);
  } else if (m_printer.m_options.printer == Printer::name) {
    if (row.kind != ipsec::RowKind::tunnel) {
      return;
    }
    fmt::format_to(std::back_inserter(out), "tunnel/{}/{}\n", row.result->node, row.tunnel->interface);
  } else if (row.kind == ipsec::RowKind::tunnel) {
    // At its place in the document: json at depth 4, yaml 6 spaces in.
    if (format == Format::json) {
      out += k_json_tunnel_indent;
      m_rows_plain = append_tunnel_json(out, *row.tunnel, row.remote_node, k_json_tunnel_depth) && m_rows_plain;
    } else {
      m_yaml_item.clear();
      append_tunnel_yaml(m_yaml_item, *row.tunnel, row.remote_node, m_yaml_scalars);
      append_indented(out, m_yaml_item, 6, true);
    }
  } else {
    return; // json/yaml: the node's item says it (error, missingPeers)
  }
  const size_t size = out.size() - offset;
  if (m_charge.bytes() + size > k_max_node_part) {
    throw util::exceeds_limit("the text kept to print its rows", k_max_node_part);
  }
  if (!m_charge.grow(size)) {
    throw util::exceeds_limit("the text kept to print the rows of the nodes being read", k_max_kept);
  }
  m_entries.push_back({ipsec::row_order(row, sequence), {m_piece.blocks.size() - 1, offset, size}});
}

std::string&
TunnelsPrinter::NodePart::block_for_row()
{
  // A row is ~1.8 KB at most in json (more only from odd pods: the block then grows).
  constexpr size_t k_room = 4096;
  auto& blocks = m_piece.blocks;
  if (blocks.empty() || blocks.back().capacity() - blocks.back().size() < k_room) {
    blocks.push_back(m_printer.spare_block());
  }
  return blocks.back();
}

void
TunnelsPrinter::NodePart::add(const ipsec::Tunnel& tunnel)
{
  take(m_builder.add(m_stub, tunnel), m_entries.size());
}

TunnelsPiece
TunnelsPrinter::NodePart::finish(const ipsec::NodeTunnelsResult& node)
{
  if (!node.tunnels) {
    // Failed part-way (cut off, over its limit): its row says so, none of its tunnels print.
    m_entries.clear();
    m_rows_plain = true;
    m_piece = TunnelsPiece{};
    m_charge.reset();
  }
  if (m_entries.empty() && node.tunnels) {
    for (const auto& tunnel : node.tunnels->tunnels) {
      take(m_builder.add(node, tunnel), m_entries.size());
    }
  }
  auto closing = m_builder.finish(node);
  std::stable_sort(closing.begin(), closing.end(), [](const ipsec::TunnelRow& a, const ipsec::TunnelRow& b) {
    return ipsec::row_order(a, 0) < ipsec::row_order(b, 0);
  });
  for (const auto& row : closing) {
    take(row, m_entries.size());
  }
  std::stable_sort(m_entries.begin(), m_entries.end(),
                   [](const Entry& a, const Entry& b) { return a.order < b.order; });
  m_piece.trustworthy = m_builder.trustworthy(node);
  const Format format = m_printer.m_format;
  if (!is_table(format) && m_printer.m_options.printer != Printer::name) {
    split_item(node, closing);
  }
  m_piece.rows.reserve(m_entries.size());
  for (const auto& entry : m_entries) {
    m_piece.rows.push_back(entry.text);
  }
  m_entries.clear();
  m_piece.kept = std::move(m_charge);
  return std::move(m_piece);
}

void
TunnelsPrinter::NodePart::split_item(const ipsec::NodeTunnelsResult& node, const std::vector<ipsec::TunnelRow>& closing)
{
  const bool json_format = m_printer.m_format == Format::json;
  const json item = node_item_json(node, closing, m_names);
  std::string text;
  if (json_format) {
    append_indented(text, json_text(item), 4, false);
  } else {
    append_indented(text, to_yaml(json::array({item})), 2, true);
  }
  const auto empty = json_format ? k_json_empty_tunnels : k_yaml_empty_tunnels;
  const auto at = node.tunnels && !m_entries.empty() ? text.find(empty) : std::string::npos;
  m_piece.terminal_plain = json_format && m_rows_plain && util::terminal_plain(text);
  if (at == std::string::npos) {
    m_piece.head = std::move(text);
    m_entries.clear(); // (not reached: a node with tunnels has the empty list to replace)
    return;
  }
  // The tunnels go where the item says "tunnels: []".
  m_piece.head = text.substr(0, at);
  m_piece.head += json_format ? "\n      \"tunnels\": [\n" : "\n    tunnels:\n";
  m_piece.tail = json_format ? "\n      ]" : "";
  m_piece.tail += std::string_view(text).substr(at + empty.size());
}

void
TunnelsPrinter::flush_staging(bool plain)
{
  if (m_options.printer == Printer::jsonpath) {
    m_document_bytes += m_staging.size();
    if (m_document_bytes > k_max_jsonpath_document) {
      throw util::MemoryLimitError(fmt::format(
          "-o jsonpath runs on the whole document, which passed {} with {} node(s) in it: pipe -o json (it streams) "
          "to a JSON tool, or name fewer nodes with --node",
          util::format_bytes(k_max_jsonpath_document), m_written));
    }
  }
  if (plain) {
    // Checked as it was made, on the node's thread: nothing for the terminal filter to do.
    util::write_terminal_control(m_out, m_staging);
  } else {
    m_out << m_staging;
  }
  m_staging.clear();
}

std::string
TunnelsPrinter::spare_block() const
{
  {
    const std::lock_guard<std::mutex> lock(m_spare_mutex);
    if (!m_spare_blocks.empty()) {
      std::string block = std::move(m_spare_blocks.back());
      m_spare_blocks.pop_back();
      return block;
    }
  }
  std::string block;
  block.reserve(k_piece_block);
  return block;
}

void
TunnelsPrinter::write(TunnelsPiece&& piece)
{
  write_piece(piece);
  // As many as the nodes read at once hold (24 MiB at most): beyond that, freed.
  constexpr size_t k_max_spare = 24 * util::k_mib / k_piece_block;
  const std::lock_guard<std::mutex> lock(m_spare_mutex);
  for (auto& block : piece.blocks) {
    if (m_spare_blocks.size() >= k_max_spare) {
      break;
    }
    if (block.capacity() == k_piece_block) { // (one a long row grew is not kept)
      block.clear();
      m_spare_blocks.push_back(std::move(block));
    }
  }
  piece.blocks.clear();
}

void
TunnelsPrinter::write_piece(const TunnelsPiece& piece)
{
  // The rows are copied out in output order through m_staging, 64 KiB at a time.
  constexpr size_t k_staging = 64 * 1024;
  // -o name is json's format too, but its lines have no separators.
  const bool json_format = m_format == Format::json && m_options.printer != Printer::name;
  const auto copy_rows = [&](const auto& written) {
    for (size_t i = 0; i < piece.rows.size(); ++i) {
      m_staging += piece.text(piece.rows[i]);
      if (json_format && i + 1 < piece.rows.size()) {
        m_staging += ",\n";
      }
      if (m_staging.size() >= k_staging) {
        written();
      }
    }
  };
  if (m_table) {
    const auto to_table = [&] {
      m_table->add_rows(m_staging, piece.widths);
      m_staging.clear();
    };
    copy_rows(to_table);
    to_table();
    m_any_message = m_any_message || piece.has_message;
    for (const auto& [state, count] : piece.states) {
      m_states[state] += count;
      m_rows += count;
    }
    ++m_written;
    return;
  }
  const auto out = [&] { flush_staging(piece.terminal_plain); };
  if (m_options.printer == Printer::name) {
    copy_rows(out);
    out();
    ++m_written;
    return;
  }
  if (m_written++ == 0) {
    m_out << (json_format ? "{\n  \"nodes\": [\n    " : "nodes:\n");
  } else if (json_format) {
    m_out << ",\n    ";
  }
  m_staging += piece.head;
  copy_rows(out);
  m_staging += piece.tail;
  out();
}

void
TunnelsPrinter::finish()
{
  if (m_table && m_table_rows == TableRows::summary) {
    write_summary();
  } else if (m_table) {
    // MESSAGE only when a row has one, and last, so a long error does not push columns apart.
    m_table->write(m_out, m_columns.size() - (m_any_message ? 0 : 1), m_options.table);
  } else if (m_options.printer == Printer::name) {
    // nothing after the last line
  } else if (m_format == Format::json) {
    m_out << (m_written == 0 ? "{\n  \"nodes\": []\n}\n" : "\n  ]\n}\n");
  } else if (m_written == 0) {
    m_out << "nodes: []\n";
  }
  if (m_options.printer == Printer::jsonpath) {
    auto document = json::parse(m_document); // read from the stream: no second copy of the text
    m_document.str({});
    m_final_out << m_options.jsonpath->execute(document);
  }
  m_final_out.flush();
}

size_t
TunnelsPrinter::not_right() const
{
  size_t listed = 0;
  for (const auto& [state, count] : m_states) {
    listed += is_fine(state) ? 0 : count;
  }
  return listed;
}

std::string
TunnelsPrinter::summary_line() const
{
  std::string counts;
  for (const auto& [state, count] : m_states) {
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, state);
  }
  const size_t wrong = not_right();
  const std::string verdict = wrong == 0                           ? "nothing wrong"
                              : m_table_rows == TableRows::summary ? "not right: the rows above"
                                                                   : fmt::format("{} not right", wrong);
  return fmt::format("{} node(s), {} row(s){}{}; {}", m_written, m_rows, counts.empty() ? "" : ": ", counts, verdict);
}

void
TunnelsPrinter::write_summary()
{
  if (not_right() > 0) {
    m_table->write(m_out, m_columns.size() - (m_any_message ? 0 : 1), m_options.table);
    m_out << '\n';
  }
  m_out << summary_line() << '\n';
}

std::string
render_tunnels(const ipsec::TunnelsReport& report, Format format)
{
  std::ostringstream out;
  TunnelsPrinter printer(format, out);
  const ipsec::ChassisNames names = ipsec::chassis_names(report);
  for (const size_t index : ipsec::node_order(report)) {
    const auto& node = report.nodes[index];
    printer.write(TunnelsPrinter::NodePart(printer, node.node, names).finish(node));
  }
  printer.finish();
  return out.str();
}

} // namespace output
