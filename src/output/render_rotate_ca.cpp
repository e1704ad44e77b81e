#include "output/render_rotate_ca.hpp"

#include "output/table.hpp"
#include "output/yaml.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace output {

namespace {

std::string
node_result(const ipsec::InitNodeResult& node, ipsec::CaStep step)
{
  if (!node.error.empty()) {
    return "failed: " + node.error;
  }
  if (!node.decided) {
    return "done";
  }
  const bool certificate_step = step == ipsec::CaStep::reissue || step == ipsec::CaStep::reissue_back;
  if (certificate_step && node.action == ipsec::NodeAction::skip) {
    return "ok: " + node.reason; // resumed: already from the CA this step moves to
  }
  return node.action == ipsec::NodeAction::skip ? "done"
                                                : fmt::format("done ({}: {})", to_string(node.action), node.reason);
}

size_t
failed_nodes(const ipsec::CaStepReport& step)
{
  size_t failed = 0;
  for (const auto& node : step.nodes) {
    failed += node.error.empty() ? 0 : 1;
  }
  return failed;
}

std::string
resume_hint(const ipsec::CaRotationReport& report)
{
  return report.abort ? "run `rotate ca --abort` again to finish rolling back"
                      : "run `rotate ca` again to resume (or, before the Secret's CA is swapped, `rotate ca --abort`)";
}

nlohmann::json
to_json(const ipsec::CaRotationReport& report)
{
  if (report.kube_ovn_owner) {
    return {{"managedBy",
             {{"pod", report.kube_ovn_owner->pod},
              {"container", report.kube_ovn_owner->container},
              {"enableOvnIpsec", report.kube_ovn_owner->value}}},
            {"kubeOvnSteps", report.kube_ovn_steps},
            {"changed", false}};
  }
  nlohmann::json plan = nlohmann::json::array();
  for (const auto step : report.plan) {
    plan.push_back(std::string(to_string(step)));
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : report.steps) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& node : step.nodes) {
      nlohmann::json item{{"node", node.node}, {"chassis", node.chassis}, {"ok", node.error.empty()}};
      if (node.decided) {
        item["action"] = std::string(to_string(node.action));
        item["reason"] = node.reason;
      }
      for (const auto& [key, value] :
           {std::pair{"error", &node.error}, {"note", &node.note}, {"daemons", &node.daemons}}) {
        if (!value->empty()) {
          item[key] = *value;
        }
      }
      nodes.push_back(std::move(item));
    }
    steps.push_back(
        {{"step", std::string(to_string(step.step))}, {"ok", !step.failed}, {"nodes", nodes}, {"wait", step.wait}});
  }
  return {{"ca", {{"ref", report.ca_ref}, {"from", report.old_ca}, {"to", report.new_ca}}},
          {"recordedPhase", std::string(to_string(report.recorded))},
          {"abort", report.abort},
          {"dryRun", report.dry_run},
          {"nodes", report.nodes},
          {"plan", plan},
          {"steps", steps},
          {"completed", report.completed}};
}

} // namespace

std::string
render_ca_plan(const ipsec::CaRotationReport& report)
{
  if (report.kube_ovn_owner) {
    std::string text = fmt::format("Kube-OVN >= 1.13 manages IPsec's certificates here ({} has --enable-ovn-ipsec={}); "
                                   "rotate ca changes nothing. How to rotate its CA:\n",
                                   report.kube_ovn_owner->pod, report.kube_ovn_owner->value ? "true" : "false");
    for (const auto& step : report.kube_ovn_steps) {
      text += "  - " + step + "\n";
    }
    return text;
  }
  std::string text;
  if (report.abort) {
    text += fmt::format("Rolling back the CA rotation in {} (recorded phase: {})\n  keeping: {}\n", report.ca_ref,
                        to_string(report.recorded), report.old_ca);
  } else {
    text += fmt::format(
        "{} the CA in {}{}\n  from: {}\n  to:   {}\n", report.dry_run ? "Would rotate" : "Rotating", report.ca_ref,
        report.recorded == ipsec::CaPhase::none ? ""
                                                : fmt::format(" (resuming at phase {})", to_string(report.recorded)),
        report.old_ca, report.new_ca);
  }
  text += fmt::format("{} node(s); steps{}:\n", report.nodes.size(), report.dry_run ? " it would run" : "");
  for (size_t i = 0; i < report.plan.size(); ++i) {
    text += fmt::format("  {}. {}\n", i + 1, to_string(report.plan[i]));
  }
  if (report.dry_run) {
    text += "Nothing was changed (--dry-run).\n";
  }
  return text;
}

std::string
render_ca_step(const ipsec::CaRotationReport& report, size_t index)
{
  const auto& step = report.steps.at(index);
  std::string text = fmt::format("\n{}/{}: {}\n", index + 1, report.plan.size(), to_string(step.step));
  if (!step.nodes.empty()) {
    Table table({"NODE", "CHASSIS", "RESULT"});
    for (const auto& node : step.nodes) {
      table.add_row({node.node, node.chassis.empty() ? "-" : node.chassis, node_result(node, step.step)});
    }
    text += table.render();
    for (const auto& node : step.nodes) {
      if (!node.note.empty()) {
        text += fmt::format("note: {}: {}\n", node.node, node.note);
      }
    }
  }
  if (!step.wait.empty()) {
    text += step.wait + "\n";
  }
  if (step.failed) {
    const size_t failed = failed_nodes(step);
    text += fmt::format("Stopped here{}: {}\n", failed > 0 ? fmt::format(" ({} node(s) failed)", failed) : "",
                        resume_hint(report));
  }
  return text;
}

std::string
render_ca_end(const ipsec::CaRotationReport& report, Format format)
{
  if (format == Format::json) {
    return to_json_text(to_json(report));
  }
  if (format == Format::yaml) {
    return to_yaml(to_json(report));
  }
  if (report.kube_ovn_owner || report.dry_run || !report.completed) {
    return "";
  }
  return report.abort
             ? fmt::format("\nRolled back: every node trusts and uses {} only.\n", report.old_ca)
             : fmt::format("\nDone: every node's certificate is from {}, the only CA it trusts.\n", report.new_ca);
}

} // namespace output
