// The real Cluster (REST over cpp-httplib, exec over our WebSocket client) against the test
// API server: every auth kind, selectors, secrets, fault knobs, retries and TLS refusals.
#include "kube/cluster.hpp"
#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"
#include "support/test_apiserver.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <sys/stat.h>

using namespace std::chrono_literals;
using testsupport::TestApiServer;

namespace {

kube::Environment
no_env()
{
  kube::Environment env;
  env.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  env.service_account_dir = "/nonexistent";
  return env;
}

kube::ClientConfig
config_for(const std::string& kubeconfig)
{
  kube::ConfigOverrides overrides;
  overrides.kubeconfig = kubeconfig;
  return kube::load_client_config(overrides, no_env());
}

std::unique_ptr<kube::Cluster>
cluster_for(const TestApiServer& server, const std::string& user, std::chrono::milliseconds timeout = 0ms)
{
  kube::ClusterOptions options;
  options.request_timeout = timeout;
  return kube::make_cluster(config_for(server.write_kubeconfig(user)), options);
}

std::string
error_of(const std::function<void()>& fn)
{
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

using testsupport::contains;

std::vector<std::string>
pod_names(const std::vector<kube::Pod>& pods)
{
  std::vector<std::string> out;
  for (const auto& pod : pods) {
    out.push_back(pod.name);
  }
  return out;
}

// The queries of the server's logged requests for `path`, with their HTTP codes.
std::vector<std::pair<std::string, int>>
logged_queries(const TestApiServer& server, const std::string& path)
{
  std::vector<std::pair<std::string, int>> out;
  for (const auto& entry : server.control("GET", "/_test/requests")) {
    if (entry.value("path", "") == path) {
      out.emplace_back(entry.value("query", ""), entry["code"].is_number() ? entry["code"].get<int>() : 0);
    }
  }
  return out;
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("real cluster: every auth kind lists pods with label and field selectors")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    for (const std::string user : {"admin", "cert-admin", "basic-admin", "viewer", "cert-viewer"}) {
      CAPTURE(user);
      auto cluster = cluster_for(server, user);
      const auto ovs = cluster->list_pods("kube-system", "app=ovs", "");
      CHECK(ovs.size() == 3);
      const auto one = cluster->list_pods("kube-system", "app=ovs", "spec.nodeName=kube-ovn-worker");
      REQUIRE(one.size() == 1);
      CHECK(one[0].node == "kube-ovn-worker");
      CHECK(one[0].ready);
      CHECK(one[0].phase == "Running");
      CHECK(one[0].containers.at(0).name == "openvswitch");
      CHECK(cluster->list_pods("kube-system", "app=nothing", "").empty());
    }
    const auto log = server.control("GET", "/_test/requests");
    bool saw_selector = false;
    for (const auto& entry : log) {
      saw_selector =
          saw_selector || contains(entry.value("query", ""), "fieldSelector=spec.nodeName%3Dkube-ovn-worker");
    }
    CHECK(saw_selector);
  }

  TEST_CASE("real cluster: an exec credential plugin supplies the token")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    testsupport::TempDir dir;
    const std::string plugin = dir.write(
        "cred.sh",
        fmt::format("#!/bin/sh\necho run >> {}/runs\ncat <<JSON\n{{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                    "\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}\nJSON\n",
                    dir.path(), server.token("admin")),
        0755);
    const std::string kubeconfig = dir.write("config", fmt::format(R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {{server: "{}", certificate-authority: "{}/ca.crt"}}
users:
- name: u
  user:
    exec: {{apiVersion: client.authentication.k8s.io/v1, command: ./cred.sh, interactiveMode: Never}}
contexts:
- name: x
  context: {{cluster: c, user: u}}
current-context: x
)",
                                                                   server.url(), server.pki_dir()));
    auto cluster = kube::make_cluster(config_for(kubeconfig), {});
    CHECK(cluster->list_pods("kube-system", "app=ovs", "").size() == 3);
    CHECK(cluster->exec({"default", "busybox", "a", {"sh", "-c", "echo hi"}, std::nullopt, 10s, {}}).out == "hi\n");
    std::ifstream runs(dir.path() + "/runs");
    std::string all((std::istreambuf_iterator<char>(runs)), {});
    CHECK(all == "run\n"); // cached: one run for a list and an exec
  }

  TEST_CASE("real cluster: exec exit codes, stdout/stderr and stdin")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto cluster = cluster_for(server, "admin");
    const auto run = [&](std::vector<std::string> argv, std::optional<std::string> input = std::nullopt) {
      return cluster->exec({"default", "busybox", "a", std::move(argv), std::move(input), 10s, {}});
    };
    CHECK(run({"true"}).exit_code == 0);
    CHECK(run({"false"}).exit_code == 1);
    const auto three = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(three.exit_code == 3);
    CHECK(three.out == "out\n");
    CHECK(three.err == "err\n");
    CHECK(run({"cat"}, std::string("line1\nline2\n")).out == "line1\nline2\n");
  }

  TEST_CASE("real cluster: secrets get, create, update and conflicts")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto admin = cluster_for(server, "admin");
    CHECK_FALSE(admin->get_secret("kube-system", "ovn-ipsec-ca"));
    kube::Secret secret;
    secret.ns = "kube-system";
    secret.name = "ovn-ipsec-ca";
    secret.data = {{"cacert", "-----BEGIN CERTIFICATE-----\nabc\n"}, {"cakey", std::string("\0\x01\xff", 3)}};
    const auto created = admin->create_secret(secret);
    CHECK_FALSE(created.resource_version.empty());
    const auto read = admin->get_secret("kube-system", "ovn-ipsec-ca");
    REQUIRE(read);
    CHECK(read->data == secret.data);
    CHECK(error_of([&] { admin->create_secret(secret); }).find("AlreadyExists") != std::string::npos);

    auto changed = *read;
    changed.data["cacert"] = "new";
    const auto updated = admin->update_secret(changed);
    CHECK(updated.resource_version != read->resource_version);
    const auto stale = error_of([&] { admin->update_secret(changed); });
    CHECK(contains(stale, "Error from server (Conflict)"));
    CHECK(contains(stale, "the object has been modified"));

    auto viewer = cluster_for(server, "viewer");
    const auto denied = error_of([&] { viewer->create_secret(secret); });
    CHECK(contains(denied, "Error from server (Forbidden)"));
    CHECK(contains(denied, "User \"viewer\" cannot create resource \"secrets\""));
  }

  TEST_CASE("real cluster: 429 with Retry-After and 5xx are retried within --request-timeout")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto cluster = cluster_for(server, "admin");

    server.control("POST", "/_test/faults", R"({"status429":{"count":2,"retryAfter":1,"pathRegex":"/pods"}})");
    auto start = std::chrono::steady_clock::now();
    CHECK(cluster->list_pods("kube-system", "app=ovs", "").size() == 3);
    CHECK(std::chrono::steady_clock::now() - start >= 1900ms); // two Retry-After: 1 honoured

    server.control("POST", "/_test/faults", R"({"status500":{"count":2,"pathRegex":"/pods"}})");
    CHECK(cluster->list_pods("kube-system", "app=ovs", "").size() == 3);

    server.control("POST", "/_test/faults", R"({"status500":{"count":100,"pathRegex":"/pods"}})");
    const auto failed = error_of([&] { cluster->list_pods("kube-system", "", ""); });
    CHECK(contains(failed, "InternalError"));
    server.control("POST", "/_test/reset");

    // The deadline wins over a long Retry-After: fail fast with the server's answer.
    auto bounded = cluster_for(server, "admin", 1500ms);
    server.control("POST", "/_test/faults", R"({"status429":{"count":100,"retryAfter":5,"pathRegex":"/pods"}})");
    start = std::chrono::steady_clock::now();
    const auto throttled = error_of([&] { bounded->list_pods("kube-system", "", ""); });
    CHECK(std::chrono::steady_clock::now() - start < 4s); // well under the 5 s Retry-After it was told
    CHECK(contains(throttled, "TooManyRequests"));
  }

  TEST_CASE("real cluster: lists page with limit and continue, following every page the server gives")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto cluster = cluster_for(server, "admin");
    const std::string pods_path = "/api/v1/namespaces/kube-system/pods";
    const auto all = cluster->list_pods("kube-system", "", "");
    REQUIRE(all.size() == 7);

    // A server may return fewer items than asked for; only the continue token says more remain.
    server.control("POST", "/_test/reset");
    server.control("POST", "/_test/faults", R"({"pageSize":2})");
    CHECK(pod_names(cluster->list_pods("kube-system", "", "")) == pod_names(all));
    auto log = logged_queries(server, pods_path);
    REQUIRE(log.size() == 4); // 2 + 2 + 2 + 1
    CHECK(log[0].first == "limit=500");
    for (std::size_t i = 1; i < log.size(); ++i) {
      CHECK(contains(log[i].first, "limit=500&continue="));
    }

    // 1200 filler pods of 8 KiB each: pages of 500, converted and dropped one at a time.
    server.control("POST", "/_test/reset");
    server.control("POST", "/_test/faults", R"({"hugePodList":{"count":1200,"podBytes":8192}})");
    const auto big = cluster->list_pods("kube-system", "app=ovs", "");
    CHECK(big.size() == 3 + 1200);
    log = logged_queries(server, pods_path);
    REQUIRE(log.size() == 3);
    CHECK(log[0].first == "labelSelector=app%3Dovs&limit=500");
    CHECK(contains(log[2].first, "labelSelector=app%3Dovs&limit=500&continue="));

    // CSRs are listed the same way.
    server.control("POST", "/_test/reset");
    CHECK(cluster->list_csrs().empty());
    CHECK(logged_queries(server, "/apis/certificates.k8s.io/v1/certificatesigningrequests").at(0).first == "limit=500");
  }

  TEST_CASE("real cluster: an expired continue token restarts the list once; a second expiry is an error")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto cluster = cluster_for(server, "admin");
    const auto all = cluster->list_pods("kube-system", "", "");
    server.control("POST", "/_test/reset");
    server.control("POST", "/_test/faults", R"({"pageSize":3,"expireContinue":1})");
    CHECK(pod_names(cluster->list_pods("kube-system", "", "")) == pod_names(all)); // no pod twice, none missing
    const auto log = logged_queries(server, "/api/v1/namespaces/kube-system/pods");
    REQUIRE(log.size() == 5); // page 1, 410, page 1 again, 2, 3
    CHECK(log[1].second == 410);
    CHECK(log[2].first == "limit=500");

    server.control("POST", "/_test/reset");
    server.control("POST", "/_test/faults", R"({"pageSize":3,"expireContinue":2})");
    const auto err = error_of([&] { cluster->list_pods("kube-system", "", ""); });
    CHECK_MESSAGE(contains(err, "listing /api/v1/namespaces/kube-system/pods: the server expired the list's continue "
                                "token twice"),
                  err);
    CHECK(contains(err, "too old to display a consistent list result"));
  }

  TEST_CASE("real cluster: a list answer over 64 MiB is refused while it arrives")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    auto cluster = cluster_for(server, "admin");
    // 68 MiB in one answer from a server that ignores `limit`: refused at 64 MiB.
    server.control("POST", "/_test/faults", R"({"ignoreLimit":true,"hugePodList":{"count":136,"podBytes":524288}})");
    const auto start = std::chrono::steady_clock::now();
    const auto err = error_of([&] { cluster->list_pods("kube-system", "", ""); });
    CHECK(err == "response from " + server.url() +
                     "/api/v1/namespaces/kube-system/pods?limit=500 exceeds the limit of 64 MiB");
    CHECK(std::chrono::steady_clock::now() - start < 10s);
    // The refusal ends that request only: the next one works.
    server.control("POST", "/_test/reset");
    CHECK(cluster->list_pods("kube-system", "app=ovs", "").size() == 3);
  }

  TEST_CASE("real cluster: a bad token is reported as not logged in")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    testsupport::TempDir dir;
    const std::string kubeconfig = dir.write("config", fmt::format(R"(apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "{}", certificate-authority: "{}/ca.crt"}}}}]
users: [{{name: u, user: {{token: wrong-token}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
)",
                                                                   server.url(), server.pki_dir()));
    auto cluster = kube::make_cluster(config_for(kubeconfig), {});
    const auto err = error_of([&] { cluster->list_pods("kube-system", "", ""); });
    CHECK(err == "You must be logged in to the server (Unauthorized)");
    CHECK_FALSE(contains(err, "wrong-token"));
  }

  TEST_CASE("real cluster: TLS refusals name the reason")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    const std::vector<std::pair<std::string, std::string>> cases{
        {"expired", "certificate has expired"},
        {"notyet", "certificate is not yet valid"},
        {"wronghost", "not valid for that host name"},
        {"other-server", "unable to get local issuer certificate"},
    };
    for (const auto& item : cases) {
      const auto& cert = std::get<0>(item);
      const auto& reason = std::get<1>(item); // clang 14: no lambda capture of bindings
      CAPTURE(cert);
      TestApiServer server({"small.json", cert, ""});
      auto cluster = cluster_for(server, "admin");
      const auto err = error_of([&] { cluster->list_pods("kube-system", "", ""); });
      CHECK_MESSAGE(contains(err, reason), err);
      CHECK(contains(err, server.url()));
      const auto exec_err = error_of([&] {
        cluster->exec({"default", "busybox", "a", {"true"}, std::nullopt, 5s, {}});
      });
      CHECK_MESSAGE(exec_err != "no error", exec_err);
    }
  }

  TEST_CASE("real cluster: the kubeconfig's CA is the only trust anchor; insecure-skip-tls-verify connects")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server({"small.json", "other-server", ""});
    auto config = config_for(server.write_kubeconfig("admin"));
    config.endpoint.tls.ca_pem.clear(); // system roots do not know the test CA either
    CHECK(
        contains(error_of([&] { kube::make_cluster(config, {})->list_pods("kube-system", "", ""); }), "cannot verify"));
    config.endpoint.tls.insecure_skip_verify = true;
    CHECK(kube::make_cluster(config, {})->list_pods("kube-system", "app=ovs", "").size() == 3);
  }

  TEST_CASE("real cluster: an exec upgrade far slower than the fastest halves the exec limit, unless it is fixed")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    const kube::ExecRequest probe{"default", "busybox", "a", {"true"}, std::nullopt, 20s, {}};
    for (const bool fixed : {false, true}) {
      CAPTURE(fixed);
      server.control("POST", "/_test/faults", R"({"latencyMs":null})");
      std::vector<std::string> notices; // one exec at a time: no lock needed
      kube::ClusterOptions options;
      options.notice = [&](const std::string& line) { notices.push_back(line); };
      if (fixed) {
        options.exec_limit = kube::ExecLimitPolicy::fixed(4);
      }
      auto cluster = kube::make_cluster(config_for(server.write_kubeconfig("admin")), options);
      for (int i = 0; i < 3; ++i) {
        CHECK(cluster->exec(probe).exit_code == 0);
      }
      CHECK(notices.empty());
      // Every request now waits 2.5 s before the server looks at it: the upgrade too.
      server.control("POST", "/_test/faults", R"({"latencyMs":2500})");
      CHECK(cluster->exec(probe).exit_code == 0);
      if (fixed) {
        CHECK(notices.empty());
      } else {
        REQUIRE(notices.size() == 1);
        // 32 grown by the three quick execs, then halved.
        CHECK(notices[0] == "exec concurrency 35 -> 17: the API server answered an exec slowly");
      }
    }
  }
}
