#include "output/render_verify.hpp"

#include "ipsec/tunnels_show.hpp"
#include "output/table.hpp"
#include "output/yaml.hpp"

#include <fmt/format.h>

namespace output {

namespace {

using Row = ipsec::PairResult;

bool
measured(const Row& row)
{
  return row.verdict != ipsec::Verdict::unknown || row.esp_wire > 0 || row.clear_wire > 0;
}

std::string
pair_mtu_cell(const Row& row)
{
  if (!row.mtu) {
    return "-";
  }
  if (row.mtu->result == "ok") {
    return fmt::format("{} ok", row.mtu->size);
  }
  const auto largest = row.mtu->largest_ok > 0 ? fmt::format("max {}", row.mtu->largest_ok) : "no reply";
  return fmt::format("{} {} ({})", row.mtu->size, row.mtu->result == "lost" ? "FAIL" : row.mtu->result, largest);
}

std::string
pair_sa_cell(const Row& row)
{
  if (!measured(row)) {
    return "-";
  }
  return row.sa_present ? fmt::format("+{}", row.sa_packets) : "none";
}

} // namespace

nlohmann::json
verify_to_json(const ipsec::VerifyReport& report)
{
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& row : report.pairs) {
    nlohmann::json item{{"from", row.from},
                        {"to", row.to},
                        {"verdict", std::string(ipsec::to_string(row.verdict))},
                        {"esp", {{"wirePackets", row.esp_wire}, {"saPackets", row.sa_packets}, {"sa", row.sa_present}}},
                        {"cleartext", {{"packets", row.clear_wire}}},
                        {"echo", {{"sent", row.echo.sent}, {"replied", row.echo.replied}}}};
    if (!row.example.empty()) {
      item["cleartext"]["example"] = row.example;
    }
    if (row.mtu) {
      item["mtu"] = {{"size", row.mtu->size}, {"result", row.mtu->result}, {"largestOk", row.mtu->largest_ok}};
    }
    if (!row.reason.empty()) {
      item["reason"] = row.reason;
    }
    pairs.push_back(std::move(item));
  }
  return {{"summary", ipsec::verify_summary(report)},
          {"passed", ipsec::verify_passed(report)},
          {"windowSeconds", static_cast<double>(report.window.count()) / 1000.0},
          {"pairs", pairs}};
}

std::string
render_verify(const ipsec::VerifyReport& report, Format format)
{
  if (format == Format::json) {
    return to_json_text(verify_to_json(report));
  }
  if (format == Format::yaml) {
    return to_yaml(verify_to_json(report));
  }
  const std::vector<Column<Row>> columns{
      {"FROM", false, [](const Row& row) { return row.from; }},
      {"TO", false, [](const Row& row) { return row.to; }},
      {"ESP", false, [](const Row& row) { return measured(row) ? std::to_string(row.esp_wire) : "-"; }},
      {"SA", true, [](const Row& row) { return pair_sa_cell(row); }},
      {"CLEARTEXT", false, [](const Row& row) { return measured(row) ? std::to_string(row.clear_wire) : "-"; }},
      {"ECHO", true, [](const Row& row) { return fmt::format("{}/{}", row.echo.replied, row.echo.sent); }},
      {"MTU", false, [](const Row& row) { return pair_mtu_cell(row); }},
      {"VERDICT", false, [](const Row& row) { return std::string(ipsec::to_string(row.verdict)); }},
      {"REASON", false, [](const Row& row) { return row.reason.empty() ? "-" : ipsec::sanitize_line(row.reason); }},
      {"EXAMPLE", true, [](const Row& row) { return row.example.empty() ? "-" : ipsec::sanitize_line(row.example); }},
  };
  return ipsec::verify_summary(report) + "\n\n" + render_columns(columns, report.pairs, format == Format::wide);
}

} // namespace output
