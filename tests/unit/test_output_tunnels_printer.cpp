// output::TunnelsPrinter fed one tunnel at a time (as `tunnels` streams) prints byte for byte
// what the whole-document renderers print, in every format; SpooledTable aligns as Table does,
// also once its rows went to the temporary file.
#include "ipsec/tunnels_show.hpp"
#include "output/output_options.hpp"
#include "output/render_tunnels.hpp"
#include "output/spooled_table.hpp"
#include "output/table.hpp"
#include "output/tunnel_text.hpp"
#include "output/tunnels_printer.hpp"
#include "output/yaml.hpp"
#include "util/memory_budget.hpp"
#include "util/terminal_text.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <random>
#include <sstream>

namespace {

using testsupport::k_chassis1;
using testsupport::k_chassis2;
using testsupport::k_chassis3;
using testsupport::parse_capture;

// Every kind of node: tunnels with a missing peer, a failed one, no tunnels, unreadable, odd
// bytes, a node whose pod is gone.
ipsec::TunnelsReport
mixed_report()
{
  ipsec::TunnelsReport report;
  report.nodes = {{"node2", k_chassis2, parse_capture("tunnels-show.C-ike-established.node2.txt"), ""},
                  {"node1", k_chassis1, parse_capture("tunnels-show.C-ike-established.node1.txt"), ""},
                  {"node3", k_chassis3, std::nullopt, "pod kube-system/ovs-ovn-x7k2p is not ready (Pending)"},
                  {"a-psk", "", parse_capture("edge.psk.txt"), ""},
                  {"b-invalid", "", parse_capture("edge.invalid-reasons.txt"), ""},
                  {"c-unknown", "", parse_capture("edge.unknown-lines.txt"), ""},
                  {"d-off", "", ipsec::parse_tunnels_show("No tunnels configured with IPsec\n"), ""},
                  {"e-garbage", "", ipsec::parse_tunnels_show("\xff\x1b[2J junk\n"), ""},
                  {"f-gone", "", std::nullopt, "exec failed: \xff\xfe\x1b[2J"}};
  report.chassis = {{"0b7a2c6e-0000-4000-8000-000000000009", "node9"}};
  return report;
}

// What `tunnels` prints: each node's tunnels handed over one by one, its result without them.
std::string
streamed(const ipsec::TunnelsReport& report, output::Format format)
{
  std::ostringstream out;
  output::TunnelsPrinter printer(format, out);
  const ipsec::ChassisNames names = ipsec::chassis_names(report);
  for (const size_t index : ipsec::node_order(report)) {
    auto node = report.nodes[index];
    output::TunnelsPrinter::NodePart part(printer, node.node, names);
    if (node.tunnels) {
      for (const auto& tunnel : node.tunnels->tunnels) {
        part.add(tunnel);
      }
      node.tunnels->tunnels.clear();
    }
    printer.write(part.finish(node));
  }
  printer.finish();
  return out.str();
}

// Adds `rows` to `table` (their first `columns` cells) and to `spooled` (packed in batches of
// `batch` rows, as the nodes' parts arrive).
void
add_to_both(output::Table& table, output::SpooledTable& spooled, const std::vector<std::vector<std::string>>& rows,
            size_t columns, size_t batch)
{
  std::string packed;
  std::vector<size_t> widths;
  for (size_t i = 0; i < rows.size(); ++i) {
    table.add_row(std::vector<std::string>(rows[i].begin(), rows[i].begin() + static_cast<std::ptrdiff_t>(columns)));
    output::SpooledTable::pack_row(packed, widths, rows[i]);
    if (i % batch == 0) {
      spooled.add_rows(packed, widths);
      packed.clear();
    }
  }
  spooled.add_rows(packed, widths);
}

} // namespace

TEST_CASE("TunnelsPrinter: streamed tunnel by tunnel, every format is the whole document's text")
{
  const auto report = mixed_report();
  const auto document = output::tunnels_to_json(report);
  CHECK(streamed(report, output::Format::json) == output::to_json_text(document));
  CHECK(streamed(report, output::Format::yaml) == output::to_yaml(document));
  CHECK(output::render_tunnels(report, output::Format::json) == output::to_json_text(document));
  for (const auto format : {output::Format::table, output::Format::wide}) {
    CHECK(streamed(report, format) == output::render_tunnels(report, format));
  }
  // The table is the one Table of every row.
  const bool wide = false;
  CHECK(output::render_tunnels(report, output::Format::table) ==
        output::render_columns(output::tunnel_columns(true), ipsec::tunnel_rows(report), wide));

  ipsec::TunnelsReport empty;
  CHECK(streamed(empty, output::Format::json) == output::to_json_text(output::tunnels_to_json(empty)));
  CHECK(streamed(empty, output::Format::yaml) == output::to_yaml(output::tunnels_to_json(empty)));
  CHECK(streamed(empty, output::Format::table) ==
        "NODE   REMOTE NODE   INTERFACE   STATE   LOCAL IP   REMOTE IP   SAS   POLICIES\n");
}

TEST_CASE(
    "TunnelsPrinter json: a node made of printable ASCII passes the terminal filter as it is; others go through it")
{
  auto report = mixed_report();
  // U+009B (a one-byte CSI for some terminals) is valid UTF-8: the parser keeps it, the filter escapes it.
  report.nodes.push_back({"g-c1", "",
                          ipsec::parse_tunnels_show("Interface name: ovn-c1-0 v1 (CONFIGURED)\n"
                                                    "  Remote cert:    /etc/\xc2\x9b[2J.pem\n"
                                                    "  Local name:     caf\xc3\xa9\n\n"),
                          ""});
  ipsec::Tunnel del;
  del.interface = "ovn-del-0";
  del.skb_mark = "a\x7f"; // DEL: plain for JSON, not for a terminal
  ipsec::TunnelsReport with_del;
  with_del.nodes.push_back({"h-del", "", ipsec::NodeTunnels{false, {del}, {}, {}, false}, ""});

  for (const auto& each : {report, with_del}) {
    const std::string plain_text = streamed(each, output::Format::json);
    std::ostringstream out;
    {
      util::TerminalSafeScope scope(out);
      output::TunnelsPrinter printer(output::Format::json, out);
      const ipsec::ChassisNames names = ipsec::chassis_names(each);
      for (const size_t index : ipsec::node_order(each)) {
        const auto& node = each.nodes[index];
        output::TunnelsPrinter::NodePart part(printer, node.node, names);
        if (node.tunnels) {
          for (const auto& tunnel : node.tunnels->tunnels) {
            part.add(tunnel);
          }
        }
        auto copy = node;
        if (copy.tunnels) {
          copy.tunnels->tunnels.clear();
        }
        auto piece = part.finish(copy);
        CAPTURE(node.node);
        if (piece.terminal_plain) {
          CHECK(util::terminal_plain(piece.head));
          CHECK(util::terminal_plain(piece.tail));
          for (const auto& row : piece.rows) {
            CHECK(util::terminal_plain(piece.text(row)));
          }
        }
        if (node.node == "node1" || node.node == "node2") {
          CHECK(piece.terminal_plain); // the common case skips the filter
        }
        if (node.node == "f-gone" || node.node == "g-c1" || node.node == "h-del") {
          CHECK_FALSE(piece.terminal_plain);
        }
        printer.write(std::move(piece));
      }
      printer.finish();
    }
    CHECK(out.str() == util::escape_for_terminal(plain_text));
  }
}

TEST_CASE("TunnelsPrinter: a node's tunnels trust as node_trustworthy says")
{
  const auto report = mixed_report();
  const ipsec::ChassisNames names = ipsec::chassis_names(report);
  std::ostringstream out;
  output::TunnelsPrinter printer(output::Format::table, out);
  for (const auto& node : report.nodes) {
    CAPTURE(node.node);
    auto stripped = node;
    output::TunnelsPrinter::NodePart part(printer, node.node, names);
    if (node.tunnels) {
      for (const auto& tunnel : node.tunnels->tunnels) {
        part.add(tunnel);
      }
      stripped.tunnels->tunnels.clear();
    }
    CHECK(part.finish(stripped).trustworthy == ipsec::node_trustworthy(node));
  }
}

TEST_CASE("SpooledTable: aligned as Table, in memory and from its temporary file")
{
  std::mt19937 random(7);
  const std::vector<std::string> headings{"NODE", "REMOTE NODE", "STATE", "MESSAGE"};
  const std::vector<std::string> words{"", "a", "node-0001", "CONFIGURED", "x\x1b[2Jy", "\xe2\x80\xae", "tab\there "};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> row;
    for (size_t c = 0; c < headings.size(); ++c) {
      row.push_back(words[random() % words.size()] + std::to_string(random() % (c == 1 ? 100000 : 10)));
    }
    rows.push_back(row);
  }
  for (const size_t memory_limit : {size_t{1} << 30, size_t{100}}) {
    CAPTURE(memory_limit);
    for (const size_t columns : {size_t{4}, size_t{3}}) {
      output::Table table(std::vector<std::string>(headings.begin(), headings.begin() + columns));
      output::SpooledTable spooled(headings, memory_limit);
      add_to_both(table, spooled, rows, columns, 7);
      std::ostringstream out;
      spooled.write(out, columns);
      CHECK(out.str() == table.render());
    }
  }
}

TEST_CASE("append_tunnel_json and append_tunnel_yaml: the documents' text for odd fields too")
{
  ipsec::Tunnel odd;
  odd.interface = "ovn-\"quoted\"\\back\x7f\x01\x1f\t\n\r\b\f";
  odd.version = 18446744073709551615ULL;
  odd.state = ipsec::TunnelState::invalid;
  odd.invalid_reason = "bad \xff\xfe bytes \xe2\x80\xae bidi \xc0\xaf overlong \xed\xa0\x80 surrogate";
  odd.local_ip = "\xf4\x90\x80\x80"; // beyond U+10FFFF
  odd.remote_name = "\xe2\x82";      // cut short
  odd.ofport = -1;
  odd.psk = ipsec::PskState::set;
  odd.custom_options = ipsec::CustomOptions{{"z", "1"}, {"a\"b", "\x1b"}, {"z", "2"}, {"", ""}};
  odd.policies = {"src 1.1.1.1 dst 2.2.2.2", "\xff"};
  odd.sas = {"sel src 1.1.1.1/32 dst 2.2.2.2/32 proto udp sport 1 dport 6081 dev eth0", "junk"};
  odd.unknown_lines = {"",           "\xe2\x82\xac euro",
                       "true",       "- dash",
                       "key: value", "#hash",
                       "it's",       "2001-12-14",
                       "0b101",      ".NaN",
                       "<<",         "=",
                       " lead",      "trail ",
                       "a\tb",       "[x]",
                       "{y}",        "&anchor",
                       "*ref",       "!tag",
                       "%dir",       "@at",
                       "`tick",      "|pipe",
                       ">fold",      "?q",
                       "1_000",      "~",
                       "null",       "\"dq\"",
                       "x # y",      "a:b"};
  ipsec::Tunnel plain;
  plain.interface = "ovn-222222-0";
  plain.type = "geneve";
  plain.custom_options = ipsec::CustomOptions{};
  ipsec::Tunnel empty_options;
  empty_options.custom_options = ipsec::CustomOptions{};
  std::vector<ipsec::Tunnel> tunnels{odd, empty_options, plain, ipsec::Tunnel{}};
  for (const auto* capture : {"tunnels-show.C-ike-established.node1.txt", "edge.psk.txt", "edge.invalid-reasons.txt",
                              "edge.unknown-lines.txt"}) {
    for (const auto& tunnel : parse_capture(capture).tunnels) {
      tunnels.push_back(tunnel);
    }
  }
  for (const auto& tunnel : tunnels) {
    for (const std::string remote : {"", "node2", "\xff"}) {
      CAPTURE(tunnel.interface);
      ipsec::TunnelRow row{ipsec::RowKind::tunnel, nullptr, &tunnel, remote, "", ""};
      std::string text;
      output::append_tunnel_json(text, tunnel, remote);
      CHECK(text == output::tunnel_row_json(row).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
      output::YamlScalarCache cache;
      std::string yaml;
      output::append_tunnel_yaml(yaml, tunnel, remote, cache);
      CHECK(yaml == output::to_yaml(nlohmann::json::array({output::tunnel_row_json(row)})));
    }
  }
}

TEST_CASE("TunnelsPrinter summary: only the rows that are not right, then every STATE counted")
{
  const auto report = mixed_report();
  const ipsec::ChassisNames names = ipsec::chassis_names(report);
  const auto summary = [&](const ipsec::TunnelsReport& shown) {
    std::ostringstream out;
    output::TunnelsPrinter printer(output::Format::table, out, output::TableRows::summary);
    for (const size_t index : ipsec::node_order(shown)) {
      printer.write(
          output::TunnelsPrinter::NodePart(printer, shown.nodes[index].node, names).finish(shown.nodes[index]));
    }
    printer.finish();
    CHECK(printer.rows() == ipsec::tunnel_rows(shown).size());
    return out.str();
  };
  const std::string text = summary(report);
  CAPTURE(text);
  size_t listed = 0;
  for (size_t at = text.find('\n'); at != std::string::npos && at + 1 < text.size(); at = text.find('\n', at + 1)) {
    const auto line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    if (line.empty() || line.find(" row(s)") != std::string::npos) {
      continue;
    }
    ++listed;
    CHECK(line.find("CONFIGURED") == std::string::npos);
    CHECK(line.find("NO-TUNNELS") == std::string::npos);
  }
  CHECK(listed == 27 - 6 - 1); // every row but the CONFIGURED and NO-TUNNELS ones
  CHECK(text.find("\n\n9 node(s), 27 row(s): 6 CONFIGURED, 1 DEGRADED, 2 ERROR, 6 INVALID, 10 MISSING, 1 NO-TUNNELS, "
                  "1 UNKNOWN; not right: the rows above\n") != std::string::npos);

  ipsec::TunnelsReport healthy;
  healthy.nodes = {report.nodes[0], report.nodes[1]};
  healthy.nodes[0].tunnels = ipsec::parse_tunnels_show("No tunnels configured with IPsec\n");
  healthy.nodes[1].tunnels = ipsec::parse_tunnels_show("No tunnels configured with IPsec\n");
  CHECK(summary(healthy) == "2 node(s), 2 row(s): 2 NO-TUNNELS; nothing wrong\n");
}

TEST_CASE("TunnelsPrinter: a node's part stops at 8 MiB kept; a node that failed part-way prints no tunnel")
{
  ipsec::ChassisNames names;
  std::ostringstream out;
  output::TunnelsPrinter printer(output::Format::json, out);
  output::TunnelsPrinter::NodePart part(printer, "node1", names);
  ipsec::Tunnel big;
  big.interface = "ovn-111111-0";
  big.state = ipsec::TunnelState::configured;
  big.unknown_lines.assign(16, std::string(60 * 1024, 'u')); // ~1 MiB of JSON each
  CHECK_THROWS_WITH_AS(
      [&] {
        for (int i = 0; i < 9; ++i) {
          part.add(big);
        }
      }(),
      "the text kept to print its rows exceeds the limit of 8 MiB", util::MemoryLimitError);
  const ipsec::NodeTunnelsResult failed{"node1", "", std::nullopt, "output from ns/pod: it was too much"};
  printer.write(part.finish(failed));
  printer.finish();
  CHECK(out.str().find("ovn-111111-0") == std::string::npos);
  CHECK(out.str().find("\"error\": \"output from ns/pod: it was too much\"") != std::string::npos);
}

TEST_CASE("TunnelsPrinter: the nodes being read keep 96 MiB together; a printed node gives its share back")
{
  ipsec::ChassisNames names;
  std::ostringstream out;
  output::TunnelsPrinter printer(output::Format::json, out);
  ipsec::Tunnel big;
  big.interface = "ovn-111111-0";
  big.state = ipsec::TunnelState::configured;
  big.unknown_lines.assign(1, std::string(1024 * 1024 - 700, 'u')); // a tunnel of ~1 MiB of JSON
  // Thirteen nodes of 7 tunnels each stay under 8 MiB apiece, but not under 96 MiB together.
  std::vector<std::unique_ptr<output::TunnelsPrinter::NodePart>> parts;
  std::string stopped;
  for (int node = 0; node < 14 && stopped.empty(); ++node) {
    parts.push_back(std::make_unique<output::TunnelsPrinter::NodePart>(printer, "node" + std::to_string(node), names));
    try {
      for (int i = 0; i < 7; ++i) {
        parts.back()->add(big);
      }
    } catch (const util::MemoryLimitError& e) {
      stopped = e.what();
      CHECK(node == 13);
    }
  }
  CHECK(stopped == "the text kept to print the rows of the nodes being read exceeds the limit of 96 MiB");
  // Once the first node is printed (and the stopped one dropped), its 7 MiB are free again.
  parts.pop_back();
  printer.write(parts.front()->finish({"node0", "", ipsec::NodeTunnels{}, ""}));
  output::TunnelsPrinter::NodePart again(printer, "node13", names);
  CHECK_NOTHROW([&] {
    for (int i = 0; i < 7; ++i) {
      again.add(big);
    }
  }());
}

TEST_CASE("append_tunnel_yaml: strings it writes plain are those the emitter writes plain")
{
  std::mt19937 random(11);
  const std::string alphabet = "abzAZ09./_- :";
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    const size_t length = 1 + random() % 12;
    for (size_t k = 0; k < length; ++k) {
      text += alphabet[random() % alphabet.size()];
    }
    ipsec::Tunnel tunnel;
    tunnel.interface = text;
    tunnel.policies = {text, "src " + text};
    const ipsec::TunnelRow row{ipsec::RowKind::tunnel, nullptr, &tunnel, "", "", ""};
    output::YamlScalarCache cache;
    std::string yaml;
    output::append_tunnel_yaml(yaml, tunnel, "", cache);
    CAPTURE(text);
    REQUIRE(yaml == output::to_yaml(nlohmann::json::array({output::tunnel_row_json(row)})));
  }
}

TEST_CASE("TunnelsPrinter -o jsonpath: the template runs on the whole document, refused past 64 MiB of it")
{
  const std::vector<output::Printer> listing{output::Printer::table, output::Printer::json, output::Printer::jsonpath};
  const auto options =
      output::parse_output("jsonpath={range .nodes[*]}{.node}={.tunnels[0].interface}{\"\\n\"}{end}", listing);
  ipsec::ChassisNames names;
  ipsec::Tunnel big;
  big.interface = "ovn-111111-0";
  big.state = ipsec::TunnelState::configured;
  big.unknown_lines.assign(8, std::string(60 * 1024, 'u')); // ~0.5 MiB of JSON each
  const auto node = [&](output::TunnelsPrinter& printer, const std::string& name, int tunnels) {
    output::TunnelsPrinter::NodePart part(printer, name, names);
    for (int i = 0; i < tunnels; ++i) {
      part.add(big);
    }
    ipsec::NodeTunnelsResult result{name, "", ipsec::NodeTunnels{}, ""};
    printer.write(part.finish(result));
  };

  std::ostringstream out;
  output::TunnelsPrinter small(options, out);
  node(small, "node1", 2);
  node(small, "node2", 1);
  small.finish();
  CHECK(out.str() == "node1=ovn-111111-0\nnode2=ovn-111111-0\n");

  std::ostringstream none;
  output::TunnelsPrinter large(options, none);
  CHECK_THROWS_WITH_AS(
      [&] {
        for (int i = 0; i < 12; ++i) {
          node(large, "node" + std::to_string(i), 12); // 5.7 MiB a node: the 12th passes 64
        }
      }(),
      "-o jsonpath runs on the whole document, which passed 64 MiB with 12 node(s) in it: pipe -o json (it streams) "
      "to a JSON tool, or name fewer nodes with --node",
      util::MemoryLimitError);
  CHECK(none.str().empty());
}

TEST_CASE("SpooledTable --sort-by: sorted as Table sorts (stable), in one run or merged from many")
{
  std::mt19937 random(5);
  const std::vector<std::string> headings{"NODE", "REMOTE NODE", "STATE"};
  const std::vector<std::string> states{"CONFIGURED", "INIT", "MISSING", "ERROR", "node-10", "node-9"};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 4000; ++i) {
    rows.push_back(
        {"node-" + std::to_string(i), "node-" + std::to_string(random() % 50), states[random() % states.size()]});
  }
  for (const std::string sort_by : {"STATE", "{.remoteNode}", ".node"}) {
    for (const size_t memory_limit : {size_t{1} << 30, size_t{100}}) {
      for (const size_t sort_run : {size_t{8} << 20, size_t{2000}, size_t{1}}) {
        CAPTURE(sort_by);
        CAPTURE(memory_limit);
        CAPTURE(sort_run);
        output::Table table(headings);
        output::SpooledTable spooled(headings, memory_limit, sort_run);
        add_to_both(table, spooled, rows, headings.size(), 5);
        output::TableStyle style;
        style.sort_by = sort_by;
        std::ostringstream out;
        spooled.write(out, headings.size(), style);
        CHECK(out.str() == table.render(style));
      }
    }
  }
}
