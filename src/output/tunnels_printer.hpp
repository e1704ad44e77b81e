#pragma once
// `tunnels` printed node by node: each node's part is made while its tunnels/show is parsed
// (on any thread, one tunnel at a time, none kept), then written in order, so no format holds
// every node's tunnels (N² of them at N nodes). json and yaml go out as each node is written;
// the table is aligned at the end from packed rows (output::SpooledTable). The text is byte for
// byte what to_json_text/to_yaml of tunnels_to_json, or one aligned Table, would print.

#include "ipsec/node_rows.hpp"
#include "ipsec/tunnels_report.hpp"
#include "output/format.hpp"
#include "output/output_options.hpp"
#include "output/spooled_table.hpp"
#include "output/table.hpp"
#include "output/tunnel_text.hpp"
#include "util/memory_budget.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace output {

// Where a row's text is in a piece: blocks[block] from offset, size bytes.
struct RowText {
  size_t block = 0;
  size_t offset = 0;
  size_t size = 0;
};

// A node's part of the output: its rows' text as the node's thread wrote it, in blocks of
// k_piece_block (in the order the rows came), and the rows in output order. The printing
// thread copies them out in that order; nothing copies a node's text twice, so a node never
// holds two copies of it (at 1,000 nodes, 1.75 MB of json apiece).
struct TunnelsPiece {
  std::string head;                     // json/yaml: the node's item up to its tunnels (all of it without)
  std::vector<std::string> blocks;      // rows' text: table packed rows, name lines, json/yaml tunnels
  std::vector<RowText> rows;            // in output order
  std::string tail;                     // json/yaml: the item after its tunnels
  bool terminal_plain = false;          // json: all of it is printable ASCII and newlines (nothing to escape)
  std::vector<size_t> widths;           // table: the widest cell per column, MESSAGE last
  bool has_message = false;             // table: a row has a MESSAGE
  bool trustworthy = false;             // see ipsec::node_trustworthy
  std::map<std::string, size_t> states; // table: rows by STATE (all rows, shown or not)
  util::MemoryCharge kept;              // this text, charged to the printer's budget until printed

  std::string_view text(const RowText& row) const
  {
    return std::string_view(blocks[row.block]).substr(row.offset, row.size);
  }
};

// How big a piece's blocks are: under the 64 KiB at which glibc's free() looks at trimming, and
// reused block for block from node to node.
inline constexpr size_t k_piece_block = 60 * 1024;

// The table's rows: every one, or (summary) only those that are not right, with the counts of
// every STATE at the end.
enum class TableRows { all, summary };

class TunnelsPrinter {
public:
  TunnelsPrinter(Format format, std::ostream& out, TableRows rows = TableRows::all);
  // Also -o name (a line "tunnel/<node>/<interface>" per tunnel, streamed), -o jsonpath (the json
  // document is made whole, then the template runs on it: not constant memory, and refused past
  // 64 MiB of document, a 200-node mesh), --no-headers and --sort-by (sorted in runs in a
  // temporary file and merged: constant memory, see SpooledTable).
  TunnelsPrinter(const OutputOptions& options, std::ostream& out, TableRows rows = TableRows::all);

  // What a node's part holds per tunnel while it is made and until it is printed (its rows'
  // text and what the allocator keeps around it), as measured at 1,000 nodes: peak RSS over the
  // nodes read at once.
  size_t held_bytes_per_tunnel() const;

  // Rows of the table so far (shown or not).
  size_t rows() const { return m_rows; }
  // Rows the table lists: every row, or with a summary those that are not right.
  size_t listed_rows() const { return m_table_rows == TableRows::all ? m_rows : not_right(); }
  // The table's closing line with a summary, "N node(s), M row(s): C STATE, ...; verdict" (also
  // the line `tunnels --watch` sums each poll up with).
  std::string summary_line() const;

  // One node's part, made as its tunnels are parsed. Uses the printer read-only: one part per
  // thread is safe.
  class NodePart {
  public:
    NodePart(const TunnelsPrinter& printer, std::string node, const ipsec::ChassisNames& names);
    // Throws util::MemoryLimitError when what the node keeps to print passes 8 MiB, or what every
    // node being read keeps passes 96 MiB.
    void add(const ipsec::Tunnel& tunnel);
    // `node` is the node's result; its tunnels are those given to add() (or, when add() got
    // none, those it holds).
    TunnelsPiece finish(const ipsec::NodeTunnelsResult& node);

  private:
    struct Entry {
      ipsec::RowOrder order;
      RowText text; // in m_piece.blocks
    };
    std::string& block_for_row(); // the block the next row is written to
    void take(const ipsec::TunnelRow& row, size_t sequence);
    // The node's item around its tunnels (json/yaml).
    void split_item(const ipsec::NodeTunnelsResult& node, const std::vector<ipsec::TunnelRow>& closing);

    const TunnelsPrinter& m_printer;
    const ipsec::ChassisNames& m_names;
    ipsec::NodeTunnelsResult m_stub; // what tunnel rows point at until the result is known
    ipsec::NodeRowBuilder m_builder;
    std::vector<Entry> m_entries;
    bool m_rows_plain = true;    // json: every row's text is printable ASCII and newlines
    std::string m_yaml_item;     // yaml: a tunnel's item before it is indented into its block
    util::MemoryCharge m_charge; // bytes of the rows' text, against the printer's budget
    YamlScalarCache m_yaml_scalars;
    TunnelsPiece m_piece;
  };

  // Parts in output order (by node name). The piece's blocks are kept for the parts still to
  // be made.
  void write(TunnelsPiece&& piece);

  // The table (aligned now that every width is known), or the document's closing brackets.
  void finish();

private:
  size_t not_right() const; // rows in a state a summary lists
  void write_summary();
  void write_piece(const TunnelsPiece& piece);
  // Writes m_staging out (through the terminal filter unless `plain`).
  void flush_staging(bool plain);
  // An empty block of k_piece_block capacity: a printed part's, or a new one.
  std::string spare_block() const;

  OutputOptions m_options;
  Format m_format;
  std::ostream& m_final_out;
  std::stringstream m_document; // -o jsonpath: the json document, until finish()
  size_t m_document_bytes = 0;  // its size so far (refused past k_max_jsonpath_document)
  std::ostream& m_out;          // where the table or document goes: m_document for -o jsonpath
  std::string m_staging;        // a piece's rows in output order, written out every 64 KiB
  // Printed parts' blocks, for the parts being made on the nodes' threads: one pool, so a
  // printed node's blocks serve the next node on any thread, not a malloc and free each.
  mutable std::mutex m_spare_mutex;
  mutable std::vector<std::string> m_spare_blocks;
  TableRows m_table_rows;
  size_t m_written = 0;
  size_t m_rows = 0;
  // What the nodes being read keep to print, together: with 64 of them at once and a pod each
  // printing junk tunnels, 8 MiB apiece would be 512 MiB.
  mutable util::MemoryBudget m_kept_budget;
  std::map<std::string, size_t> m_states;
  bool m_any_message = false;
  std::unique_ptr<SpooledTable> m_table; // table and wide only
  // The table's columns in this format, MESSAGE (last) included: made once, not per row.
  std::vector<Column<ipsec::TunnelRow>> m_columns;
};

} // namespace output
