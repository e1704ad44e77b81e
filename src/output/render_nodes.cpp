#include "output/render_nodes.hpp"

#include "output/table.hpp"
#include "output/yaml.hpp"

namespace output {

nlohmann::json
nodes_to_json(const ipsec::NodeReport& report)
{
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& row : report.rows) {
    nlohmann::json item{{"node", row.node}, {"pod", row.pod}, {"container", row.container}, {"chassis", row.chassis}};
    if (!row.error.empty()) {
      item["error"] = row.error;
    }
    nodes.push_back(item);
  }
  return {{"layout", report.layout == ipsec::Layout::kube_ovn_cni ? "kube-ovn-cni" : "ovs-ovn"}, {"nodes", nodes}};
}

std::string
render_nodes(const ipsec::NodeReport& report, Format format)
{
  if (format == Format::json) {
    return to_json_text(nodes_to_json(report));
  }
  if (format == Format::yaml) {
    return to_yaml(nodes_to_json(report));
  }
  Table table({"NODE", "POD", "CONTAINER", "CHASSIS", "STATUS"});
  for (const auto& row : report.rows) {
    table.add_row({row.node, row.pod.empty() ? "<none>" : row.pod, row.container.empty() ? "-" : row.container,
                   row.chassis.empty() ? "-" : row.chassis, row.error.empty() ? "ok" : "error: " + row.error});
  }
  return table.render();
}

} // namespace output
