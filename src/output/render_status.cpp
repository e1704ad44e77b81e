#include "output/render_status.hpp"

#include "output/table.hpp"
#include "output/yaml.hpp"

#include <fmt/format.h>

namespace output {

namespace {

std::string
layout_word(ipsec::Layout layout)
{
  return layout == ipsec::Layout::kube_ovn_cni ? "kube-ovn-cni" : "ovs-ovn";
}

std::string
monitor_word(const ipsec::NodeStatus& node)
{
  if (node.monitor_answered) {
    return "running";
  }
  return node.reached ? "down" : "unknown";
}

// Off: how many tunnels are left; on (or unknown): CONFIGURED peers out of those expected.
std::string
tunnels_cell(const ipsec::NodeStatus& node, const ipsec::StatusReport& report)
{
  if (!node.monitor_answered) {
    return "-";
  }
  if (report.ipsec_on == false) {
    return std::to_string(node.tunnels);
  }
  return fmt::format("{}/{}", node.configured, node.expected);
}

std::string
sas_cell(const ipsec::NodeStatus& node, const ipsec::StatusReport& report)
{
  if (!node.monitor_answered || report.ipsec_on == false) {
    return "-";
  }
  const std::string cell = fmt::format("{}/{}", node.established, node.expected);
  return node.negotiating == 0 ? cell : fmt::format("{} ({} negotiating)", cell, node.negotiating);
}

std::string
flag_line(const ipsec::StatusReport& report)
{
  if (!report.ipsec_on) {
    return "unknown: " + report.flag_error;
  }
  return fmt::format("{} (read from {})", *report.ipsec_on ? "true" : "false", report.flag_source);
}

std::string
render_screen(const ipsec::StatusReport& report, bool wide, const TableStyle& style)
{
  std::string text =
      fmt::format("NB_Global.ipsec:  {}\nLayout:           {}\n", flag_line(report), ipsec::describe(report.layout));
  if (report.owner) {
    text += fmt::format("Managed by:       {} (container {}) --enable-ovn-ipsec={}\n", report.owner->pod,
                        report.owner->container, report.owner->value ? "true" : "false");
  }
  if (!report.ca_note.empty()) {
    text += fmt::format("Certificates:     {}\n", report.ca_note);
  }
  if (!report.csr_note.empty()) {
    text += fmt::format("CSRs:             {}\n", report.csr_note);
  }
  if (!report.upgrade_note.empty()) {
    text += fmt::format("Note:             {}\n", report.upgrade_note);
  }
  text += "\n";
  using Row = ipsec::NodeStatus;
  const auto count = [](size_t Row::*field) {
    return [field](const Row& node) { return std::to_string(node.*field); };
  };
  const std::vector<Column<Row>> columns{
      {"NODE", false, [](const Row& node) { return node.node; }},
      {"POD", true, [](const Row& node) { return node.pod.empty() ? "<none>" : node.pod; }},
      {"CHASSIS", true, [](const Row& node) { return node.chassis.empty() ? "-" : node.chassis; }},
      {"MONITOR", false, monitor_word},
      {"TUNNELS", false, [&report](const Row& node) { return tunnels_cell(node, report); }},
      {"SAS", false, [&report](const Row& node) { return sas_cell(node, report); }},
      {"CERT", false, [](const Row& node) { return ipsec::cert_cell(node.cert); }},
      {"NOT CONFIGURED", true, count(&Row::not_configured)},
      {"UNKNOWN PEERS", true, count(&Row::unknown_peer)},
      {"WARNINGS", true, count(&Row::warnings)},
      {"CSR", true, [](const Row& node) { return node.csr_state.empty() ? "-" : node.csr_state; }},
      {"CERT SUBJECT", true, [](const Row& node) { return node.cert.subject.empty() ? "-" : node.cert.subject; }},
      {"STATUS", false, [](const Row& node) { return std::string(ipsec::to_string(node.health)); }},
      {"REASON", false, [](const Row& node) { return node.reason.empty() ? "-" : node.reason; }},
  };
  if (style.no_headers) {
    return render_columns(columns, report.nodes, wide, style); // the rows alone, for a script
  }
  text += render_columns(columns, report.nodes, wide, style) + "\n" + ipsec::status_summary(report) + "\n";
  for (const auto& warning : ipsec::certificate_warnings(report)) {
    text += "Warning: " + warning + "\n";
  }
  return text;
}

} // namespace

nlohmann::json
status_to_json(const ipsec::StatusReport& report)
{
  nlohmann::json flag{{"enabled", nullptr}};
  if (report.ipsec_on) {
    flag = {{"enabled", *report.ipsec_on}, {"source", report.flag_source}};
  } else {
    flag["error"] = report.flag_error;
  }
  nlohmann::json owner = nullptr;
  if (report.owner) {
    owner = {
        {"pod", report.owner->pod}, {"container", report.owner->container}, {"enableOvnIpsec", report.owner->value}};
  }
  nlohmann::json nodes = nlohmann::json::array();
  size_t healthy = 0;
  for (const auto& node : report.nodes) {
    const bool good = node.health == ipsec::NodeHealth::up || node.health == ipsec::NodeHealth::off;
    healthy += good ? 1 : 0;
    nlohmann::json item{{"node", node.node},
                        {"pod", node.pod},
                        {"container", node.container},
                        {"chassis", node.chassis},
                        {"health", std::string(ipsec::to_string(node.health))},
                        {"monitor", monitor_word(node)},
                        {"tunnels",
                         {{"expected", node.expected},
                          {"shown", node.tunnels},
                          {"configured", node.configured},
                          {"notConfigured", node.not_configured},
                          {"unknownPeer", node.unknown_peer}}},
                        {"sas", {{"established", node.established}, {"negotiating", node.negotiating}}},
                        {"warnings", node.warnings}};
    if (!node.error.empty()) {
      item["error"] = node.error;
    }
    if (!node.reason.empty()) {
      item["reason"] = node.reason;
    }
    if (!node.csr_state.empty()) {
      item["csr"] = {
          {"name", "ovn-ipsec-" + node.node}, {"state", node.csr_state}, {"ageSeconds", node.csr_age_seconds}};
    }
    if (node.ike_running) {
      item["ike"] = *node.ike_running ? "running" : "down";
    }
    if (!node.first_warning.empty()) {
      item["firstWarning"] = node.first_warning;
    }
    nlohmann::json cert{
        {"state", node.cert.state}, {"subject", node.cert.subject}, {"daysLeft", nullptr}, {"fromCurrentCa", nullptr}};
    if (node.cert.days_left) {
      cert["daysLeft"] = *node.cert.days_left;
    }
    if (node.cert.from_current_ca) {
      cert["fromCurrentCa"] = *node.cert.from_current_ca;
    }
    if (node.cert.renew_in_days) {
      cert["renewInDays"] = *node.cert.renew_in_days;
    }
    item["certificate"] = cert;
    nodes.push_back(std::move(item));
  }
  return {{"ipsec", flag},
          {"layout", layout_word(report.layout)},
          {"certificates", report.ca_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.ca_note)},
          {"managedBy", owner},
          {"note", report.upgrade_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.upgrade_note)},
          {"nodes", nodes},
          {"certificateWarnings", ipsec::certificate_warnings(report)},
          {"summary",
           {{"nodes", report.nodes.size()},
            {"healthy", healthy},
            {"text", ipsec::status_summary(report)},
            {"exitCode", ipsec::status_exit_code(report)}}}};
}

std::string
render_status(const ipsec::StatusReport& report, const OutputOptions& options)
{
  const auto document = print_document(
      options, [&] { return status_to_json(report); }, "node",
      [&] {
        std::vector<std::string> names;
        for (const auto& node : report.nodes) {
          names.push_back(node.node);
        }
        return names;
      });
  if (document) {
    return *document;
  }
  return render_screen(report, options.printer == Printer::wide, options.table);
}

std::string
render_status(const ipsec::StatusReport& report, Format format)
{
  return render_status(report, OutputOptions{printer_of(format), nullptr, {}});
}

} // namespace output
