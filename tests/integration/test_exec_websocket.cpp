// kube::exec_over_websocket against tests/apiserver/server.js, whose WebSocket side is the
// Node `ws` package: an independent RFC 6455 implementation our client must interoperate with.
// Pod default/busybox runs real commands (sh, cat, head) on this machine.

#include "kube/errors.hpp"
#include "kube/exec_websocket.hpp"
#include "support/test_apiserver.hpp"
#include "support/testdata.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using testsupport::ApiServerOptions;
using testsupport::TestApiServer;
using namespace std::chrono_literals;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

using testsupport::contains;

using testsupport::read_file;

TestApiServer&
exec_server()
{
  static std::unique_ptr<TestApiServer> server;
  if (!server) {
    server = std::make_unique<TestApiServer>();
  }
  server->control("POST", "/_test/reset");
  return *server;
}

kube::ExecRequest
busybox(std::vector<std::string> command, std::chrono::milliseconds timeout = 30s)
{
  kube::ExecRequest request;
  request.ns = "default";
  request.pod = "busybox";
  request.container = "a";
  request.command = std::move(command);
  request.timeout = timeout;
  return request;
}

kube::ExecResult
exec_in_busybox(const TestApiServer& server, const kube::ExecRequest& request, kube::ExecTrace* trace = nullptr)
{
  return kube::exec_over_websocket(server.endpoint(), server.bearer(), request, trace);
}

// The one exec entry of the request log (the tests reset the log first).
nlohmann::json
last_exec(const TestApiServer& server)
{
  nlohmann::json found;
  for (const auto& entry : server.control("GET", "/_test/requests")) {
    if (entry.contains("exec")) {
      found = entry;
    }
  }
  return found;
}

// The message of the exception `call` throws as E; fails the test when it throws nothing.
template<typename E, typename F>
std::string
error_of(F&& call, E* copy = nullptr)
{
  try {
    call();
  } catch (const E& e) {
    if (copy != nullptr) {
      *copy = e;
    }
    return e.what();
  }
  FAIL("no exception");
  return "";
}

} // namespace

TEST_SUITE("integration")
{

  TEST_CASE("exec over WebSocket: exit codes 0, 1 and 3; v5 negotiated; subprotocols offered in one header")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    for (const int code : {0, 1, 3}) {
      CAPTURE(code);
      kube::ExecTrace trace;
      const kube::ExecResult result =
          exec_in_busybox(server, busybox({"sh", "-c", "exit " + std::to_string(code)}), &trace);
      CHECK(result.exit_code == code);
      CHECK(result.out.empty());
      CHECK(result.err.empty());
      CHECK(trace.protocol == "v5.channel.k8s.io");
      CHECK(trace.close_code == std::optional<std::uint16_t>(1000));
      CHECK(trace.bytes_received > 0);
      CHECK(trace.target == "/api/v1/namespaces/default/pods/busybox/exec?command=sh&command=-c&command=exit%20" +
                                std::to_string(code) + "&container=a&stdout=true&stderr=true");
    }
    const auto entry = last_exec(server);
    CHECK(entry["subprotocolsOffered"] == nlohmann::json::array({"v5.channel.k8s.io", "v4.channel.k8s.io"}));
    CHECK(entry["exec"]["argv"] == nlohmann::json::array({"sh", "-c", "exit 3"}));
    CHECK(entry["exec"]["stdin"] == false);
  }

  TEST_CASE("exec over WebSocket: stdout and stderr stay separate")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    const kube::ExecResult result = exec_in_busybox(
        server, busybox({"sh", "-c", "echo out1; echo err1 >&2; echo out2; printf 'err2' >&2; exit 2"}));
    CHECK(result.exit_code == 2);
    CHECK(result.out == "out1\nout2\n");
    CHECK(result.err == "err1\nerr2");
  }

  TEST_CASE("exec over WebSocket: stdin round trip through cat, 1 MiB and empty")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    std::string data;
    data.reserve(1 << 20);
    for (size_t i = 0; data.size() < (1 << 20); ++i) {
      data += static_cast<char>((i * 7919 + i / 251) & 0xFF); // every byte value, no pattern per frame
    }
    data.resize(1 << 20);
    kube::ExecRequest request = busybox({"cat"});
    request.stdin_data = data;
    kube::ExecTrace trace;
    const kube::ExecResult result = exec_in_busybox(server, request, &trace);
    CHECK(result.exit_code == 0);
    CHECK(result.out.size() == data.size());
    CHECK(result.out == data);
    CHECK(trace.stdin_bytes == data.size());
    CHECK(trace.stdout_bytes == data.size());
    auto entry = last_exec(server);
    CHECK(entry["exec"]["stdinBytes"] == data.size());
    CHECK(entry["exec"]["stdinClosed"] == true);
    CHECK(contains(entry["query"].get<std::string>(), "stdin=true"));

    request.stdin_data = "";
    const kube::ExecResult empty = exec_in_busybox(server, request);
    CHECK(empty.exit_code == 0);
    CHECK(empty.out.empty());
    entry = last_exec(server);
    CHECK(entry["exec"]["stdinBytes"] == 0);
    CHECK(entry["exec"]["stdinClosed"] == true);
  }

  TEST_CASE("exec over WebSocket: 5 MB of output, kept or streamed to a sink")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    const kube::ExecResult kept = exec_in_busybox(server, busybox({"head", "-c", "5000000", "/dev/zero"}));
    CHECK(kept.exit_code == 0);
    CHECK(kept.out.size() == 5000000);
    CHECK(kept.out.find_first_not_of('\0') == std::string::npos);

    kube::ExecRequest request = busybox({"sh", "-c", "head -c 5000000 /dev/zero; echo done >&2"});
    size_t streamed = 0;
    int calls = 0;
    request.stdout_sink = [&](std::string_view chunk) {
      streamed += chunk.size();
      ++calls;
    };
    const kube::ExecResult sunk = exec_in_busybox(server, request);
    CHECK(sunk.exit_code == 0);
    CHECK(sunk.out.empty());
    CHECK(sunk.err == "done\n");
    CHECK(streamed == 5000000);
    CHECK(calls > 1);
  }

  TEST_CASE("exec over WebSocket: a v4-only server")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    ApiServerOptions options;
    options.extra_cluster_json = R"({"protocols":["v4.channel.k8s.io"]})";
    TestApiServer server(options);
    kube::ExecTrace trace;
    const kube::ExecResult result = exec_in_busybox(server, busybox({"sh", "-c", "echo v4; exit 3"}), &trace);
    CHECK(trace.protocol == "v4.channel.k8s.io");
    CHECK(result.exit_code == 3);
    CHECK(result.out == "v4\n");
    // No stdin half-close on v4: a command that does not read stdin still finishes.
    kube::ExecRequest request = busybox({"echo", "ok"});
    request.stdin_data = "ignored";
    CHECK(exec_in_busybox(server, request).out == "ok\n");
    CHECK(last_exec(server)["exec"]["stdinClosed"] == false);
  }

  TEST_CASE("exec over WebSocket: upgrade refusals become ApiError")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    kube::ApiError error(0, "", "");

    SUBCASE("a server that does not take WebSocket exec: bare 403")
    {
      server.control("POST", "/_test/faults", R"({"rejectWebSocket":true})");
      const std::string what = error_of<kube::ApiError>([&] { exec_in_busybox(server, busybox({"true"})); }, &error);
      CHECK(error.status() == 403);
      CHECK(what == "API server does not accept WebSocket exec (HTTP 403 with an empty body on upgrade): it offered "
                    "none of v5.channel.k8s.io, v4.channel.k8s.io, or a proxy blocks WebSockets");
    }
    SUBCASE("RBAC: the viewer may not exec")
    {
      const std::string what = error_of<kube::ApiError>(
          [&] { kube::exec_over_websocket(server.endpoint(), server.bearer("viewer"), busybox({"true"})); }, &error);
      CHECK(error.status() == 403);
      CHECK(error.reason() == "Forbidden");
      CHECK(contains(what, "pods \"busybox\" is forbidden: User \"viewer\" cannot"));
      CHECK(contains(what, "pods/exec"));
    }
    SUBCASE("unknown pod: 404")
    {
      kube::ExecRequest request = busybox({"true"});
      request.pod = "nope";
      const std::string what = error_of<kube::ApiError>([&] { exec_in_busybox(server, request); }, &error);
      CHECK(error.status() == 404);
      CHECK(error.reason() == "NotFound");
      CHECK(contains(what, "pods \"nope\" not found"));
    }
    SUBCASE("bad container: 400")
    {
      kube::ExecRequest request = busybox({"true"});
      request.container = "c9";
      const std::string what = error_of<kube::ApiError>([&] { exec_in_busybox(server, request); }, &error);
      CHECK(error.status() == 400);
      CHECK(contains(what, "container c9 is not valid for pod busybox"));
    }
    SUBCASE("no credentials: 401")
    {
      error_of<kube::ApiError>([&] { kube::exec_over_websocket(server.endpoint(), {}, busybox({"true"})); }, &error);
      CHECK(error.status() == 401);
    }
  }

  TEST_CASE("exec over WebSocket: failures after the upgrade")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();

    SUBCASE("connection reset mid-stream")
    {
      server.control("POST", "/_test/faults", R"({"resetExecAfterBytes":100000,"resetExecPods":["default/busybox"]})");
      kube::TransportError error("");
      const std::string what = error_of<kube::TransportError>(
          [&] {
            exec_in_busybox(server, busybox({"head", "-c", "3000000", "/dev/zero"}));
          },
          &error);
      CHECK_FALSE(error.timeout());
      CHECK(contains(what, "connection to default/busybox closed before the command finished"));
    }
    SUBCASE("a hanging exec ends at the timeout")
    {
      server.control("POST", "/_test/faults", R"({"hangExecPods":["default/busybox"]})");
      kube::TransportError error("");
      const auto started = std::chrono::steady_clock::now();
      const std::string what =
          error_of<kube::TransportError>([&] { exec_in_busybox(server, busybox({"true"}, 1s)); }, &error);
      const auto took = std::chrono::steady_clock::now() - started;
      CHECK(error.timeout());
      CHECK(what == "exec in default/busybox timed out after 1s");
      CHECK(took >= 900ms);
      CHECK(took < 5s); // bounded by the timeout, with room for ASan/TSan on 2 loaded cores
    }
    SUBCASE("the runtime fails the exec: InternalError status")
    {
      server.control("POST", "/_test/faults", R"({"execFailPods":["busybox"]})");
      kube::ApiError error(0, "", "");
      const std::string what = error_of<kube::ApiError>([&] { exec_in_busybox(server, busybox({"true"})); }, &error);
      CHECK(error.status() == 500);
      CHECK(error.reason() == "InternalError");
      CHECK(contains(what, "Internal error occurred: error executing command in container"));
    }
    SUBCASE("a missing executable is the runtime's error too")
    {
      kube::ApiError error(0, "", "");
      const std::string what =
          error_of<kube::ApiError>([&] { exec_in_busybox(server, busybox({"no-such-binary-koi"})); }, &error);
      CHECK(error.reason() == "InternalError");
      CHECK(contains(what, "executable file not found"));
    }
  }

  TEST_CASE("exec over WebSocket: --request-timeout bounds the upgrade and each silence, not the whole exec")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    const auto exec_bounded = [&](const kube::ExecRequest& request, std::chrono::milliseconds request_timeout,
                                  kube::ExecTrace* trace = nullptr) {
      return kube::exec_over_websocket(server.endpoint(), server.bearer(), request, trace, nullptr, {},
                                       request_timeout);
    };
    // `true` with a 30 s timeout that fails first: the message, the error, how long it took.
    struct Failure {
      std::string what;
      kube::TransportError error{""};
      std::chrono::steady_clock::duration took{};
    };
    const auto fail_bounded = [&](std::chrono::milliseconds request_timeout, kube::ExecTrace* trace = nullptr) {
      Failure failure;
      const auto started = std::chrono::steady_clock::now();
      failure.what = error_of<kube::TransportError>(
          [&] { exec_bounded(busybox({"true"}, 30s), request_timeout, trace); }, &failure.error);
      failure.took = std::chrono::steady_clock::now() - started;
      return failure;
    };

    SUBCASE("a hung command: no data for --request-timeout ends it, well before the exec's own timeout")
    {
      server.control("POST", "/_test/faults", R"({"hangExecPods":["default/busybox"]})");
      const auto failure = fail_bounded(1s);
      CHECK(failure.error.timeout());
      CHECK(failure.what == "exec in default/busybox: no data from the API server for 1s (--request-timeout)");
      CHECK(failure.took >= 900ms);
      CHECK(failure.took < 8s);
    }
    SUBCASE("pongs to our pings are not data: a hung command still ends past the 5 s ping interval")
    {
      server.control("POST", "/_test/faults", R"({"hangExecPods":["default/busybox"]})");
      kube::ExecTrace trace;
      const auto failure = fail_bounded(5500ms, &trace);
      CHECK(failure.what == "exec in default/busybox: no data from the API server for 5.5s (--request-timeout)");
      CHECK(trace.pings_sent >= 1); // answered (the server's ws answers pings), yet not counted
      CHECK(failure.took < 10s);
    }
    SUBCASE("a command that keeps talking outlives --request-timeout")
    {
      const auto started = std::chrono::steady_clock::now();
      const auto result =
          exec_bounded(busybox({"sh", "-c", "for i in 1 2 3 4 5; do echo $i; sleep 0.4; done"}, 30s), 1s);
      CHECK(result.exit_code == 0);
      CHECK(result.out == "1\n2\n3\n4\n5\n");
      CHECK(std::chrono::steady_clock::now() - started >= 1600ms);
    }
    SUBCASE("a command silent by design (a key generation) is bounded by its timeout only")
    {
      auto request = busybox({"sh", "-c", "sleep 1.5; echo done"}, 30s);
      CHECK(error_of<kube::TransportError>([&] { exec_bounded(request, 1s); }) ==
            "exec in default/busybox: no data from the API server for 1s (--request-timeout)");
      request.may_be_silent = true;
      const auto result = exec_bounded(request, 1s);
      CHECK(result.exit_code == 0);
      CHECK(result.out == "done\n");
    }
    SUBCASE("an upgrade the server does not answer ends at --request-timeout")
    {
      server.control("POST", "/_test/faults", R"({"latencyMs":20000})");
      const auto failure = fail_bounded(1s);
      CHECK(failure.error.timeout());
      CHECK(failure.what == "exec in default/busybox: no answer from the API server within 1s (--request-timeout)");
      CHECK(failure.took < 8s);
      server.control("POST", "/_test/faults", R"({"latencyMs":null})");
    }
  }

  TEST_CASE("exec over WebSocket: TLS refusals name the reason")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    struct Case {
      const char* cert;
      const char* server_name;
      const char* reason;
    };
    for (const Case& c :
         {Case{"expired", "127.0.0.1", "certificate verify failed (certificate has expired)"},
          Case{"notyet", "127.0.0.1", "certificate verify failed (certificate is not yet valid)"},
          Case{"wronghost", "localhost", "certificate verify failed (hostname mismatch)"},
          Case{"wronghost", "127.0.0.1", "certificate verify failed (IP address mismatch)"},
          Case{"other-server", "127.0.0.1", "certificate verify failed (unable to get local issuer certificate)"}}) {
      CAPTURE(c.cert);
      CAPTURE(c.server_name);
      ApiServerOptions options;
      options.server_cert = c.cert;
      TestApiServer server(options);
      kube::TransportError error("");
      const std::string what = error_of<kube::TransportError>(
          [&] { kube::exec_over_websocket(server.endpoint(c.server_name), server.bearer(), busybox({"true"})); },
          &error);
      CHECK(what == "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) + " failed: " + c.reason);
      CHECK_FALSE(contains(what, server.token("admin")));
      CHECK(server.control("GET", "/_test/requests").empty());

      if (std::string(c.cert) == "expired") {
        kube::Endpoint insecure = server.endpoint();
        insecure.tls.insecure_skip_verify = true;
        CHECK(kube::exec_over_websocket(insecure, server.bearer(), busybox({"echo", "hi"})).out == "hi\n");
      }
    }
  }

  TEST_CASE("exec over WebSocket: a client-certificate user, and the host name checked by DNS name")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    TestApiServer& server = exec_server();
    kube::Endpoint endpoint = server.endpoint("localhost");
    endpoint.tls.client_cert_pem = read_file(server.pki_dir() + "/admin.crt");
    endpoint.tls.client_key_pem = read_file(server.pki_dir() + "/admin.key");
    const kube::ExecResult result = kube::exec_over_websocket(endpoint, {}, busybox({"sh", "-c", "echo cert; exit 4"}));
    CHECK(result.exit_code == 4);
    CHECK(result.out == "cert\n");

    endpoint.tls.client_key_pem = read_file(server.pki_dir() + "/cert-viewer.key");
    CHECK_THROWS_AS(kube::exec_over_websocket(endpoint, {}, busybox({"true"})), kube::ConfigError);
  }

  TEST_CASE("exec over WebSocket: nothing listening")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    int port = 0;
    {
      TestApiServer server;
      port = server.port();
    }
    kube::Endpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = port;
    endpoint.tls.server_name = "127.0.0.1";
    endpoint.tls.insecure_skip_verify = true;
    CHECK_THROWS_WITH_AS(kube::exec_over_websocket(endpoint, {}, busybox({"true"})),
                         ("connect to 127.0.0.1:" + std::to_string(port) + " failed: Connection refused").c_str(),
                         kube::TransportError);
  }

} // TEST_SUITE
