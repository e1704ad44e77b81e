// The built binary end to end: `nodes` against the test API server, directly and through
// kubectl's real plugin dispatch, with failing nodes.
#include "support/skip.hpp"
#include "support/plugin_run.hpp"
#include "support/testdata.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

using testsupport::contains;
using testsupport::line_starting;
using testsupport::run;
using testsupport::run_plugin;
using testsupport::TestApiServer;

TEST_SUITE("integration")
{
  TEST_CASE("cli nodes: every node's pod and chassis, as table and json")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto r = run_plugin(server, {"nodes"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "NODE                     POD             CONTAINER     CHASSIS"));
    CHECK(contains(r.out,
                   "kube-ovn-worker          ovs-ovn-4mfzt   openvswitch   2c6f0a54-7d1e-4b8a-9f63-0e5b1d7c4a92   ok"));

    r = run_plugin(server, {"nodes", "-o", "json", "--node", "kube-ovn-worker2"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["layout"] == "ovs-ovn");
    REQUIRE(doc["nodes"].size() == 1);
    CHECK(doc["nodes"][0]["chassis"] == "d41e9b27-35c8-4f06-a1d9-6b2e8f0c7a13");

    // The exact argv and container each pod received.
    int system_id_execs = 0;
    for (const auto& entry : server.control("GET", "/_test/requests")) {
      if (entry.contains("exec") && entry["exec"].is_object()) {
        CHECK(entry["exec"]["argv"] ==
              nlohmann::json::array({"ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"}));
        CHECK(entry["exec"]["container"] == "openvswitch");
        ++system_id_execs;
      }
    }
    CHECK(system_id_execs == 4);

    r = run_plugin(server, {"nodes", "-v", "1"});
    CHECK(contains(r.err, "layout: ovs-ovn (Kube-OVN <= 1.12); 3 ovs-ovn and 3 kube-ovn-cni pods in kube-system"));
  }

  TEST_CASE("cli nodes: a failing or hanging node is a row; the others still print; exit 1")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    server.control("POST", "/_test/faults", R"({"execFailPods":["ovs-ovn-4mfzt"],"hangExecPods":["ovs-ovn-b9wqd"]})");
    const auto start = std::chrono::steady_clock::now();
    const auto r = run_plugin(server, {"nodes", "--timeout", "1s"});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "8aebd9df-46ef-47b9-85e3-73e9a765296d   ok"));
    const std::string failed = line_starting(r.out, "kube-ovn-worker ");
    CHECK(contains(failed, "ovs-ovn-4mfzt"));
    CHECK(contains(failed, "error: "));
    CHECK(contains(failed, "Internal error occurred"));
    CHECK(contains(line_starting(r.out, "kube-ovn-worker2 "), "timed out after 1s"));

    const auto ghost = run_plugin(server, {"nodes", "--node", "ghost"});
    CHECK(ghost.exit_code == 1);
    CHECK(contains(ghost.out, "error: no ovs-ovn pod on this node"));
  }

  TEST_CASE("cli nodes: RBAC without pods/exec is shown per node")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    const auto r = run_plugin(server, {"nodes"}, "viewer");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "Error from server (Forbidden)"));
    CHECK(contains(r.out, "cannot get resource \\\"pods/exec\\\"") == false); // rows are plain text, not JSON
    CHECK(contains(r.out, "cannot get resource \"pods/exec\""));
  }

  TEST_CASE("cli: usage errors exit 1 as kubectl's do, naming the command; a broken kubeconfig exits 1 with one line")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto r = run_plugin(server, {"nodes", "--concurrency", "0"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("See 'kubectl ko ipsec nodes --help' for usage.\n") != std::string::npos);
    r = run_plugin(server, {"nodes", "-o", "xml"});
    CHECK(r.exit_code == 1);
    r = run({KOI_PLUGIN_BINARY, "nodes", "--kubeconfig", "/nonexistent/config"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "/nonexistent/config"));
    CHECK(r.out.empty());
  }

  TEST_CASE("cli: kubectl dispatches `kubectl ko ipsec` to us and other `kubectl ko` words to Kube-OVN's plugin")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    const std::string kubectl = testsupport::which("kubectl");
    KOI_SKIP_IF_REASON_AS(testsupport::program_missing("kubectl"), testsupport::SkipKind::by_design);
    TestApiServer server;
    testsupport::TempDir bin;
    std::filesystem::create_symlink(KOI_PLUGIN_BINARY, bin.path() + "/kubectl-ko-ipsec");
    bin.write("kubectl-ko", "#!/bin/sh\necho \"kube-ovn kubectl-ko: $*\"\n", 0755);
    const char* path = std::getenv("PATH");
    const std::vector<std::string> env{"PATH=" + bin.path() + ":" + std::string(path ? path : "/usr/bin:/bin"),
                                       "KUBECONFIG=" + server.write_kubeconfig("admin")};

    auto r = run({kubectl, "ko", "ipsec", "nodes", "--node", "kube-ovn-worker"}, env);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "2c6f0a54-7d1e-4b8a-9f63-0e5b1d7c4a92"));

    r = run({kubectl, "ko", "nbctl", "show"}, env);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "kube-ovn kubectl-ko: nbctl show\n");

    r = run({kubectl, "ko", "ipsec", "nodes", "--bogus"}, env);
    CHECK(r.exit_code == 1);
    CHECK(r.err == "error: unknown flag: --bogus\nSee 'kubectl ko ipsec nodes --help' for usage.\n");
  }
}

TEST_SUITE("integration")
{
  TEST_CASE("cli: a kubeconfig without certificate-authority trusts the system bundle kubectl would use")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    std::string kubeconfig_text = testsupport::read_file(server.write_kubeconfig("admin"));
    const auto ca_line = kubeconfig_text.find("    certificate-authority: ");
    REQUIRE(ca_line != std::string::npos);
    kubeconfig_text.erase(ca_line, kubeconfig_text.find('\n', ca_line) + 1 - ca_line);
    testsupport::TempDir dir;
    const std::string kubeconfig = dir.write("config", kubeconfig_text);

    // The test CA as the system bundle (SSL_CERT_FILE, as for kubectl): trusted.
    auto r = run({KOI_PLUGIN_BINARY, "nodes"},
                 {"KUBECONFIG=" + kubeconfig, "KUBE_OVN_NS=", "SSL_CERT_FILE=" + server.pki_dir() + "/ca.crt",
                  "SSL_CERT_DIR=" + dir.path() + "/no-such-dir"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "kube-ovn-worker"));

    // No bundle anywhere: one line naming where it looked, before any connection.
    r = run({KOI_PLUGIN_BINARY, "nodes"},
            {"KUBECONFIG=" + kubeconfig, "KUBE_OVN_NS=", "SSL_CERT_FILE=" + dir.path() + "/none.pem",
             "SSL_CERT_DIR=" + dir.path() + "/no-such-dir"});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.err, "there are no system CA certificates (looked in " + dir.path() + "/none.pem, " +
                                      dir.path() + "/no-such-dir;"),
                  r.err);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
