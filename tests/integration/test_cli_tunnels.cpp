// `tunnels` end to end: the binary against the test API server whose ovs-ovn pods answer with
// the real captures from the lab (OVN 23.03 / OVS 3.1 / strongSwan 5.9).
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using testsupport::contains;
using testsupport::count;
using testsupport::run_plugin;
using testsupport::TestApiServer;

namespace {

std::string
fmt_capture(const std::string& state, int node)
{
  return std::string(KOI_SOURCE_DIR) + "/tests/testdata/tunnels-show/tunnels-show." + state + ".node" +
         std::to_string(node) + ".txt";
}

// small.json with each ovs-ovn pod answering as lab node N: its system-id and a capture of
// `tunnels/show` in `state` (A: IPsec off, C: IKE established).
std::string
lab_cluster_file(const testsupport::TempDir& dir, const std::string& state)
{
  std::ifstream in(std::string(KOI_SOURCE_DIR) + "/tests/apiserver/clusters/small.json");
  auto cluster = nlohmann::json::parse(in);
  const std::map<std::string, std::pair<int, std::string>> lab{
      {"kube-ovn-control-plane", {1, "11111111-aaaa-4000-8000-000000000001"}},
      {"kube-ovn-worker", {2, "22222222-bbbb-4000-8000-000000000002"}},
      {"kube-ovn-worker2", {3, "33333333-cccc-4000-8000-000000000003"}},
  };
  for (auto& pod : cluster["pods"]) {
    if (pod["labels"].value("app", "") != "ovs") {
      continue;
    }
    const auto& [index, chassis] = lab.at(pod["nodeName"].get<std::string>());
    const std::string capture =
        state == "C" ? fmt_capture("C-ike-established", index) : fmt_capture("A-before-ipsec", 1);
    pod["exec"]["rules"] =
        nlohmann::json::array({{{"argv", {"ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"}},
                                {"stdout", "\"" + chassis + "\"\n"}},
                               {{"argv", nlohmann::json(testsupport::k_show)}, {"stdoutFile", capture}}});
  }
  return dir.write("lab-" + state + ".json", cluster.dump(2));
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("cli tunnels: the full mesh from real captures, by node name")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    testsupport::TempDir dir;
    TestApiServer server({lab_cluster_file(dir, "C"), "server", ""});
    auto r = run_plugin(server, {"tunnels"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "NODE"));
    CHECK(contains(r.out, "REMOTE NODE"));
    CHECK(count(r.out, "CONFIGURED") == 6);
    CHECK(contains(r.out, "kube-ovn-control-plane   kube-ovn-worker "));
    CHECK(contains(r.out, "ovn-222222-0"));

    r = run_plugin(server, {"tunnels", "-o", "json", "--node", "kube-ovn-worker"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc["nodes"].size() == 1);
    CHECK(doc["nodes"][0]["node"] == "kube-ovn-worker");
    CHECK(doc["nodes"][0]["tunnels"].size() == 2);

    int shows = 0;
    for (const auto& entry : server.control("GET", "/_test/requests")) {
      if (entry.contains("exec") && entry["exec"].is_object() &&
          entry["exec"]["argv"] == nlohmann::json(testsupport::k_show)) {
        CHECK(entry["exec"]["container"] == "openvswitch");
        ++shows;
      }
    }
    CHECK(shows == 4); // 3 for the table, 1 for --node
  }

  TEST_CASE("cli tunnels: IPsec off is a state, a failed node is a row, the others still print")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    testsupport::TempDir dir;
    TestApiServer server({lab_cluster_file(dir, "A"), "server", ""});
    auto r = run_plugin(server, {"tunnels"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(count(r.out, "NO-TUNNELS") == 3);

    server.control("POST", "/_test/faults", R"({"execFailPods":["ovs-ovn-4mfzt"]})");
    r = run_plugin(server, {"tunnels"});
    CHECK(r.exit_code == 1);
    CHECK(count(r.out, "NO-TUNNELS") == 2);
    CHECK(contains(r.out, "ERROR"));
    CHECK(contains(r.out, "Internal error occurred"));
  }
}
