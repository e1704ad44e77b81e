// Exec upgrades behind a throttling proxy or gateway (kube-apiserver's own priority-and-fairness
// filter lets exec, a long-running request, through untracked): a 429 answer to the upgrade is
// retried after its Retry-After, within the exec's deadline, and connections that share a
// kube::SharedTlsContext resume its TLS session. Against tests/apiserver/server.js, whose
// `status429` knob throttles upgrades like any other request.

#include "kube/errors.hpp"
#include "kube/exec_websocket.hpp"
#include "kube/tls_context.hpp"
#include "support/test_apiserver.hpp"
#include "util/parallel.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using testsupport::TestApiServer;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

kube::ExecRequest
echo(const std::string& text, std::chrono::milliseconds timeout = 60s)
{
  kube::ExecRequest request;
  request.ns = "default";
  request.pod = "busybox";
  request.container = "a";
  request.command = {"echo", text};
  request.timeout = timeout;
  return request;
}

// Milliseconds since midnight UTC of a log entry's ISO time ("2026-11-28T00:57:06.123Z").
long long
time_of(const nlohmann::json& entry)
{
  const std::string t = entry["time"];
  const auto clock = t.substr(t.find('T') + 1);
  return std::stoll(clock.substr(0, 2)) * 3'600'000 + std::stoll(clock.substr(3, 2)) * 60'000 +
         std::stoll(clock.substr(6, 2)) * 1000 + std::stoll(clock.substr(9, 3));
}

// The request log's exec upgrades (429s included), oldest first.
std::vector<nlohmann::json>
exec_upgrades(const TestApiServer& server)
{
  std::vector<nlohmann::json> found;
  for (const auto& entry : server.control("GET", "/_test/requests")) {
    const std::string path = entry.value("path", "");
    if (path.size() > 5 && path.compare(path.size() - 5, 5, "/exec") == 0) {
      found.push_back(entry);
    }
  }
  return found;
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("exec throttle: a 429 upgrade is retried only after its Retry-After")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    server.control("POST", "/_test/faults", R"({"status429":{"count":2,"retryAfter":1,"pathRegex":"/exec$"}})");
    kube::ExecTrace trace;
    const auto started = Clock::now();
    const auto result = kube::exec_over_websocket(server.endpoint(), server.bearer(), echo("through"), &trace);
    const auto took = Clock::now() - started;
    CHECK(result.exit_code == 0);
    CHECK(result.out == "through\n");
    CHECK(trace.throttled == 2);
    CHECK(trace.throttled_wait == 2s);
    CHECK(took >= 2s);
    CHECK(took < 10s);

    // The server saw 429, 429, 101, each retry at least Retry-After after the answer before it.
    const auto upgrades = exec_upgrades(server);
    REQUIRE(upgrades.size() == 3);
    CHECK(upgrades[0]["code"] == 429);
    CHECK(upgrades[1]["code"] == 429);
    CHECK(upgrades[2]["code"] == 101);
    CHECK(time_of(upgrades[1]) - time_of(upgrades[0]) >= 1000);
    CHECK(time_of(upgrades[2]) - time_of(upgrades[1]) >= 1000);
  }

  TEST_CASE("exec throttle: many execs under a 429 storm all complete")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    // More 429s than execs: the first wave of 10 is refused three times over.
    server.control("POST", "/_test/faults", R"({"status429":{"count":30,"retryAfter":1,"pathRegex":"/exec$"}})");
    const auto endpoint = server.endpoint();
    const auto headers = server.bearer();
    kube::SharedTlsContext tls(endpoint.tls);
    constexpr size_t k_execs = 24;
    std::vector<kube::ExecResult> results(k_execs);
    std::vector<kube::ExecTrace> traces(k_execs);
    std::vector<std::string> errors(k_execs);
    util::parallel_for(k_execs, 10, [&](size_t i) {
      try {
        results[i] = kube::exec_over_websocket(endpoint, headers, echo("n" + std::to_string(i)), &traces[i], &tls);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
    int throttled = 0;
    for (size_t i = 0; i < k_execs; ++i) {
      CAPTURE(i);
      CHECK(errors[i] == "");
      CHECK(results[i].out == "n" + std::to_string(i) + "\n");
      // Every retry waited the full Retry-After; none gave up.
      CHECK(traces[i].throttled_wait == std::chrono::seconds(traces[i].throttled));
      CHECK(traces[i].elapsed >= traces[i].throttled_wait);
      throttled += traces[i].throttled;
    }
    CHECK(throttled == 30);
    int refused = 0;
    int upgraded = 0;
    for (const auto& entry : exec_upgrades(server)) {
      refused += entry["code"] == 429 ? 1 : 0;
      upgraded += entry["code"] == 101 ? 1 : 0;
    }
    CHECK(refused == 30);
    CHECK(upgraded == static_cast<int>(k_execs));
  }

  TEST_CASE("exec throttle: a Retry-After beyond the deadline fails at once with the 429")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    server.control("POST", "/_test/faults", R"({"status429":{"count":5,"retryAfter":30,"pathRegex":"/exec$"}})");
    const auto started = Clock::now();
    try {
      kube::exec_over_websocket(server.endpoint(), server.bearer(), echo("late", 3s));
      FAIL("the exec should have been refused");
    } catch (const kube::ApiError& e) {
      CHECK(e.status() == 429);
      CHECK(e.reason() == "TooManyRequests");
      CHECK(std::string(e.what()) == "Error from server (TooManyRequests): Too many requests, please try again later.");
    }
    CHECK(Clock::now() - started < 3s); // refused at once, not at the exec's 3 s deadline (one upgrade: below)
    CHECK(exec_upgrades(server).size() == 1);
  }

  TEST_CASE("exec throttle: retries stop at max_attempts with the server's 429")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    // Retry-After: 0 lets each retry go at once; 3 attempts is all the policy allows.
    server.control("POST", "/_test/faults", R"({"status429":{"count":5,"retryAfter":0,"pathRegex":"/exec$"}})");
    kube::ExecRetryPolicy policy;
    policy.max_attempts = 3;
    kube::ExecTrace trace;
    CHECK_THROWS_AS(kube::exec_over_websocket(server.endpoint(), server.bearer(), echo("x"), &trace, nullptr, policy),
                    kube::ApiError);
    CHECK(trace.throttled == 2);
    CHECK(exec_upgrades(server).size() == 3);
  }

  TEST_CASE("exec throttle: connections sharing a TLS context resume its session")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer server;
    const auto endpoint = server.endpoint();
    kube::SharedTlsContext tls(endpoint.tls);
    std::vector<bool> resumed;
    for (int i = 0; i < 6; ++i) {
      kube::ExecTrace trace;
      const auto result = kube::exec_over_websocket(endpoint, server.bearer(), echo("r"), &trace, &tls);
      CHECK(result.out == "r\n");
      resumed.push_back(trace.tls_resumed);
    }
    std::string pattern; // F: full handshake, R: resumed
    for (const bool r : resumed) {
      pattern += r ? 'R' : 'F';
    }
    // Only the first is a full handshake: its tickets are used once each, then copies of the
    // newest one are offered (each connection gets its own copy; see SharedTlsContext).
    CHECK(pattern == "FRRRRR");
    CHECK(tls.handshakes() == 6);
    CHECK(tls.resumed() == 5);

    // Without a shared context every connection is a full handshake.
    kube::ExecTrace alone;
    kube::exec_over_websocket(endpoint, server.bearer(), echo("r"), &alone);
    CHECK_FALSE(alone.tls_resumed);
  }
}
