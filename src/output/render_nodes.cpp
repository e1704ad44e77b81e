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
  return render_nodes(report, OutputOptions{printer_of(format), nullptr, {}});
}

std::string
render_nodes(const ipsec::NodeReport& report, const OutputOptions& options)
{
  const auto document = print_document(
      options, [&] { return nodes_to_json(report); }, "node",
      [&] {
        std::vector<std::string> names;
        for (const auto& row : report.rows) {
          names.push_back(row.node);
        }
        return names;
      });
  if (document) {
    return *document;
  }
  using Row = ipsec::NodeRow;
  const std::vector<Column<Row>> columns{
      {"NODE", false, [](const Row& row) { return row.node; }},
      {"POD", false, [](const Row& row) { return row.pod.empty() ? "<none>" : row.pod; }},
      {"CONTAINER", false, [](const Row& row) { return row.container.empty() ? "-" : row.container; }},
      {"CHASSIS", false, [](const Row& row) { return row.chassis.empty() ? "-" : row.chassis; }},
      {"STATUS", false, [](const Row& row) { return row.error.empty() ? "ok" : "error: " + row.error; }},
  };
  return render_columns(columns, report.rows, false, options.table);
}

} // namespace output
