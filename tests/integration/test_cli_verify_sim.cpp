// `verify` end to end against the test API server's simulated Kube-OVN cluster
// (tests/apiserver/lib/sim_verify.js answers the facts and probe commands from each node's IPsec
// state): the argv each node pod receives, the verdicts for IPsec off, on without SAs and on with
// SAs, a node whose pod fails or hangs, and one deadline for the whole command.
#include "support/clock.hpp"
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using nlohmann::json;
using testsupport::exec_requests;
using testsupport::run_plugin;
using testsupport::TestApiServer;

namespace {

TestApiServer&
sim3(const json& patch = json::object())
{
  static std::unique_ptr<TestApiServer> server;
  if (!server) {
    server = std::make_unique<TestApiServer>(testsupport::ApiServerOptions{"sim-3.json", "server", ""});
  }
  server->control("POST", "/_test/reset");
  if (!patch.empty()) {
    server->control("POST", "/_test/sim", patch.dump());
  }
  return *server;
}

std::vector<json>
probes(const TestApiServer& server)
{
  std::vector<json> out;
  for (const auto& exec : exec_requests(server)) {
    if (exec["argv"].size() > 3 && exec["argv"][3] == "koi-verify") {
      out.push_back(exec);
    }
  }
  return out;
}

} // namespace

TEST_SUITE("integration-sim")
{
  TEST_CASE("sim verify: IPsec with SAs is encrypted on every pair; off is not encrypted; on without SAs is unknown")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim3({{"ipsec", true}, {"sas", "installed"}});
    auto r = run_plugin(server, {"verify", "-o", "json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto doc = json::parse(r.out);
    CHECK(doc["passed"] == true);
    CHECK(doc["pairs"].size() == 6);
    for (const auto& pair : doc["pairs"]) {
      CHECK(pair["verdict"] == "encrypted");
      CHECK(pair["esp"]["wirePackets"].get<int>() > 0);
      CHECK(pair["esp"]["saPackets"].get<int>() > 0);
    }
    // One probe per node pod, in the node's own container, to both peers' ovn0 addresses.
    const auto sent = probes(server);
    REQUIRE(sent.size() == 3);
    for (const auto& probe : sent) {
      CHECK(probe["container"] == "openvswitch");
      CHECK(probe["argv"].size() == 12);
      CHECK(probe["argv"][7] == "2.0");
      CHECK(probe["argv"][9] == "1400");
      CHECK(probe["argv"][10].get<std::string>().rfind("100.64.0.", 0) == 0);
    }

    sim3({{"ipsec", false}});
    r = run_plugin(server, {"verify"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.rfind("NOT verified: 0/6 node pairs encrypted; 6 not encrypted\n", 0) == 0);
    CHECK(r.out.find("Geneve packets to node-02 left in the clear, no ESP SA to it") != std::string::npos);

    sim3({{"ipsec", true}, {"sas", "none"}});
    r = run_plugin(server, {"verify"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.rfind("NOT verified: 0/6 node pairs encrypted; 6 unknown\n", 0) == 0);
    CHECK(r.out.find("nothing to node-03 on the wire (10 echoes sent, 0 answered)") != std::string::npos);
  }

  TEST_CASE("sim verify: a failing or hung node is unknown, the rest measured, within one --timeout")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim3({{"ipsec", true}, {"sas", "installed"}});
    // Node 3's pod: every exec fails.
    const auto listed = run_plugin(server, {"nodes", "-o", "json"});
    REQUIRE(listed.exit_code == 0);
    const std::string third_pod = json::parse(listed.out)["nodes"][2]["pod"];
    server.control("POST", "/_test/faults", json{{"execFailPods", {third_pod}}}.dump());
    auto r = run_plugin(server, {"verify"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.rfind("NOT verified: 2/6 node pairs encrypted; 4 unknown\n", 0) == 0);
    CHECK(r.out.find("node-01   node-02   11") != std::string::npos);
    CHECK(r.out.find("node-01   node-03   -     -           -         unknown") != std::string::npos);

    // Hung: its facts never come (10 s limit each), so its pairs are unknown; the others are
    // probed after, and --timeout bounds the whole command.
    server.control("POST", "/_test/faults", json{{"execFailPods", nullptr}, {"hangExecPods", {third_pod}}}.dump());
    const auto started = std::chrono::steady_clock::now();
    r = run_plugin(server, {"verify", "--timeout", "30s"});
    const auto took = testsupport::seconds_since(started);
    CHECK(r.exit_code == 1);
    CHECK(took < 30.0);
    CHECK(r.out.rfind("NOT verified: 2/6 node pairs encrypted; 4 unknown\n", 0) == 0);
    CHECK(r.out.find("node-02   node-01   11") != std::string::npos);
    CHECK(r.out.find("node-03   node-01   -") != std::string::npos);
    CHECK(r.out.find("unknown") != std::string::npos);
  }

  TEST_CASE("sim verify: a full-MTU packet that does not cross fails the pair, with the largest that did")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim3({{"ipsec", true}, {"sas", "installed"}, {"verifyMtuPassing", 1352}});
    const auto r = run_plugin(server, {"verify", "--node", "node-01"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.rfind("NOT verified: 4/4 node pairs encrypted; 4 encrypted pairs drop full-MTU packets\n", 0) == 0);
    CHECK(r.out.find("1400 FAIL (max 1352)") != std::string::npos);
    CHECK(probes(server).size() == 3); // node-01 to both, each other node to node-01
  }
}
