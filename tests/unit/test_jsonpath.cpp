// -o jsonpath: our template engine against known answers, and against the real kubectl's own
// engine on the same document (`kubectl label --local -f DOC -o jsonpath=T` runs client-go's
// jsonpath without a cluster).

#include "output/jsonpath.hpp"
#include "support/skip.hpp"
#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

namespace {

using nlohmann::json;

const json&
document()
{
  static const json doc = json::parse(R"({
    "apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "a"},
    "nodes": [
      {"node": "n1", "count": 1, "ok": true, "tunnels": [{"state": "CONFIGURED", "remote": "n2"},
                                                          {"state": "INIT", "remote": "n3"}]},
      {"node": "n2", "count": 2, "ok": false, "error": null, "tunnels": []},
      {"node": "n3", "count": 3, "ok": true, "tunnels": [{"state": "CONFIGURED", "remote": "n1"}]}
    ],
    "summary": {"verdict": "degraded", "nested": {"k": [1, 2]}}
  })");
  return doc;
}

std::string
run(const std::string& text)
{
  return output::JsonPathTemplate(text).execute(document());
}

// Templates both engines must print the same way.
const std::vector<std::string> k_shared{
    "{.summary.verdict}",
    "{.nodes[*].node}",
    "{.nodes[0].node}",
    "{.nodes[-1].node}",
    "{.nodes[1:].node}",
    "{.nodes[3:].node}",
    "{.nodes[-2:].node}",
    "{.nodes[?(@.tunnels)].node}",
    "{.nodes[:2].count}",
    "{.nodes[*].ok}",
    "{.nodes[1].error}",
    "{.summary.nested}",
    "{.nodes[2]}",
    "{.missing}",
    "{..state}",
    "{$.summary.verdict}",
    "{.nodes[?(@.ok==true)].node}",
    "{.nodes[?(@.node!=\"n2\")].count}",
    "{.nodes[?(@.error)].node}",
    "{.nodes[?(@.ok)].node}",
    "{.nodes[?(@.absent)].node}",
    "{.nodes[?(@.count>1)].node}",
    "{range .nodes[*]}{.node}{\"\\t\"}{.count}{\"\\n\"}{end}",
    "{range .nodes[*]}{@.node}:{range .tunnels[*]}{.remote}={.state},{end}{\"\\n\"}{end}",
    "verdict={.summary.verdict} first={.nodes[0].node}",
    "{.nodes[0].tunnels[?(@.state==\"INIT\")].remote}",
};

} // namespace

TEST_SUITE("unit.jsonpath")
{
  TEST_CASE("jsonpath: fields, indexes, slices, wildcards, filters, range, literals")
  {
    CHECK(run("{.summary.verdict}") == "degraded");
    CHECK(run("{.nodes[*].node}") == "n1 n2 n3");
    CHECK(run("{.nodes[-1].node}") == "n3");
    CHECK(run("{.nodes[1:].node}") == "n2 n3");
    CHECK(run("{.nodes[*].ok}") == "true false true");
    CHECK(run("{.nodes[1].error}") == "null");
    CHECK(run("{.summary.nested}") == R"({"k":[1,2]})");
    CHECK(run("{.missing}{.summary.nope.deeper}") == ""); // as kubectl's --allow-missing-template-keys=true
    CHECK(run("{.nodes[3:]}") == "");                     // no element asked for
    CHECK_THROWS_WITH_AS(run("{.nodes[7].node}"),
                         "error executing jsonpath \"{.nodes[7].node}\": array index out of bounds: index 7, length 3",
                         util::Error);
    CHECK_THROWS_WITH_AS(run("{.nodes[-5]}"),
                         "error executing jsonpath \"{.nodes[-5]}\": array index out of bounds: index -2, length 3",
                         util::Error);
    CHECK_THROWS_WITH_AS(run("{.nodes[1:9]}"),
                         "error executing jsonpath \"{.nodes[1:9]}\": array index out of bounds: index 8, length 3",
                         util::Error);
    CHECK(run("{..state}") == "CONFIGURED INIT CONFIGURED");
    CHECK(run("{.nodes[?(@.ok==true)].node}") == "n1 n3");
    CHECK(run("{.nodes[?(@.count>=2)].node}") == "n2 n3");
    CHECK(run("{.nodes[?(@.error)].node}") == "n2"); // there, if null
    CHECK(run("{.nodes[?(@.absent)].node}") == "");
    CHECK(run("{.nodes[?(@.tunnels)].node}") == "n1 n2 n3"); // present, even empty
    CHECK(run("{range .nodes[*]}{.node}{\"\\n\"}{end}") == "n1\nn2\nn3\n");
    CHECK(run("{range .nodes[*]}[{@.node}]{end}") == "[n1][n2][n3]");
    CHECK(run("{.summary['verdict']}") == "degraded");
    CHECK(run("text only") == "text only");
    CHECK(output::strip_template_quotes("'{.a}'") == "{.a}");
    CHECK(output::strip_template_quotes("{.a}") == "{.a}");
  }

  TEST_CASE("jsonpath: a broken template is a usage error in kubectl's words")
  {
    for (const char* bad : {"{.nodes[*].node", "{range .nodes[*]}{.node}", "{end}", "{nodes}", "{.nodes[x]}",
                            "{.nodes[?(@.a==)]}", "{.nodes[0:1:2]}"}) {
      CAPTURE(bad);
      std::string error;
      try {
        output::JsonPathTemplate parsed{bad};
      } catch (const util::UsageError& e) {
        error = e.what();
      }
      CHECK(error.rfind(std::string("error parsing jsonpath ") + bad + ", ", 0) == 0);
    }
  }

  TEST_CASE("jsonpath: the same text as the real kubectl's engine")
  {
    KOI_SKIP_IF_REASON_AS(testsupport::program_missing("kubectl"), testsupport::SkipKind::by_design);
    testsupport::TempDir dir;
    const std::string file = dir.write("doc.json", document().dump());
    for (const auto& text : k_shared) {
      CAPTURE(text);
      const auto kubectl =
          testsupport::run({"kubectl", "label", "--local", "-f", file, "x=y", "-o", "jsonpath=" + text},
                           {"KUBECONFIG=/nonexistent-koi-kubeconfig", "HOME=/nonexistent-koi-home"}, "", 30000);
      REQUIRE_MESSAGE(kubectl.exit_code == 0, kubectl.err);
      CHECK(run(text) == kubectl.out);
    }
    // An index past the end fails in both, with kubectl's reason.
    for (const std::string text : {"{.nodes[9].node}", "{.nodes[-5]}", "{.nodes[1:9]}", "{.nodes[1].tunnels[0]}"}) {
      CAPTURE(text);
      const auto kubectl =
          testsupport::run({"kubectl", "label", "--local", "-f", file, "x=y", "-o", "jsonpath=" + text},
                           {"KUBECONFIG=/nonexistent-koi-kubeconfig", "HOME=/nonexistent-koi-home"}, "", 30000);
      CHECK(kubectl.exit_code != 0);
      std::string ours;
      try {
        run(text);
      } catch (const util::Error& e) {
        ours = e.what();
      }
      REQUIRE(!ours.empty());
      const std::string reason = ours.substr(ours.find("array index"));
      CHECK_MESSAGE(kubectl.err.find(reason) != std::string::npos, kubectl.err);
    }
  }
}
