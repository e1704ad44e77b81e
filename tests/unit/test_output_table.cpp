#include "output/format.hpp"
#include "output/render_nodes.hpp"
#include "output/table.hpp"
#include "output/yaml.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

TEST_CASE("output::Table aligns columns like kubectl")
{
  output::Table table({"NODE", "STATUS"});
  table.add_row({"kube-ovn-worker", "ok"});
  table.add_row({"n2"});
  CHECK(table.render() == "NODE              STATUS\n"
                          "kube-ovn-worker   ok\n"
                          "n2\n");
}

TEST_CASE("output::to_yaml keeps strings that look like other types as strings")
{
  const nlohmann::json doc{{"a", "true"}, {"b", true}, {"c", nlohmann::json::array({1, "x"})}, {"d", nullptr}};
  CHECK(output::to_yaml(doc) == "a: \"true\"\nb: true\nc:\n  - 1\n  - x\nd: ~\n");
}

TEST_CASE("output::render_nodes golden")
{
  ipsec::NodeReport report;
  report.layout = ipsec::Layout::ovs_ovn;
  report.rows.push_back({"n1", "ovs-ovn-1", "openvswitch", "abc", ""});
  report.rows.push_back({"n2", "", "", "", "no ovs-ovn pod on this node"});
  CHECK(output::render_nodes(report, output::Format::table) ==
        "NODE   POD         CONTAINER     CHASSIS   STATUS\n"
        "n1     ovs-ovn-1   openvswitch   abc       ok\n"
        "n2     <none>      -             -         error: no ovs-ovn pod on this node\n");
  CHECK(output::render_nodes(report, output::Format::json) == R"({
  "layout": "ovs-ovn",
  "nodes": [
    {
      "chassis": "abc",
      "container": "openvswitch",
      "node": "n1",
      "pod": "ovs-ovn-1"
    },
    {
      "chassis": "",
      "container": "",
      "error": "no ovs-ovn pod on this node",
      "node": "n2",
      "pod": ""
    }
  ]
}
)");
}

TEST_CASE("output::to_yaml writes empty collections on the key's line")
{
  const nlohmann::json doc{{"a", nlohmann::json::array()}, {"b", nlohmann::json::object()}, {"c", {{"d", 1}}}};
  CHECK(output::to_yaml(doc) == "a: []\nb: {}\nc:\n  d: 1\n");
}
