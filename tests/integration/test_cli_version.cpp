// `version` end to end: the plugin's own version always; the cluster's Kube-OVN, OVN and Open
// vSwitch versions when it can reach the cluster, read-only; --client asks nothing.
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using nlohmann::json;
using testsupport::contains;
using testsupport::run_plugin;

TEST_SUITE("integration")
{
  TEST_CASE("version: the cluster's Kube-OVN, OVN and Open vSwitch; --client asks nothing; unreachable is no error")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    testsupport::TestApiServer server(
        testsupport::ApiServerOptions{"sim-3.json", "server", R"({"simulate":{"nodes":3,"layout":"ovs-ovn"}})"});
    auto r = run_plugin(server, {"version"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.rfind("kubectl-ko-ipsec ", 0) == 0);
    CHECK(contains(r.out, "\nKube-OVN: v1.12.22 (image tag of the kube-ovn-cni pods (3))\n"));
    CHECK(contains(r.out, "\nOVN: 23.03.1 (kube-system/ovn-central-"));
    CHECK(contains(r.out, "\nOpen vSwitch: 3.1.0 (kube-system/ovs-ovn-"));
    // Read-only: two --version execs, nothing else.
    const auto execs = testsupport::exec_requests(server);
    REQUIRE(execs.size() == 2);
    CHECK(execs[0]["argv"] == json::array({"ovn-nbctl", "--version"}));
    CHECK(execs[1]["argv"] == json::array({"ovs-vsctl", "--version"}));

    r = run_plugin(server, {"version", "-o", "json"});
    const auto doc = json::parse(r.out);
    CHECK(doc["cluster"]["kubeOvn"]["version"] == "v1.12.22");
    CHECK(doc["cluster"]["ovn"]["version"] == "23.03.1");
    CHECK(doc["cluster"]["openvswitch"]["version"] == "3.1.0");

    const size_t before = testsupport::exec_requests(server).size();
    r = run_plugin(server, {"version", "--client"});
    CHECK(r.exit_code == 0);
    CHECK_FALSE(contains(r.out, "Kube-OVN"));
    CHECK(testsupport::exec_requests(server).size() == before);
    CHECK_FALSE(json::parse(run_plugin(server, {"version", "--client", "-o", "json"}).out).contains("cluster"));

    const auto unreachable = testsupport::run({KOI_PLUGIN_BINARY, "version"}, {"KUBECONFIG=/nonexistent-koi"});
    CHECK(unreachable.exit_code == 0);
    CHECK(contains(unreachable.out, "\nCluster: not reached ("));
    CHECK(contains(unreachable.out, "no kubeconfig found"));
  }
}
