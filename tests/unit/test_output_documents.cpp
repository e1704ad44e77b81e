// -o json / -o yaml text for every report: bytes a pod sent that are not UTF-8 stand as
// U+FFFD instead of failing the render (nlohmann's dump() throws type_error 316 on them).
#include "ipsec/node_status.hpp"
#include "output/render_status.hpp"
#include "output/yaml.hpp"
#include "util/strings.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <regex>
#include <set>
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

TEST_CASE("output::yaml_reads_as_other_type: its shortcuts answer as the whole regex and word list")
{
  // The reference: every string is lower-cased for the words and matched against the regex.
  const auto reference = [](const std::string& text) {
    static const std::set<std::string> k_words{"true", "false", "yes", "no", "on", "off", "y",
                                               "n",    "null",  "~",   "",   "<<", "="};
    static const std::regex k_number(
        "[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?"
        "|\\.[0-9_]+([eE][-+]?[0-9]+)?|\\.(inf|Inf|INF))|\\.(nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*");
    return k_words.count(util::to_lower(text)) != 0 || std::regex_match(text, k_number);
  };
  std::mt19937 random(7);
  const std::string alphabet = "0123456789._:+-eExXbBoOiInNfFaAtTyYlLsS~<=/ \x80";
  size_t other = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    const size_t length = random() % 14;
    for (size_t k = 0; k < length; ++k) {
      text += alphabet[random() % alphabet.size()];
    }
    CAPTURE(text);
    REQUIRE(output::yaml_reads_as_other_type(text) == reference(text));
    other += reference(text) ? 1 : 0;
  }
  MESSAGE(other << " of 200000 random strings read as another type");
  CHECK(other > 2000); // the alphabet makes numbers, dates and words, not only text
  for (const std::string text : {"2001-12-14", "2001-1-1 x.y.z", "1.5e+10", "-.inf", ".NaN", "10.99.0.11", "0x1F",
                                 "190:20:30.15", "FALSE", "Off", "1.2.3", "1_000.5", "2001-12"}) {
    CAPTURE(text);
    CHECK(output::yaml_reads_as_other_type(text) == reference(text));
  }
}
