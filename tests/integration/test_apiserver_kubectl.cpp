// The real kubectl against tests/apiserver/server.js: proves the test API server is faithful
// enough that the plugin's integration tests can trust it (and documents what kubectl does).

#include "support/skip.hpp"
#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using testsupport::RunResult;
using testsupport::TestApiServer;

namespace {

using testsupport::contains;

std::string
kubectl_path()
{
  return testsupport::which("kubectl");
}

// Empty when the server and kubectl can run here; otherwise why not.
std::string
skip_reason(bool need_kubectl = true)
{
  std::string why = testsupport::apiserver_unavailable_reason();
  if (why.empty() && need_kubectl && kubectl_path().empty()) {
    why = "kubectl not found on PATH";
  }
  return why;
}

// kubectl cannot come from Debian 12 (kubernetes-client is 1.20): only its absence is by design.
testsupport::SkipKind
skip_kind(const std::string& why)
{
  return why == "kubectl not found on PATH" ? testsupport::SkipKind::by_design
                                            : testsupport::SkipKind::install_provides;
}

#define KOI_SKIP_UNLESS_READY(...)                                                                                     \
  do {                                                                                                                 \
    const std::string koi_why = skip_reason(__VA_ARGS__);                                                              \
    if (!koi_why.empty() && ::testsupport::skip_test(koi_why, skip_kind(koi_why))) {                                   \
      return;                                                                                                          \
    }                                                                                                                  \
  } while (false)

// One server shared by the read-mostly cases (starting one costs ~0.2 s); cases that inject
// faults or read the request log reset it first.
TestApiServer&
kubectl_server()
{
  static std::unique_ptr<TestApiServer> server;
  if (!server) {
    server = std::make_unique<TestApiServer>();
  }
  return *server;
}

// Runs a kubectl binary with a kubeconfig and a private discovery cache.
class Kubectl {
public:
  Kubectl(const TestApiServer& server, const std::string& user, std::string binary = kubectl_path())
      : m_binary(std::move(binary)), m_kubeconfig(server.write_kubeconfig(user))
  {}

  RunResult operator()(std::vector<std::string> args, const std::string& stdin_text = "") const
  {
    args.insert(args.begin(), m_binary);
    const RunResult r = testsupport::run(
        args, {"KUBECONFIG=" + m_kubeconfig, "KUBECACHEDIR=" + m_cache.path() + "/cache"}, stdin_text, 30000);
    CHECK_FALSE(r.timed_out);
    return r;
  }

private:
  std::string m_binary;
  std::string m_kubeconfig;
  testsupport::TempDir m_cache;
};

// Exec entries of the request log whose pod is `pod`.
std::vector<nlohmann::json>
exec_entries(const TestApiServer& server, const std::string& pod)
{
  std::vector<nlohmann::json> out;
  for (const auto& e : server.control("GET", "/_test/requests")) {
    if (e.contains("exec") && e["exec"].value("pod", "") == pod) {
      out.push_back(e);
    }
  }
  return out;
}

const char* const k_ovs_pod = "ovs-ovn-x7k2p";
const char* const k_chassis_id = "8aebd9df-46ef-47b9-85e3-73e9a765296d";

} // namespace

TEST_SUITE("integration")
{

  TEST_CASE("kubectl get pods: names, label and field selectors, wide table")
  {
    KOI_SKIP_UNLESS_READY();
    const Kubectl kubectl(kubectl_server(), "admin");

    RunResult r = kubectl({"get", "pods", "-n", "kube-system"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    for (const char* name : {"ovn-central-7b6d9c8f5-h2xkq", "ovs-ovn-x7k2p", "ovs-ovn-4mfzt", "ovs-ovn-b9wqd",
                             "kube-ovn-cni-6gq2n", "kube-ovn-cni-r8tjl", "kube-ovn-cni-zk5vh"}) {
      CHECK_MESSAGE(contains(r.out, name), name);
    }
    CHECK(contains(r.out, "NAME"));
    CHECK(contains(r.out, "Running"));
    CHECK_FALSE(contains(r.out, "busybox"));

    r = kubectl({"get", "pods", "-n", "kube-system", "-l", "app=ovs", "-o", "name"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "pod/ovs-ovn-4mfzt\npod/ovs-ovn-b9wqd\npod/ovs-ovn-x7k2p\n");

    r = kubectl({"get", "pods", "-A", "--field-selector", "spec.nodeName=kube-ovn-worker", "-o", "name"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "pod/busybox\npod/kube-ovn-cni-r8tjl\npod/ovs-ovn-4mfzt\n");

    r = kubectl({"get", "pods", "-n", "kube-system", "-o", "wide", "-l", "app=ovn-central"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "NODE"));
    CHECK(contains(r.out, "172.18.0.2"));
    CHECK(contains(r.out, "kube-ovn-control-plane"));

    r = kubectl({"get", "pods", "-n", "kube-system", "-l", "app=nothing"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "No resources found in kube-system namespace."));

    r = kubectl({"get", "pod", "nope", "-n", "kube-system"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Error from server (NotFound): pods \"nope\" not found"));
  }

  TEST_CASE("kubectl exec: canned output, exit codes 0/1/3, request log has argv and v5")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");
    const Kubectl kubectl(server, "admin");

    RunResult r = kubectl({"exec", "-n", "kube-system", k_ovs_pod, "--", "ovs-vsctl", "get", "Open_vSwitch", ".",
                           "external_ids:system-id"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "\"" + std::string(k_chassis_id) + "\"\n");

    r = kubectl({"exec", "busybox", "-c", "a", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(r.exit_code == 3);
    CHECK(r.out == "out\n");
    CHECK(contains(r.err, "err\n"));
    CHECK(contains(r.err, "command terminated with exit code 3"));

    r = kubectl({"exec", "busybox", "-c", "a", "--", "sh", "-c", "exit 1"});
    CHECK(r.exit_code == 1);

    r = kubectl({"exec", "busybox", "-c", "b", "--", "true"});
    CHECK(r.exit_code == 0);

    const auto ovs = exec_entries(server, k_ovs_pod);
    REQUIRE(ovs.size() == 1);
    CHECK(ovs[0]["method"] == "GET");
    CHECK(ovs[0]["code"] == 101);
    CHECK(ovs[0]["subprotocolsOffered"] == nlohmann::json::array({"v5.channel.k8s.io"}));
    CHECK(ovs[0]["subprotocol"] == "v5.channel.k8s.io");
    CHECK(ovs[0]["exec"]["container"] == "openvswitch");
    CHECK(ovs[0]["exec"]["argv"] ==
          nlohmann::json::array({"ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"}));
    CHECK(ovs[0]["exec"]["exitCode"] == 0);
    const auto busybox = exec_entries(server, "busybox");
    REQUIRE(busybox.size() == 3);
    CHECK(busybox[0]["exec"]["exitCode"] == 3);
    CHECK(busybox[1]["exec"]["exitCode"] == 1);
    CHECK(busybox[2]["exec"]["container"] == "b");

    r = kubectl({"exec", "busybox", "-c", "a", "--", "no-such-command-koi"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "error: Internal error occurred: error executing command in container"));
    CHECK(contains(r.err, "\"no-such-command-koi\": executable file not found in $PATH"));
  }

  TEST_CASE("kubectl exec -i: stdin round-trips and the v5 stdin close arrives")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");
    const Kubectl kubectl(server, "admin");

    const std::string input = "line1\nline2\n";
    const RunResult r = kubectl({"exec", "-i", "busybox", "-c", "a", "--", "cat"}, input);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == input);
    const auto log = exec_entries(server, "busybox");
    REQUIRE(log.size() == 1);
    CHECK(log[0]["exec"]["stdin"] == true);
    CHECK(log[0]["exec"]["stdinBytes"] == input.size());
    CHECK(log[0]["exec"]["stdinText"] == input);
    CHECK(log[0]["exec"]["stdinClosed"] == true);
  }

  TEST_CASE("two-container pod: kubectl picks a default, the server wants a valid container")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    const Kubectl kubectl(server, "admin");

    // kubectl 1.32 defaults the container client-side, so the server's 400 never shows here.
    RunResult r = kubectl({"exec", "busybox", "--", "true"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "Defaulted container \"a\" out of: a, b"));

    r = kubectl({"exec", "busybox", "-c", "c9", "--", "true"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Error from server (BadRequest): container c9 is not valid for pod busybox"));

    // A client that leaves `container` out (as the plugin might) gets the real server's 400.
    httplib::SSLClient client("127.0.0.1", server.port());
    client.set_ca_cert_path((server.pki_dir() + "/ca.crt").c_str());
    client.enable_server_certificate_verification(true);
    client.set_bearer_token_auth(server.token("admin"));
    const auto res = client.Get("/api/v1/namespaces/default/pods/busybox/exec?command=true&stdout=true");
    REQUIRE(res);
    CHECK(res->status == 400);
    const auto status = nlohmann::json::parse(res->body);
    CHECK(status["kind"] == "Status");
    CHECK(status["reason"] == "BadRequest");
    CHECK(status["message"] == "a container name must be specified for pod busybox, choose one of: [a b]");
  }

  TEST_CASE("viewer: can list, gets RBAC Forbidden on exec (also when impersonated)")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");
    const Kubectl viewer(server, "viewer");

    RunResult r = viewer({"get", "pods", "-n", "kube-system", "-o", "name"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "pod/ovs-ovn-x7k2p"));

    // The WebSocket GET is refused (verb get); kubectl then falls back to SPDY POST (verb create)
    // and reports that second refusal.
    r = viewer({"exec", "-n", "kube-system", k_ovs_pod, "--", "true"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Error from server (Forbidden): pods \"ovs-ovn-x7k2p\" is forbidden: User \"viewer\" cannot "
                          "create resource \"pods/exec\" in API group \"\" in the namespace \"kube-system\""));
    auto log = exec_entries(server, k_ovs_pod);
    CHECK(log.empty()); // refused before the exec target was even looked at
    const auto all = server.control("GET", "/_test/requests");
    std::vector<std::string> exec_calls;
    for (const auto& e : all) {
      if (e["path"] == "/api/v1/namespaces/kube-system/pods/ovs-ovn-x7k2p/exec") {
        exec_calls.push_back(e["method"].get<std::string>() + " " + std::to_string(e["code"].get<int>()));
      }
    }
    CHECK(exec_calls == std::vector<std::string>{"GET 403", "POST 403"});

    const Kubectl admin(server, "admin");
    server.control("POST", "/_test/reset");
    r = admin({"exec", "--as=viewer", "-n", "kube-system", k_ovs_pod, "--", "true"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "User \"viewer\" cannot create resource \"pods/exec\""));
    for (const auto& e : server.control("GET", "/_test/requests")) {
      CHECK(e["impersonation"]["user"] == "viewer");
      CHECK(e["authenticatedAs"] == "admin");
    }

    r = viewer({"get", "pods", "--as=admin"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "users \"admin\" is forbidden: User \"viewer\" cannot impersonate resource \"users\""));
  }

  TEST_CASE("cert-admin, cert-viewer and basic-admin authenticate; a bad token is Unauthorized")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");

    RunResult r = Kubectl(server, "cert-admin")({"exec", "-n", "kube-system", k_ovs_pod, "--", "ovs-vsctl", "get",
                                                 "Open_vSwitch", ".", "external_ids:system-id"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, k_chassis_id));
    r = Kubectl(server, "basic-admin")({"get", "nodes", "-o", "name"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "node/kube-ovn-control-plane\nnode/kube-ovn-worker\nnode/kube-ovn-worker2\n");
    r = Kubectl(server, "cert-viewer")({"exec", "busybox", "-c", "a", "--", "true"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "User \"cert-viewer\" cannot create resource \"pods/exec\""));

    std::vector<std::string> seen;
    for (const auto& e : server.control("GET", "/_test/requests")) {
      seen.push_back(e["user"].get<std::string>() + "/" + e["authMethod"].get<std::string>());
    }
    CHECK(std::find(seen.begin(), seen.end(), "admin/cert") != seen.end());
    CHECK(std::find(seen.begin(), seen.end(), "basic-admin/basic") != seen.end());
    CHECK(std::find(seen.begin(), seen.end(), "cert-viewer/cert") != seen.end());

    testsupport::TempDir dir;
    const std::string kubeconfig = dir.write(
        "config",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + server.url() +
            "\n    certificate-authority: " + server.pki_dir() +
            "/ca.crt\nusers:\n- name: u\n  user:\n"
            "    token: wrong-token\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n");
    r = testsupport::run({kubectl_path(), "get", "pods"},
                         {"KUBECONFIG=" + kubeconfig, "KUBECACHEDIR=" + dir.path() + "/cache"});
    CHECK(r.exit_code == 1);
    // kubectl 1.32's wording for a 401 Status (older kubectl printed "(Unauthorized)").
    CHECK(contains(r.err, "error: You must be logged in to the server "
                          "(the server has asked for the client to provide credentials)"));
  }

  TEST_CASE("kubectl survives a 429 with Retry-After: 1 by waiting and retrying")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");
    const Kubectl kubectl(server, "admin");
    kubectl({"get", "pods", "-n", "kube-system", "-o", "name"}); // warm discovery outside the timing

    server.control("POST", "/_test/faults",
                   R"({"status429":{"count":1,"retryAfter":1,"pathRegex":"^/api/v1/namespaces/kube-system/pods$"}})");
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = kubectl({"get", "pods", "-n", "kube-system", "-o", "name"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "pod/ovs-ovn-x7k2p"));
    CHECK(elapsed >= std::chrono::milliseconds(900)); // it honoured Retry-After
    std::vector<int> codes;
    for (const auto& e : server.control("GET", "/_test/requests")) {
      if (e["path"] == "/api/v1/namespaces/kube-system/pods") {
        codes.push_back(e["code"].get<int>());
      }
    }
    CHECK(codes == std::vector<int>{200, 429, 200});
    server.control("POST", "/_test/reset");
  }

  TEST_CASE("kubectl --chunk-size: lists page with limit and continue; an expired token is kubectl's 410 Expired")
  {
    KOI_SKIP_UNLESS_READY();
    TestApiServer& server = kubectl_server();
    server.control("POST", "/_test/reset");
    const Kubectl kubectl(server, "admin");
    RunResult r = kubectl({"get", "pods", "-A", "-o", "name", "--chunk-size=2"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(testsupport::count(r.out, "pod/") == 8); // every pod, none twice
    CHECK(r.out == kubectl({"get", "pods", "-A", "-o", "name", "--chunk-size=0"}).out);
    std::vector<std::string> queries;
    for (const auto& e : server.control("GET", "/_test/requests")) {
      if (e["path"] == "/api/v1/pods") {
        queries.push_back(e["query"].get<std::string>());
      }
    }
    REQUIRE(queries.size() == 5); // 4 pages of 2, then the unchunked list
    CHECK(queries[0] == "limit=2");
    for (std::size_t i = 1; i < 4; ++i) {
      CHECK(contains(queries[i], "continue="));
    }

    // Table requests page too, and kubectl reports an expired token as the real server words it.
    server.control("POST", "/_test/faults", R"({"expireContinue":1})");
    r = kubectl({"get", "pods", "-A", "--chunk-size=3"});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.err,
                           "Error from server (Expired): The provided continue parameter is too old to display a "
                           "consistent list result."),
                  r.err);
    server.control("POST", "/_test/reset");
  }

  TEST_CASE("kubectl 1.27 (SPDY only) fails exec with a clear error instead of hanging")
  {
    KOI_SKIP_UNLESS_READY();
    const std::string old_kubectl =
        (std::filesystem::canonical(kubectl_path()).parent_path() / "kubectl.1.27").string();
    if (testsupport::which(old_kubectl).empty()) {
      testsupport::skip_test(old_kubectl + " not found", testsupport::SkipKind::by_design);
      return;
    }
    const Kubectl kubectl(kubectl_server(), "admin", old_kubectl);
    RunResult r = kubectl({"get", "pods", "-o", "name"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "pod/busybox"));
    r = kubectl({"exec", "busybox", "-c", "a", "--", "true"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Upgrade request required"));
    CHECK(contains(r.err, "SPDY/3.1"));
  }

  TEST_CASE("bad server certificates are rejected by kubectl with the usual x509 errors")
  {
    KOI_SKIP_UNLESS_READY();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"expired", "certificate has expired or is not yet valid"},
        {"notyet", "certificate has expired or is not yet valid"},
        {"wronghost", "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"},
        {"other-server", "certificate signed by unknown authority"},
    };
    for (const auto& item : cases) {
      const auto& cert = std::get<0>(item);
      const auto& message = std::get<1>(item); // clang 14: no lambda capture of bindings
      CAPTURE(cert);
      testsupport::ApiServerOptions options;
      options.server_cert = cert;
      const TestApiServer server(options);
      const RunResult r = Kubectl(server, "admin")({"get", "pods"});
      CHECK(r.exit_code == 1);
      CHECK_MESSAGE(contains(r.err, message), r.err);
      CHECK(server.control("GET", "/_test/requests").empty()); // TLS failed: no request reached the API
    }
  }

} // TEST_SUITE("integration")

TEST_SUITE("integration-harness")
{

  TEST_CASE("run(): exit codes, stdin, env, missing binaries and timeouts")
  {
    RunResult r = testsupport::run({"sh", "-c", "cat; echo \"$KOI_X\" >&2; exit 7"}, {"KOI_X=hello"}, "in\n");
    CHECK(r.exit_code == 7);
    CHECK(r.out == "in\n");
    CHECK(r.err == "hello\n");
    CHECK_FALSE(r.timed_out);

    r = testsupport::run({"no-such-binary-koi"});
    CHECK(r.exit_code == 127);
    CHECK(contains(r.err, "not found on PATH"));

    const auto start = std::chrono::steady_clock::now();
    r = testsupport::run({"sleep", "10"}, {}, "", 200);
    CHECK(r.timed_out);
    CHECK(r.exit_code == 128 + 9);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

    CHECK(testsupport::which("sh").find("/sh") != std::string::npos);
    CHECK(testsupport::which("no-such-binary-koi").empty());
  }

  TEST_CASE("TempDir writes files with modes and removes itself")
  {
    std::string root;
    {
      testsupport::TempDir dir;
      root = dir.path();
      const std::string file = dir.write("a/b.txt", "x", 0600);
      CHECK(file == root + "/a/b.txt");
      CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
            (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    }
    CHECK_FALSE(std::filesystem::exists(root));
  }

  TEST_CASE("TestApiServer: control API, fault knobs, extra cluster JSON, tokens")
  {
    KOI_SKIP_UNLESS_READY(false);
    testsupport::ApiServerOptions options;
    options.extra_cluster_json = R"({"faults":{"latencyMs":1},"version":{"minor":"31"}})";
    const TestApiServer server(options);
    CHECK(server.port() > 0);
    CHECK(server.url() == "https://127.0.0.1:" + std::to_string(server.port()));
    CHECK(server.token("viewer") == "koi-viewer-token-0123456789abcdef");
    CHECK_THROWS(server.token("nobody"));
    CHECK_THROWS(server.write_kubeconfig("nobody"));
    CHECK(server.control("GET", "/_test/faults") == nlohmann::json::parse(R"({"latencyMs":1})"));
    CHECK(server.control("POST", "/_test/faults", R"({"execFailPods":["busybox"],"latencyMs":null})") ==
          nlohmann::json::parse(R"({"execFailPods":["busybox"]})"));
    CHECK_THROWS_WITH_AS(server.control("POST", "/_test/faults", R"({"bogus":1})"),
                         doctest::Contains("HTTP 400: /_test/faults: unknown fault knob \"bogus\""),
                         std::runtime_error);
    server.control("POST", "/_test/reset");
    CHECK(server.control("GET", "/_test/faults").empty());

    httplib::SSLClient client("127.0.0.1", server.port());
    client.enable_server_certificate_verification(false);
    auto res = client.Get("/version");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(nlohmann::json::parse(res->body)["reason"] == "Unauthorized");
    client.set_bearer_token_auth(server.token("admin"));
    res = client.Get("/version");
    REQUIRE(res);
    CHECK(nlohmann::json::parse(res->body)["minor"] == "31");

    testsupport::ApiServerOptions broken;
    broken.extra_cluster_json = R"({"pods":[{"name":"p","containers":[]}]})";
    CHECK_THROWS_WITH_AS(TestApiServer{broken}, doctest::Contains("needs at least one container"), std::runtime_error);
  }

} // TEST_SUITE("integration-harness")
