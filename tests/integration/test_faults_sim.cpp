// Failing clusters, end to end: the test API server's fault knobs (README "Faults") on a
// simulated 4-node Kube-OVN cluster. Whatever breaks — a connection reset mid-stream, a pod
// that never answers, 5xx or 429 from the API server, a leader that vanishes after the write —
// the plugin names what and where in one line, prints every other node's result, exits
// non-zero, and never claims a change it did not read back.
#include "kube/kubeconfig.hpp"
#include "support/clock.hpp"
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>

using nlohmann::json;
using testsupport::contains;
using testsupport::count;
using testsupport::exec_requests;
using testsupport::line_starting;
using testsupport::run_plugin;
using testsupport::TestApiServer;

namespace {

// The 4-node cluster with IPsec on (started once, reset for every use), plus `faults`.
TestApiServer&
cluster(const json& faults = json::object())
{
  static std::unique_ptr<TestApiServer> server;
  if (!server) {
    server = std::make_unique<TestApiServer>(testsupport::ApiServerOptions{
        "sim-3.json", "server", R"({"simulate":{"nodes":4,"layout":"ovs-ovn","ipsec":true}})"});
  }
  server->control("POST", "/_test/reset");
  if (!faults.empty()) {
    server->control("POST", "/_test/faults", faults.dump());
  }
  return *server;
}

// node name -> its ovs-ovn pod, from the plugin's own `nodes -o json`.
std::map<std::string, std::string>
pods(TestApiServer& server)
{
  const auto r = run_plugin(server, {"nodes", "-o", "json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::map<std::string, std::string> out;
  const json doc = json::parse(r.out);
  for (const auto& node : doc["nodes"]) {
    out[node["node"]] = node["pod"];
  }
  REQUIRE(out.size() == 4);
  return out;
}

using testsupport::seconds_since;

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("faults: a connection reset mid-stream fails that node only; tunnels and status exit 1")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    const auto pod = pods(server)["node-02"];
    cluster({{"resetExecAfterBytes", 600}, {"resetExecPods", json::array({pod})}});

    auto r = run_plugin(server, {"tunnels"});
    CHECK(r.exit_code == 1);
    const std::string row = line_starting(r.out, "node-02 ");
    CHECK(contains(row, "ERROR"));
    CHECK(contains(r.out + r.err, pod));                             // where: the pod is named
    CHECK(count(r.out, "CONFIGURED") == 3 * 3);                      // node-01, -03, -04: a tunnel to each other node
    CHECK_FALSE(line_starting(r.out, "node-01   node-02 ").empty()); // the failed node is still named as a peer
    CHECK_FALSE(contains(r.err, "terminate called"));

    r = run_plugin(server, {"status"});
    CHECK(r.exit_code == 1);
    CHECK(contains(line_starting(r.out, "node-02 "), "failed"));
    for (const char* other : {"node-01 ", "node-03 ", "node-04 "}) {
      CAPTURE(other);
      CHECK(contains(line_starting(r.out, other), "3/3"));
    }
  }

  TEST_CASE("faults: a pod that never answers: --timeout is honoured, the others print, exit 1")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    const auto pod = pods(server)["node-03"];
    cluster({{"hangExecPods", json::array({pod})}});

    auto start = std::chrono::steady_clock::now();
    auto r = run_plugin(server, {"tunnels", "--timeout", "2s"});
    const double took = seconds_since(start);
    CHECK(r.exit_code == 1);
    CHECK(took >= 2.0);
    CHECK(took < 15.0); // the deadline, not a hang
    const std::string row = line_starting(r.out, "node-03 ");
    CHECK(contains(row, "ERROR"));
    CHECK(contains(r.out, "timed out after 2s"));
    CHECK(count(r.out, "CONFIGURED") == 3 * 3);

    start = std::chrono::steady_clock::now();
    r = run_plugin(server, {"status", "--timeout", "2s"});
    CHECK(r.exit_code == 1);
    CHECK(seconds_since(start) < 15.0);
    CHECK(contains(line_starting(r.out, "node-03 "), "failed"));
    CHECK(contains(line_starting(r.out, "node-01 "), "3/3"));

    // on --wait with one node silent: the deadline names it, nothing else is claimed; each
    // poll's execs get only what is left of --timeout, so the command ends near it.
    run_plugin(server, {"off"});
    start = std::chrono::steady_clock::now();
    r = run_plugin(server, {"on", "--wait", "--timeout", "4s"});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(seconds_since(start) < 10.0, seconds_since(start));
    CHECK(contains(r.out + r.err, "node-03"));
    CHECK(contains(r.err, "timed out after 4s"));
  }

  TEST_CASE("faults: --request-timeout bounds each exec's silence: a hung pod costs seconds, not --timeout")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    const auto pod = pods(server)["node-03"];
    cluster({{"hangExecPods", json::array({pod})}});

    const auto start = std::chrono::steady_clock::now();
    const auto r = run_plugin(server, {"tunnels", "--request-timeout", "2s"}); // --timeout stays 20s
    const double took = seconds_since(start);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(took < 10.0, took); // was 20 s: the exec's whole --timeout
    CHECK(took >= 2.0);
    CHECK(contains(line_starting(r.out, "node-03 "), "ERROR"));
    CHECK_MESSAGE(contains(r.out + r.err,
                           "exec in kube-system/" + pod + ": no data from the API server for 2s (--request-timeout)"),
                  r.out << r.err);
    CHECK(count(r.out, "CONFIGURED") == 3 * 3); // every other node's rows
  }

  TEST_CASE("faults: on --wait --timeout with a hung NB leader ends at its --timeout, saying what it waited for")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    server.control("POST", "/_test/sim", R"({"ipsec":false})");
    const std::string leader = server.control("GET", "/_test/sim")["leader"];
    server.control("POST", "/_test/faults", json{{"hangExecPods", json::array({leader})}}.dump());

    const auto start = std::chrono::steady_clock::now();
    const auto r = run_plugin(server, {"on", "--wait", "--timeout", "4s"});
    const double took = seconds_since(start);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(took < 9.0, took); // was 40 s: two 20 s attempts on the leader
    CHECK(took >= 3.5);
    CHECK_FALSE(contains(r.out, "IPsec turned on"));
    CHECK_MESSAGE(r.err == "error: timed out after 4s (--timeout) waiting for NB_Global.ipsec=true to be set through "
                           "kube-system/" +
                               leader + "\n",
                  r.err);
  }

  TEST_CASE("faults: on --timeout bounds its REST requests too: an API server that never answers costs --timeout")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    server.control("POST", "/_test/faults", R"({"latencyMs":30000})");
    const auto start = std::chrono::steady_clock::now();
    const auto r = run_plugin(server, {"on", "--timeout", "3s"});
    const double took = seconds_since(start);
    server.control("POST", "/_test/faults", R"({"latencyMs":null})");
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(took < 8.0, took); // no --request-timeout: before, 30 s per request
    CHECK_MESSAGE(contains(r.err, "error: GET " + server.url() + "/api/v1/namespaces/kube-system/pods?labelSelector="),
                  r.err);
    CHECK_MESSAGE(contains(r.err, "&limit=500: no answer before the command's --timeout ran out\n"), r.err);
    CHECK(count(r.err, "\n") == 1);
  }

  TEST_CASE("faults: a hanging exec credential plugin ends at what is left of --timeout or at --request-timeout")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    // The admin kubeconfig with its token replaced by a plugin that never answers.
    testsupport::TempDir dir;
    const std::string plugin = dir.write("hang.sh", "#!/bin/sh\nsleep 30\n", 0755);
    std::string text = kube::read_file_text(server.write_kubeconfig("admin"));
    const std::string token_line = "    token: \"" + server.token("admin") + "\"\n";
    const std::size_t at = text.find(token_line);
    REQUIRE(at != std::string::npos);
    text.replace(at, token_line.size(),
                 "    exec: {apiVersion: client.authentication.k8s.io/v1, command: " + plugin +
                     ", interactiveMode: Never}\n");
    const std::string kubeconfig = dir.write("hang.yaml", text, 0600);
    const auto run = [&](std::vector<std::string> args) {
      args.insert(args.begin(), KOI_PLUGIN_BINARY);
      return testsupport::run(args, {"KUBECONFIG=" + kubeconfig, "KUBE_OVN_NS="}, "", 60000);
    };
    const std::string prefix = "error: getting credentials: exec: executable " + plugin + " timed out after ";

    auto start = std::chrono::steady_clock::now();
    auto r = run({"on", "--timeout", "2s"});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(seconds_since(start) < 8.0, seconds_since(start)); // was 2 minutes, then "not valid JSON"
    CHECK_MESSAGE(r.err.rfind(prefix, 0) == 0, r.err);
    CHECK_MESSAGE(contains(r.err, " (what was left of --timeout) and was killed\n"), r.err);
    CHECK(count(r.err, "\n") == 1);

    start = std::chrono::steady_clock::now();
    r = run({"nodes", "--request-timeout", "1s"});
    CHECK(r.exit_code == 1);
    CHECK(seconds_since(start) < 8.0);
    CHECK_MESSAGE(r.err == prefix + "1s (--request-timeout) and was killed\n", r.err);
  }

  TEST_CASE("faults: --request-timeout bounds a whole REST request, even from a server dripping its body")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // A pod list whose body comes one byte every 300 ms: no single read waits long enough for a
    // per-read timeout, so only a deadline for the whole request ends it.
    auto& server = cluster({{"dripBody", {{"intervalMs", 300}, {"pathRegex", "/pods$"}}}});
    const auto started = std::chrono::steady_clock::now();
    const auto r = run_plugin(server, {"nodes", "--request-timeout", "2s"});
    const auto took = seconds_since(started);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(took < 8.0, took);
    CHECK_MESSAGE(contains(r.err, "timed out"), r.err);
  }

  TEST_CASE("faults: exec upgrades answered 500/503 fail that node with the API's reason; the others print")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    const auto pod = pods(server)["node-04"];
    const std::string exec_path = "/api/v1/namespaces/kube-system/pods/" + pod + "/exec";
    for (const int code : {500, 503}) {
      CAPTURE(code);
      cluster({{"status500", {{"count", 100}, {"code", code}, {"retryAfter", 0}, {"pathRegex", "^" + exec_path}}}});
      const auto r = run_plugin(server, {"tunnels"});
      CHECK(r.exit_code == 1);
      const std::string row = line_starting(r.out, "node-04 ");
      CHECK(contains(row, "ERROR"));
      CHECK(contains(r.out, code == 500 ? "injected fault" : "ServiceUnavailable"));
      CHECK(count(r.out, "CONFIGURED") == 3 * 3);
      CHECK(count(r.out + r.err, "terminate called") == 0);
    }
  }

  TEST_CASE("faults: a 429 storm and 5xx on the pod list are retried; the command then succeeds")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster(
        {{"status429", {{"count", 3}, {"retryAfter", 1}, {"pathRegex", "^/api/v1/(namespaces/[^/]+/)?pods$"}}}});
    auto start = std::chrono::steady_clock::now();
    auto r = run_plugin(server, {"tunnels"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(seconds_since(start) >= 3.0); // Retry-After: 1 honoured three times
    CHECK(count(r.out, "CONFIGURED") == 4 * 3);

    cluster({{"status500",
              {{"count", 2}, {"code", 503}, {"retryAfter", 0}, {"pathRegex", "^/api/v1/(namespaces/[^/]+/)?pods$"}}}});
    r = run_plugin(server, {"status"});
    CHECK_MESSAGE(r.exit_code == 1, r.err); // on, but no SAs in this cluster: 1, not an API error
    for (const char* node : {"node-01 ", "node-02 ", "node-03 ", "node-04 "}) {
      CAPTURE(node);
      CHECK(contains(line_starting(r.out, node), "no SAs"));
    }

    // A storm longer than the retries: one clear line naming the API's answer, nothing else printed.
    cluster({{"status429", {{"count", 1000}, {"retryAfter", 0}, {"pathRegex", "^/api/v1/(namespaces/[^/]+/)?pods$"}}}});
    r = run_plugin(server, {"tunnels", "--request-timeout", "5s"});
    CHECK(r.exit_code != 0);
    CHECK(r.out.empty());
    CHECK(count(r.err, "\n") == 1);
    const bool names_throttling = contains(r.err, "429") || contains(r.err, "TooManyRequests");
    CHECK(names_throttling);
  }

  TEST_CASE("faults: on/off never report success without the read-back")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = cluster();
    server.control("POST", "/_test/sim", R"({"ipsec":false})");

    // The set lands, then the leader disappears for longer than the plugin waits: no read-back.
    server.control("POST", "/_test/sim", R"({"moveLeaderOnNextSet":{"mode":"applied","gapMs":60000}})");
    auto r = run_plugin(server, {"on", "--request-timeout", "10s"});
    CHECK(r.exit_code != 0);
    CHECK_FALSE(contains(r.out, "IPsec turned on"));
    CHECK(contains(r.err, "leader"));
    CHECK(count(r.err, "\n") == 1);

    // The set commits, then the NB database answers no one, so the read-back fails: the
    // change happened, but the plugin cannot prove it and must not claim it.
    server.control("POST", "/_test/reset");
    server.control("POST", "/_test/sim", R"({"ipsec":true,"breakNbAfterSet":true})");
    r = run_plugin(server, {"off", "--request-timeout", "10s"});
    CHECK(r.exit_code != 0);
    CHECK_FALSE(contains(r.out, "IPsec turned off"));
    CHECK(contains(r.err, "database connection failed"));
    auto state = server.control("GET", "/_test/sim");
    CHECK(state["sets"] == 1); // the set did land before the read-back failed
    CHECK(state["ipsec"] == false);
    CHECK(state["nbBroken"] == true);

    // The leader's exec itself fails from the start: nothing is changed, nothing claimed.
    server.control("POST", "/_test/reset");
    const auto centrals = server.control("GET", "/_test/sim")["centrals"];
    server.control(
        "POST", "/_test/faults",
        json{{"status500",
              {{"count", 1000},
               {"code", 500},
               {"retryAfter", 0},
               {"pathRegex", "^/api/v1/namespaces/kube-system/pods/" + centrals[0].get<std::string>() + "/exec"}}}}
            .dump());
    r = run_plugin(server, {"off", "--request-timeout", "10s"});
    CHECK(r.exit_code != 0);
    CHECK_FALSE(contains(r.out, "IPsec turned off"));
    CHECK(server.control("GET", "/_test/sim")["ipsec"] == true); // nothing was changed
  }
}
