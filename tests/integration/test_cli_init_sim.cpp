// `init` end to end: the built plugin against the test API server's simulated cluster, whose
// node pods run init's shell steps with the real sh and openssl (tests/apiserver/lib/sim_init.js).
// First run, re-run, a new node, a failing node, --force, --dry-run, a pod that lost its files,
// an interrupted run, 50 nodes, and the key material that must never travel or be printed.
#include "support/clock.hpp"
#include "support/init_sim.hpp"

#include "ipsec/init_plan.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

using nlohmann::json;
using testsupport::check_enrolled;
using testsupport::contains;
using testsupport::line_starting;
using testsupport::run_plugin;
using testsupport::sim_state;
using testsupport::sim_tell;
using testsupport::SimNode;
using testsupport::TestApiServer;

namespace {

// A running server per (nodes, layout), kept for the run; reset and without a CA Secret.
TestApiServer&
sim(int nodes, const std::string& layout, const json& patch = json::object())
{
  static std::map<std::string, std::unique_ptr<TestApiServer>> servers;
  const std::string extra = R"({"simulate":{"layout":")" + layout + "\"}}";
  auto& slot = servers[std::to_string(nodes) + layout];
  if (!slot) {
    slot = std::make_unique<TestApiServer>(
        testsupport::ApiServerOptions{nodes == 50 ? "sim-50.json" : "sim-3.json", "server", extra});
  }
  testsupport::delete_ca_secret(*slot);
  slot->control("POST", "/_test/reset");
  if (!patch.empty()) {
    slot->control("POST", "/_test/sim", patch.dump());
  }
  return *slot;
}

// `init ARGS` with a per-command deadline this loaded, shared machine meets: all nodes' openssl
// runs on its 2 cores (at most 8 at once), so a key can wait its turn for a while.
testsupport::RunResult
init(const TestApiServer& server, std::vector<std::string> args = {})
{
  args.insert(args.begin(), {"init", "--timeout", "3m"});
  return run_plugin(server, args, "admin", 600000);
}

size_t
log_size(const TestApiServer& server)
{
  return server.control("GET", "/_test/requests").size();
}

using testsupport::seconds_since;

// Every node key of `now` and the CA key: none may appear in what travelled or was printed.
void
check_secrets_kept(const TestApiServer& server, const json& now, const std::string& printed)
{
  std::vector<std::string> keys{testsupport::stored_ca(server).key};
  for (const auto& n : now["nodes"]) {
    const SimNode node(now, n["name"].get<std::string>());
    keys.push_back(node.file(node.key_path()));
  }
  testsupport::check_no_key_material(testsupport::requests_since(server, 0), keys, printed);
}

int
total_steps(const json& now, const std::string& step)
{
  int n = 0;
  for (const auto& node : now["nodes"]) {
    n += SimNode(now, node["name"].get<std::string>()).steps(step);
  }
  return n;
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("sim init: 3 nodes: CA Secret, verified certificates, exact argv; a re-run changes nothing")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // Kube-OVN <= 1.12 only: on >= 1.13 Kube-OVN runs the PKI (the next case).
    for (const std::string layout : {"ovs-ovn"}) {
      CAPTURE(layout);
      auto& server = sim(3, layout);
      auto r = init(server, {"--key-bits", "2048"});
      REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
      CHECK(contains(
          r.out, "CA: Secret kube-system/ovn-ipsec-ca (created): O=Kube-OVN, OU=ovn-ipsec, CN=kubectl-ko-ipsec CA\n"));
      CHECK(contains(r.out, "3 node(s): 3 ok, 0 failed\n"));
      const auto ca = testsupport::stored_ca(server);
      CHECK(contains(ca.cert, "-----BEGIN CERTIFICATE-----"));
      CHECK(contains(ca.key, "-----BEGIN PRIVATE KEY-----")); // PKCS#8, as Kube-OVN reads it
      auto now = sim_state(server);
      check_enrolled(now, ca.cert);
      check_secrets_kept(server, now, r.out + r.err);

      // Exactly these commands in each node's pod of the layout, in order; stdin only for installs.
      const auto pods = testsupport::pod_nodes(server);
      std::map<std::string, std::vector<json>> by_node;
      for (const auto& exec : testsupport::exec_requests(server)) {
        const std::string pod = exec["pod"];
        CHECK(pod.rfind(layout == "ovs-ovn" ? "ovs-ovn-" : "kube-ovn-cni-", 0) == 0);
        CHECK(exec["container"] == (layout == "ovs-ovn" ? "openvswitch" : "cni-server"));
        by_node[pods.at(pod)].push_back(exec);
      }
      REQUIRE(by_node.size() == 3);
      for (const auto& item : by_node) {
        const auto& name = std::get<0>(item);
        const auto& execs = std::get<1>(item); // clang 14: no lambda capture of bindings
        CAPTURE(name);
        const SimNode node(now, name);
        const auto paths = ipsec::node_paths(node.chassis());
        std::vector<json> expected{json(testsupport::k_system_id), ipsec::probe_command(paths)};
        if (layout == "ovs-ovn") {
          // ipsec.sh's pods: are the daemons up? (they are, in this simulated cluster)
          expected.push_back(json::array({"ovs-appctl", "-t", "ovs-monitor-ipsec", "version"}));
          expected.push_back(json::array({"ipsec", "status"}));
        }
        const size_t first = expected.size();
        for (const json& step : {json(ipsec::keygen_command(paths, ipsec::node_subject(node.chassis()), 2048)),
                                 json(ipsec::install_ca_command(paths)), json::array({"ipsec", "rereadcacerts"}),
                                 json(ipsec::install_cert_command(paths)), json(ipsec::configure_command(paths))}) {
          expected.push_back(step);
        }
        REQUIRE(execs.size() == expected.size());
        for (size_t i = 0; i < execs.size(); ++i) {
          CHECK(execs[i]["argv"] == expected[i]);
          CHECK(execs[i]["exitCode"] == 0);
          CHECK(execs[i]["stdin"] == (i == first + 1 || i == first + 3));
        }
        CHECK(execs[first + 4]["argv"] ==
              json::array({"ovs-vsctl", "set", "Open_vSwitch", ".",
                           "other_config:certificate=/etc/ipsec.d/certs/" + node.chassis() + "-cert.pem",
                           "other_config:private_key=/etc/ipsec.d/private/" + node.chassis() + "-privkey.pem",
                           "other_config:ca_cert=/etc/ipsec.d/cacerts/cacert.pem"}));
        CHECK(execs[first + 1]["stdinText"] == ca.cert);
        CHECK(execs[first + 3]["stdinText"] == node.file(node.cert_path()));
        CHECK(node.steps("start-monitor") == 0); // running already: not restarted
        CHECK(node.steps("reread-ca") == 1);     // a running strongSwan loads the new CA file
        CHECK(node.steps("refresh") == 0);       // new paths in OVSDB: the monitor notices by itself
        CHECK(node.steps("reload-ike") == 0);
      }
      CHECK(testsupport::secret_writes(testsupport::requests_since(server, 0)) == 1);

      // Re-run: every node skipped, no key made, nothing written, the same files.
      const size_t before = log_size(server);
      const auto first_cert = SimNode(now, "node-02").file(SimNode(now, "node-02").cert_path());
      r = init(server);
      REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
      CHECK(contains(r.out, "(existing)"));
      CHECK(testsupport::count(r.out, "valid for 729 more days   ok\n") == 3);
      now = sim_state(server);
      CHECK(total_steps(now, "keygen") == 3);
      CHECK(total_steps(now, "install-cert") == 3);
      CHECK(total_steps(now, "configure") == 3);
      CHECK(SimNode(now, "node-02").file(SimNode(now, "node-02").cert_path()) == first_cert);
      const auto rerun = testsupport::requests_since(server, before);
      CHECK(testsupport::secret_writes(rerun) == 0);
      for (const auto& entry : rerun) {
        if (entry.contains("exec")) {
          const auto& argv = entry["exec"]["argv"];
          const bool looks =
              argv == json(testsupport::k_system_id) ||
              argv == json::array({"ovs-appctl", "-t", "ovs-monitor-ipsec", "version"}) ||
              argv == json::array({"ipsec", "status"}) ||
              (argv[0] == "sh" && argv[2].get<std::string>().find("--- certificate") != std::string::npos);
          CHECK_MESSAGE(looks, argv.dump());
        }
      }
    }
  }

  TEST_CASE("sim init: --dry-run changes nothing; a failing node is named, re-run repairs it; a new node; --force")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim(3, "ovs-ovn");
    auto r = init(server, {"--dry-run"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "(would create)"));
    CHECK(testsupport::count(r.out, "enroll   no certificate yet   would enroll\n") == 3);
    CHECK(testsupport::stored_ca(server).cert.empty());
    auto now = sim_state(server);
    CHECK(total_steps(now, "keygen") == 0);
    for (const auto& n : now["nodes"]) {
      const SimNode node(now, n["name"].get<std::string>());
      CHECK(node.file(SimNode::ca_path()).empty());
      CHECK(node.other_config("certificate").empty());
    }
    CHECK(testsupport::secret_writes(testsupport::requests_since(server, 0)) == 0);

    sim_tell(server, {{"failKeygen", {"node-02"}}});
    r = init(server, {"--key-bits", "2048"});
    CHECK(r.exit_code == 1);
    const std::string failed = line_starting(r.out, "node-02 ");
    CHECK(contains(failed, "failed: making the key and request failed in kube-system/ovs-ovn-"));
    CHECK(contains(failed, "(exit code 1): openssl: error while loading shared libraries"));
    CHECK(contains(r.out, "3 node(s): 2 ok, 1 failed; run init again to finish them\n"));
    now = sim_state(server);
    const SimNode broken(now, "node-02");
    CHECK(broken.file(broken.cert_path()).empty());
    CHECK(broken.other_config("certificate").empty()); // nothing half-configured
    CHECK(contains(line_starting(r.out, "node-01 "), "done"));
    const std::string ca = testsupport::stored_ca(server).cert;

    sim_tell(server, {{"addNode", true}});
    r = init(server, {"--key-bits", "2048"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(line_starting(r.out, "node-01 "), "skip"));
    CHECK(contains(line_starting(r.out, "node-02 "), "enroll   no certificate yet        done"));
    CHECK(contains(line_starting(r.out, "node-03 "), "skip"));
    CHECK(contains(line_starting(r.out, "node-04 "), "enroll   no certificate yet        done"));
    now = sim_state(server);
    CHECK(SimNode(now, "node-01").steps("keygen") == 1);
    CHECK(SimNode(now, "node-02").steps("keygen") == 2);
    CHECK(SimNode(now, "node-04").steps("keygen") == 1);
    CHECK(testsupport::stored_ca(server).cert == ca);
    check_enrolled(now, ca);

    // --force: every node gets a new key and certificate at the same paths, so strongSwan is told
    // to load them (not through the monitor's refresh, which tears every SA down).
    const SimNode first(now, "node-01");
    const std::string old_key = first.file(first.key_path());
    r = init(server, {"--key-bits", "2048", "--force"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::count(r.out, "reissue   --force   done\n") == 4);
    now = sim_state(server);
    CHECK(first.file(first.key_path()) != old_key);
    CHECK(total_steps(now, "refresh") == 0);
    CHECK(total_steps(now, "reload-ike") == 4); // strongSwan must load the replaced certificates
    check_enrolled(now, ca);
    check_secrets_kept(server, now, r.out + r.err);
  }

  TEST_CASE("sim init: daemons start on at most 3 nodes at once, however many nodes init works on")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // Each start takes 400 ms in the sim: starts that overlap are counted there (peakStarts).
    auto& server = sim(50, "ovs-ovn", {{"stopMonitor", {1, 2, 3, 4, 5, 6, 7, 8, 9}}, {"startMs", 400}});
    std::vector<std::string> args{"--key-bits", "2048", "--concurrency", "9"};
    for (int i = 1; i <= 9; ++i) {
      args.insert(args.end(), {"--node", fmt::format("node-{:02}", i)});
    }
    const auto r = init(server, args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    const auto now = sim_state(server);
    CHECK(total_steps(now, "start-monitor") == 9);
    CHECK(total_steps(now, "start-ike") == 9);
    const int peak = now["init"]["peakStarts"].get<int>();
    CHECK(peak <= 3); // ops::k_daemon_starts_at_once: a restart re-keys; never every node together
    CHECK(peak >= 2); // ...yet they do overlap: the bound is a pool, not one node at a time
  }

  TEST_CASE("sim init on v1.12 ovs-ovn pods: no IPsec daemons until init starts them as ipsec.sh does; "
            "a restarted pod is healed alone")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // As Kube-OVN v1.12's start-ovs.sh leaves a pod: OVS and OVN up, no ovs-monitor-ipsec, no
    // strongSwan (only ipsec.sh's `service ... restart` starts them).
    auto& server = sim(3, "ovs-ovn", {{"stopMonitor", {1, 2, 3}}});
    auto r = init(server, {"--key-bits", "2048", "--dry-run"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "IPsec daemons would be started (service openvswitch-ipsec start, service ipsec start) "
                          "on: node-01, node-02, node-03\n"));
    CHECK(total_steps(sim_state(server), "start-monitor") == 0);

    r = init(server, {"--key-bits", "2048", "--enable"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "IPsec daemons started (service openvswitch-ipsec start, service ipsec start) on: "
                          "node-01, node-02, node-03\n"));
    CHECK(contains(r.out, "done: ")); // --enable's on --wait: every tunnel CONFIGURED
    auto now = sim_state(server);
    for (const char* name : {"node-01", "node-02", "node-03"}) {
      CAPTURE(name);
      const SimNode node(now, name);
      CHECK(node.steps("start-monitor") == 1);
      CHECK(node.steps("start-ike") == 1);
      CHECK(node.steps("refresh") == 0); // freshly started daemons read the new files themselves
    }
    for (const auto& node : now["nodes"]) {
      CHECK(node["monitorStopped"] == false);
    }
    const auto json_out = json::parse(run_plugin(server, {"init", "-o", "json"}).out);
    for (const auto& node : json_out["nodes"]) {
      CHECK_FALSE(node.contains("daemons")); // running now: a re-run starts nothing
    }

    // node-02's pod restarts: /etc/ipsec.d (in the container) is gone, and so are its daemons;
    // OVSDB (a host path) still names the files.
    sim_tell(server, {{"wipeIpsecFiles", {"node-02"}}, {"stopMonitor", {"node-02"}}});
    r = run_plugin(server, {"status"});
    CHECK(r.exit_code == 1);
    CHECK(contains(line_starting(r.out, "node-02 "), "file missing"));
    CHECK(contains(line_starting(r.out, "node-02 "), "pod restarted: ovs-monitor-ipsec is down and the certificate "
                                                     "files OVSDB names are gone; run `kubectl ko ipsec init`"));
    r = init(server, {"--key-bits", "2048"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(line_starting(r.out, "node-02 "), "repair"));
    CHECK(
        contains(r.out, "IPsec daemons started (service openvswitch-ipsec start, service ipsec start) on: node-02\n"));
    now = sim_state(server);
    CHECK(SimNode(now, "node-02").steps("start-monitor") == 2);
    CHECK(SimNode(now, "node-01").steps("start-monitor") == 1); // the healthy nodes were not restarted
    CHECK(SimNode(now, "node-03").steps("start-monitor") == 1);
    check_enrolled(now, testsupport::stored_ca(server).cert);
    r = run_plugin(server, {"status"});
    CHECK_MESSAGE(r.exit_code == 1, r.out); // the sim has no ESP: "no SAs", but every node answers
    CHECK_FALSE(contains(r.out, "file missing"));
  }

  TEST_CASE("sim init: Kube-OVN >= 1.13 runs the PKI: init refuses and runs nothing; --dry-run says what Kube-OVN "
            "does")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim(3, "kube-ovn-cni");
    server.control("POST", "/_test/execs");
    auto r = init(server, {"--key-bits", "2048"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "has --enable-ovn-ipsec=false, and every kube-ovn-cni start removes certificates installed "
                          "by anyone else. Nothing was changed"));
    CHECK(server.control("GET", "/_test/execs")["peak"] == 0);
    CHECK(testsupport::stored_ca(server).cert.empty());
    r = init(server, {"--dry-run"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "  - node-02: kube-ovn-cni makes a key in /etc/ovs_ipsec_keys, requests CSR "
                          "ovn-ipsec-node-02 (signer kubeovn.io/signer)"));
  }

  TEST_CASE("sim init: a pod restart that lost /etc/ipsec.d shows in status's CERT column; init repairs only it")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim(3, "ovs-ovn");
    REQUIRE(init(server, {"--key-bits", "2048"}).exit_code == 0);
    sim_tell(server, {{"wipeIpsecFiles", {"node-03"}}});
    auto r = run_plugin(server, {"status"});
    CHECK(r.exit_code == 3); // IPsec is off
    CHECK(contains(line_starting(r.out, "node-03 "), "file missing"));
    CHECK(contains(line_starting(r.out, "node-01 "), "ok (729d)"));

    r = init(server, {"--key-bits", "2048"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(
        contains(line_starting(r.out, "node-03 "), "repair   configured in OVSDB but the certificate file is missing"));
    CHECK(contains(line_starting(r.out, "node-01 "), "skip"));
    auto now = sim_state(server);
    CHECK(SimNode(now, "node-03").steps("refresh") == 0);
    CHECK(SimNode(now, "node-03").steps("reload-ike") == 1); // same paths: OVSDB did not change
    CHECK(SimNode(now, "node-01").steps("keygen") == 1);
    check_enrolled(now, testsupport::stored_ca(server).cert);

    r = run_plugin(server, {"status", "-o", "json"});
    const auto status = json::parse(r.out); // named: a range-for over a temporary's member dangles
    for (const auto& node : status["nodes"]) {
      CHECK(node["certificate"]["state"] == "ok");
      CHECK(node["certificate"]["fromCurrentCa"] == true);
    }

    // Only the CA file lost: OVSDB already names it, so once it is written again strongSwan must
    // be told to reread it (it was not, before).
    const int rereads = SimNode(now, "node-02").steps("reread-ca");
    std::filesystem::remove(now["init"]["nodes"]["node-02"]["ipsecDir"].get<std::string>() + "/cacerts/cacert.pem");
    r = init(server);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(line_starting(r.out, "node-02 "), "configure   the CA file is missing"));
    now = sim_state(server);
    CHECK(SimNode(now, "node-02").steps("reread-ca") == rereads + 1);
    CHECK(SimNode(now, "node-02").steps("refresh") == 0);
    CHECK(SimNode(now, "node-02").steps("reload-ike") == 0); // the certificate did not change
    CHECK(SimNode(now, "node-02").steps("keygen") == 1);
    check_enrolled(now, testsupport::stored_ca(server).cert);
  }

  TEST_CASE(
      "sim init: killed half-way, or a node hanging past --timeout: the re-run finishes with the same CA and keys")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // node-03 hangs while its certificate is being installed (its new key made, not yet in
    // place); the plugin is killed there, after node-01 and node-02 are done.
    auto& server = sim(3, "ovs-ovn", {{"hangInitStep", {{"node-03", "install-cert"}}}});
    testsupport::PluginProcess plugin(server, {"init", "--key-bits", "2048", "--timeout", "3m"});
    json now;
    bool reached = false;
    for (int i = 0; i < 1200 && !reached; ++i) {
      now = sim_state(server);
      // A step is counted when its exec arrives; a node is done once its configure has also
      // written OVSDB (under load the stub's shell runs well after the count).
      const auto configured = [&now](const char* name) {
        const SimNode node(now, name);
        return node.steps("configure") == 1 && node.other_config("ca_cert") == SimNode::ca_path();
      };
      reached = configured("node-01") && configured("node-02") && SimNode(now, "node-03").steps("install-cert") == 1;
      if (!reached) {
        REQUIRE(plugin.running());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    REQUIRE_MESSAGE(reached,
                    "within 120 s, node-01 and node-02 configured and node-03 hanging in install-cert: " << now.dump());
    REQUIRE(plugin.running());
    plugin.kill();
    const std::string ca = testsupport::stored_ca(server).cert;
    REQUIRE_FALSE(ca.empty());
    now = sim_state(server);
    const SimNode done(now, "node-01");
    const SimNode cut(now, "node-03");
    REQUIRE_FALSE(done.file(done.cert_path()).empty());
    const std::string done_key = done.file(done.key_path());
    CHECK(cut.file(cut.cert_path()).empty());
    CHECK(cut.mode(cut.key_path() + ".new") == 0600); // made, never installed

    sim_tell(server, {{"hangInitStep", json::object()}});
    const size_t before = log_size(server);
    auto r = init(server, {"--key-bits", "2048"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "(existing)"));
    CHECK(contains(line_starting(r.out, "node-03 "), "enroll"));
    CHECK(contains(line_starting(r.out, "node-02 "), "skip"));
    CHECK(testsupport::secret_writes(testsupport::requests_since(server, before)) == 0);
    now = sim_state(server);
    CHECK(testsupport::stored_ca(server).cert == ca);
    CHECK(done.file(done.key_path()) == done_key);
    CHECK(SimNode(now, "node-01").steps("keygen") == 1);
    check_enrolled(now, ca);

    // A pod whose execs never answer (an existing fault knob): each command gives up after
    // --timeout, the node is named, the others are untouched; clearing the fault repairs it.
    std::string hung_pod;
    for (const auto& [pod, node] : testsupport::pod_nodes(server)) {
      hung_pod = pod.rfind("ovs-ovn-", 0) == 0 && node == "node-02" ? pod : hung_pod;
    }
    server.control("POST", "/_test/faults", json{{"hangExecPods", json::array({hung_pod})}}.dump());
    sim_tell(server, {{"wipeIpsecFiles", {"node-02"}}});
    r = run_plugin(server, {"init", "--key-bits", "2048", "--timeout", "1s"}, "admin", 600000);
    CHECK(r.exit_code == 1);
    CHECK(contains(line_starting(r.out, "node-02 "), "failed: "));
    CHECK(contains(line_starting(r.out, "node-02 "), hung_pod));
    CHECK(contains(r.out, "3 node(s): 2 ok, 1 failed"));
    server.control("POST", "/_test/faults", R"({"hangExecPods":null})");
    r = init(server, {"--key-bits", "2048"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(line_starting(r.out, "node-02 "), "repair"));
    now = sim_state(server);
    CHECK(testsupport::stored_ca(server).cert == ca);
    check_enrolled(now, ca);
    check_secrets_kept(server, now, r.out + r.err);
  }

  TEST_CASE("sim init: 50 nodes enrolled, at most --concurrency (20) execs at once; status shows every certificate ok")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim(50, "ovs-ovn");
    server.control("POST", "/_test/execs");
    const auto start = std::chrono::steady_clock::now();
    auto r = init(server, {"--key-bits", "2048", "--concurrency", "20"});
    const double took = seconds_since(start);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "50 node(s): 50 ok, 0 failed\n"));
    const auto now = sim_state(server);
    // The plugin's own bound, counted as open exec sessions at the server. The server runs at
    // most 8 node shells at once (sim_init.js protects the test machine) and holds the other
    // sessions open meanwhile, so a plugin that keeps its bound of 20 reaches more than 8.
    const int peak = server.control("GET", "/_test/execs")["peak"].get<int>();
    CHECK(peak <= 20);
    CHECK(peak > 8);
    CHECK(total_steps(now, "keygen") == 50);
    check_enrolled(now, testsupport::stored_ca(server).cert);
    check_secrets_kept(server, now, r.out + r.err);

    r = run_plugin(server, {"status", "-o", "json"});
    const auto doc = json::parse(r.out);
    REQUIRE(doc["nodes"].size() == 50);
    for (const auto& node : doc["nodes"]) {
      CHECK(node["certificate"]["state"] == "ok");
    }
    MESSAGE("init on 50 simulated nodes (2048-bit keys): " << took << " s");
  }

  // The measured note of issue 5; slow (50 x 3072-bit keys twice), so run on request:
  //   ko_ipsec_tests -ts='integration*' -tc='sim init timing*' --no-skip
  TEST_CASE("sim init timing: 3 and 50 nodes, exec latency 0 and 50 ms, first run and re-run" * doctest::skip())
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const int nodes : {3, 50}) {
      for (const int latency : {0, 50}) {
        auto& server = sim(nodes, "ovs-ovn", {{"execLatencyMs", latency}});
        auto start = std::chrono::steady_clock::now();
        auto r = init(server);
        const double first = seconds_since(start);
        REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
        start = std::chrono::steady_clock::now();
        r = init(server);
        const double again = seconds_since(start);
        REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
        CHECK(total_steps(sim_state(server), "keygen") == nodes);
        MESSAGE("init, " << nodes << " nodes, execLatencyMs " << latency << ", 3072-bit keys: first run " << first
                         << " s, re-run " << again << " s");
      }
    }
  }
}
