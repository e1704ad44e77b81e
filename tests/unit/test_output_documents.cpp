// -o json / -o yaml text for every report: bytes a pod sent that are not UTF-8 stand as
// U+FFFD instead of failing the render (nlohmann's dump() throws type_error 316 on them).
#include "ipsec/node_status.hpp"
#include "output/render_status.hpp"
#include "output/yaml.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

TEST_CASE("output::to_json_text and to_yaml replace invalid UTF-8")
{
  const nlohmann::json doc{{"error", "bad \xff byte"}, {"n", 3}};
  CHECK(output::to_json_text(doc) == "{\n  \"error\": \"bad \xef\xbf\xbd byte\",\n  \"n\": 3\n}\n");
  CHECK(output::to_yaml(doc) == "error: bad \xef\xbf\xbd byte\nn: 3\n");
}

TEST_CASE("render_status: a node error with odd bytes renders in json and yaml")
{
  ipsec::StatusReport report;
  report.ipsec_on = true;
  ipsec::NodeStatus node;
  node.node = "node1";
  node.error = "exec failed: \xfe\x80";
  report.nodes.push_back(node);
  std::string rendered;
  REQUIRE_NOTHROW(rendered = output::render_status(report, output::Format::json));
  CHECK(nlohmann::json::parse(rendered).dump().find("exec failed: \xef\xbf\xbd\xef\xbf\xbd") != std::string::npos);
  std::string yaml;
  REQUIRE_NOTHROW(yaml = output::render_status(report, output::Format::yaml));
  CHECK(yaml.find("exec failed: \xef\xbf\xbd\xef\xbf\xbd") != std::string::npos);
}

TEST_CASE("output::to_yaml quotes every string a YAML 1.1 or 1.2 reader would take as another type")
{
  // Values a pod can put in its output (issue: hostile input): each must read back as text.
  for (const std::string text : {"<<",           "=",
                                 "2001-12-14",   "2001-12-14t21:59:43.10-05:00",
                                 "0b101",        "1_000",
                                 ".NaN",         "-.inf",
                                 "+12",          "0o17",
                                 "017",          "0x1F",
                                 "1:20",         "190:20:30.15",
                                 "6.8523015e+5", "Yes",
                                 "OFF",          "~",
                                 "null",         "y"}) {
    CAPTURE(text);
    CHECK(output::to_yaml(nlohmann::json{{"v", text}}) == "v: \"" + text + "\"\n");
  }
  for (const std::string text :
       {"node-01", "v1.14.10", "ovs-monitor-ipsec", "abc123", "-x", "10.16.0.0/16", "10.99.0.11"}) {
    CAPTURE(text);
    CHECK(output::to_yaml(nlohmann::json{{"v", text}}) == "v: " + text + "\n");
  }
}
