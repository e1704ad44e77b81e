#include "output/render_init.hpp"

#include "output/table.hpp"
#include "output/yaml.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace output {

namespace {

std::string
result_word(const ipsec::InitNodeResult& node, bool dry_run)
{
  if (!node.error.empty()) {
    return "failed: " + node.error;
  }
  if (node.action == ipsec::NodeAction::skip) {
    return "ok";
  }
  return dry_run ? "would " + std::string(ipsec::to_string(node.action)) : "done";
}

nlohmann::json
to_json(const ipsec::InitReport& report)
{
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : report.nodes) {
    nlohmann::json item{{"node", node.node}, {"chassis", node.chassis}, {"ok", node.error.empty()}};
    if (node.decided) {
      item["action"] = std::string(ipsec::to_string(node.action));
      item["reason"] = node.reason;
    }
    if (!node.error.empty()) {
      item["error"] = node.error;
    }
    if (!node.note.empty()) {
      item["note"] = node.note;
    }
    if (!node.daemons.empty()) {
      item["daemons"] = node.daemons;
    }
    nodes.push_back(std::move(item));
  }
  if (report.kube_ovn_owner) {
    return {{"managedBy",
             {{"pod", report.kube_ovn_owner->pod},
              {"container", report.kube_ovn_owner->container},
              {"enableOvnIpsec", report.kube_ovn_owner->value}}},
            {"kubeOvnWillDo", report.kube_ovn_steps},
            {"dryRun", report.dry_run},
            {"nodes", nlohmann::json::array()}};
  }
  return {{"ca", {{"ref", report.ca_ref}, {"origin", report.ca_origin}, {"subject", report.ca_subject}}},
          {"dryRun", report.dry_run},
          {"nodes", nodes}};
}

} // namespace

std::string
render_init(const ipsec::InitReport& report, Format format)
{
  if (format == Format::json) {
    return to_json_text(to_json(report));
  }
  if (format == Format::yaml) {
    return to_yaml(to_json(report));
  }
  if (report.kube_ovn_owner) {
    std::string text =
        fmt::format("Kube-OVN >= 1.13 manages IPsec's certificates here ({} has "
                    "--enable-ovn-ipsec={}); {} changes nothing. What Kube-OVN does:\n",
                    report.kube_ovn_owner->pod, report.kube_ovn_owner->value ? "true" : "false", report.command);
    for (const auto& step : report.kube_ovn_steps) {
      text += "  - " + step + "\n";
    }
    return text;
  }
  std::string text = fmt::format("CA: {} ({}): {}\n\n", report.ca_ref, report.ca_origin, report.ca_subject);
  Table table({"NODE", "CHASSIS", "ACTION", "WHY", "RESULT"});
  size_t failed = 0;
  for (const auto& node : report.nodes) {
    failed += node.error.empty() ? 0 : 1;
    table.add_row({node.node, node.chassis.empty() ? "-" : node.chassis,
                   node.decided ? std::string(ipsec::to_string(node.action)) : "-", node.decided ? node.reason : "-",
                   result_word(node, report.dry_run)});
  }
  text += table.render();
  std::vector<std::string> started;
  for (const auto& node : report.nodes) {
    if (!node.note.empty()) {
      text += fmt::format("note: {}: {}\n", node.node, node.note);
    }
    if (!node.daemons.empty()) {
      started.push_back(node.node);
    }
  }
  if (!started.empty()) {
    // What ipsec.sh did in every pod; here only where the daemons were not running.
    text += fmt::format("IPsec daemons {} (service openvswitch-ipsec start, service ipsec start) on: {}\n",
                        report.dry_run ? "would be started" : "started", fmt::join(started, ", "));
  }
  text += fmt::format("\n{} node(s): {} ok, {} failed{}\n", report.nodes.size(), report.nodes.size() - failed, failed,
                      failed > 0 ? fmt::format("; run {} again to finish them", report.command) : "");
  return text;
}

} // namespace output
