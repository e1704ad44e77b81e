// The Kubernetes channel protocol over WebSocket messages: request path, stdin messages,
// demultiplexing, the status JSON and how a session's end becomes a result or an error.

#include "kube/errors.hpp"
#include "kube/exec_stream.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kube;

namespace {

std::string
on(unsigned channel, std::string_view data)
{
  return std::string(1, static_cast<char>(channel)) + std::string(data);
}

const ws::CloseInfo k_normal_close{1000, ""};

const std::string k_exit3 =
    R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: )"
    R"(exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode",)"
    R"("message":"3"}]}})";

std::string
exit_status(const std::string& causes)
{
  return R"({"metadata":{},"status":"Failure","reason":"NonZeroExitCode","details":{"causes":)" + causes + "}}";
}

} // namespace

TEST_CASE("kube::exec_target builds the exec URL path and query")
{
  ExecRequest request;
  request.ns = "kube-system";
  request.pod = "ovs-ovn-abc";
  request.container = "openvswitch";
  request.command = {"sh", "-c", "echo a&b=c d/e"};
  CHECK(exec_target("", request) ==
        "/api/v1/namespaces/kube-system/pods/ovs-ovn-abc/exec?command=sh&command=-c&command=echo%20a%26b%3Dc%20d%2Fe"
        "&container=openvswitch&stdout=true&stderr=true");
  request.stdin_data = "";
  request.container.clear();
  request.command = {"cat"};
  CHECK(exec_target("/k8s/clusters/c-1/", request) ==
        "/k8s/clusters/c-1/api/v1/namespaces/kube-system/pods/ovs-ovn-abc/exec?command=cat&stdin=true&stdout=true"
        "&stderr=true");
  request.pod.clear();
  CHECK_THROWS_AS(exec_target("", request), ConfigError);
}

TEST_CASE("kube exec subprotocols and stdin messages")
{
  CHECK(exec_protocols() == std::vector<std::string>{"v5.channel.k8s.io", "v4.channel.k8s.io"});
  CHECK(exec_protocol_from_name("v5.channel.k8s.io") == ExecProtocol::v5);
  CHECK(exec_protocol_from_name("v4.channel.k8s.io") == ExecProtocol::v4);
  CHECK_THROWS_AS(exec_protocol_from_name("channel.k8s.io"), ProtocolError);
  CHECK(stdin_message("ab") == std::string("\x00"
                                           "ab",
                                           3));
  CHECK(stdin_close_message() == std::string("\xFF\x00", 2));
}

TEST_CASE("kube::parse_exec_status")
{
  CHECK(parse_exec_status(R"({"metadata":{},"status":"Success"})") == 0);
  CHECK(parse_exec_status(k_exit3) == 3);
  CHECK(parse_exec_status(exit_status(R"([{"reason":"ExitCode","message":"255"}])")) == 255);
  CHECK(parse_exec_status(exit_status(R"([{"message":"ignored"},{"reason":"ExitCode","message":"1"}])")) == 1);

  CHECK_THROWS_WITH_AS(parse_exec_status(R"({"status":"Failure","reason":"NonZeroExitCode"})"),
                       "exec status NonZeroExitCode has no details", ProtocolError);
  CHECK_THROWS_AS(parse_exec_status(exit_status("[]")), ProtocolError);
  CHECK_THROWS_WITH_AS(parse_exec_status(exit_status(R"([{"reason":"ExitCode","message":"300"}])")),
                       "exec status has an invalid exit code \"300\"", ProtocolError);
  CHECK_THROWS_AS(parse_exec_status(exit_status(R"([{"reason":"ExitCode","message":"-1"}])")), ProtocolError);
  CHECK_THROWS_AS(parse_exec_status(exit_status(R"([{"reason":"ExitCode","message":""}])")), ProtocolError);
  CHECK_THROWS_AS(parse_exec_status(exit_status(R"([{"reason":"ExitCode","message":3}])")), ProtocolError);
  CHECK_THROWS_AS(parse_exec_status("not json"), ProtocolError);
  CHECK_THROWS_AS(parse_exec_status(R"({"status":"Pending"})"), ProtocolError);

  const std::string internal = R"({"metadata":{},"status":"Failure","message":"Internal error occurred: error )"
                               R"(executing command in container: boom","reason":"InternalError","details":)"
                               R"({"causes":[{"message":"boom"}]},"code":500})";
  try {
    parse_exec_status(internal);
    FAIL("expected ApiError");
  } catch (const ApiError& e) {
    CHECK(e.status() == 500);
    CHECK(e.reason() == "InternalError");
    CHECK(std::string(e.what()) == "Internal error occurred: error executing command in container: boom");
  }
  try {
    parse_exec_status(R"({"status":"Failure","reason":"Forbidden","message":"no"})");
    FAIL("expected ApiError");
  } catch (const ApiError& e) {
    CHECK(e.status() == 500); // no code in the Status
    CHECK(e.reason() == "Forbidden");
  }
}

TEST_CASE("kube::ExecChannels demultiplexes stdout, stderr and status")
{
  ExecChannels channels(ExecProtocol::v5, "default/busybox", nullptr, 1 << 20);
  channels.on_message(ws::Opcode::binary, on(1, "")); // "streams are up" signal
  channels.on_message(ws::Opcode::binary, "");        // an entirely empty message is harmless too
  channels.on_message(ws::Opcode::binary, on(1, "out1 "));
  channels.on_message(ws::Opcode::binary, on(2, "err"));
  channels.on_message(ws::Opcode::binary, on(1, "out2"));
  CHECK_FALSE(channels.has_status());
  // The status may arrive in pieces.
  channels.on_message(ws::Opcode::binary, on(3, k_exit3.substr(0, 20)));
  channels.on_message(ws::Opcode::binary, on(3, k_exit3.substr(20)));
  CHECK(channels.has_status());
  CHECK(channels.stdout_bytes() == 9);
  CHECK(channels.stderr_bytes() == 3);
  const ExecResult result = channels.finish(k_normal_close);
  CHECK(result.exit_code == 3);
  CHECK(result.out == "out1 out2");
  CHECK(result.err == "err");
}

TEST_CASE("kube::ExecChannels streams stdout to a sink and caps what it keeps")
{
  std::string seen;
  ExecChannels sunk(
      ExecProtocol::v4, "ns/p", [&](std::string_view data) { seen += data; }, 4);
  sunk.on_message(ws::Opcode::binary, on(1, "streamed past the cap"));
  sunk.on_message(ws::Opcode::binary, on(3, R"({"status":"Success"})"));
  const ExecResult result = sunk.finish(k_normal_close);
  CHECK(seen == "streamed past the cap");
  CHECK(result.out.empty());
  CHECK(result.exit_code == 0);

  ExecChannels capped(ExecProtocol::v5, "ns/p", nullptr, 8);
  capped.on_message(ws::Opcode::binary, on(1, "12345"));
  capped.on_message(ws::Opcode::binary, on(2, "678"));
  CHECK_THROWS_WITH_AS(capped.on_message(ws::Opcode::binary, on(2, "9")),
                       "output from ns/p exceeds the limit of 8 bytes", util::MemoryLimitError);
}

TEST_CASE("kube::ExecChannels charges what it keeps to the command's budget until the result is gone")
{
  util::MemoryBudget budget(4096);
  ExecResult kept;
  {
    ExecChannels first(ExecProtocol::v5, "ns/a", nullptr, 1 << 20, &budget);
    first.on_message(ws::Opcode::binary, on(1, std::string(1000, 'o')));
    first.on_message(ws::Opcode::binary, on(2, std::string(500, 'e')));
    CHECK(budget.used() >= 1500);
    kept = first.finish(k_normal_close);
  }
  const std::size_t held = budget.used();
  CHECK(held >= 1500); // the result holds it, not the channels that made it
  const ExecResult copy = kept;
  CHECK(budget.used() == held); // copies share one charge

  // A second exec finds the rest of the budget: past it, that exec fails, naming its pod.
  ExecChannels second(ExecProtocol::v5, "kube-system/ovs-ovn-b", nullptr, 1 << 20, &budget);
  CHECK_THROWS_WITH_AS(second.on_message(ws::Opcode::binary, on(1, std::string(4096 - held + 1, 'x'))),
                       "output from kube-system/ovs-ovn-b exceeds the command's memory limit of 4096 bytes (all "
                       "pods' output and API responses held at once)",
                       util::MemoryLimitError);

  // Streamed stdout is not kept, so it is not charged.
  std::size_t seen = 0;
  ExecChannels sunk(
      ExecProtocol::v5, "ns/c", [&](std::string_view data) { seen += data.size(); }, 16, &budget);
  for (int i = 0; i < 100; ++i) {
    sunk.on_message(ws::Opcode::binary, on(1, std::string(1000, 's')));
  }
  CHECK(seen == 100000);
  CHECK(budget.used() == held);

  kept = ExecResult{};
  CHECK(budget.used() == held); // `copy` still holds it
}

TEST_CASE("kube::ExecChannels refuses what the channel protocol does not allow")
{
  ExecChannels v5(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
  CHECK_THROWS_WITH_AS(v5.on_message(ws::Opcode::text, on(1, "hi")),
                       "exec in ns/p: unexpected message type (text message; the channel protocol uses binary "
                       "messages only)",
                       ProtocolError);
  CHECK_THROWS_WITH_AS(v5.on_message(ws::Opcode::binary, on(0, "x")), "exec in ns/p: message on unexpected channel 0",
                       ProtocolError);
  CHECK_THROWS_AS(v5.on_message(ws::Opcode::binary, on(4, R"({"Width":1})")), ProtocolError);
  CHECK_THROWS_AS(v5.on_message(ws::Opcode::binary, on(7, "x")), ProtocolError);
  // v5's CLOSE signal: the server is done with stdout.
  v5.on_message(ws::Opcode::binary, on(255, std::string(1, '\x01')));
  v5.on_message(ws::Opcode::binary, on(1, ""));
  CHECK_THROWS_WITH_AS(v5.on_message(ws::Opcode::binary, on(1, "late")),
                       "exec in ns/p: data on channel 1 after the server closed it", ProtocolError);
  CHECK_THROWS_AS(v5.on_message(ws::Opcode::binary, on(255, "")), ProtocolError);
  CHECK_THROWS_AS(v5.on_message(ws::Opcode::binary, on(255, "\x09")), ProtocolError);

  ExecChannels v4(ExecProtocol::v4, "ns/p", nullptr, 1 << 20);
  CHECK_THROWS_AS(v4.on_message(ws::Opcode::binary, on(255, std::string(1, '\x00'))), ProtocolError);

  ExecChannels huge(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
  CHECK_THROWS_AS(huge.on_message(ws::Opcode::binary, on(3, std::string(70000, ' '))), ProtocolError);
}

TEST_CASE("kube::ExecChannels::finish without a status")
{
  SUBCASE("a normal Close is success, as in client-go")
  {
    ExecChannels channels(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
    channels.on_message(ws::Opcode::binary, on(1, "partial"));
    const ExecResult result = channels.finish(k_normal_close);
    CHECK(result.exit_code == 0);
    CHECK(result.out == "partial");
  }
  SUBCASE("another Close code is a transport error")
  {
    ExecChannels channels(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
    CHECK_THROWS_WITH_AS(channels.finish(ws::CloseInfo{1011, "kubelet went away"}),
                         "connection to ns/p closed before the command finished (WebSocket close code 1011: kubelet "
                         "went away)",
                         TransportError);
    ExecChannels empty_close(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
    CHECK_THROWS_AS(empty_close.finish(ws::CloseInfo{}), TransportError);
  }
  SUBCASE("a dropped connection is a transport error")
  {
    ExecChannels channels(ExecProtocol::v4, "ns/p", nullptr, 1 << 20);
    try {
      channels.finish(std::nullopt, "read from 127.0.0.1:1 failed: Connection reset by peer");
      FAIL("expected TransportError");
    } catch (const TransportError& e) {
      CHECK_FALSE(e.timeout());
      CHECK(std::string(e.what()) == "connection to ns/p closed before the command finished (read from 127.0.0.1:1 "
                                     "failed: Connection reset by peer)");
    }
  }
  SUBCASE("a status decides even when the connection then dropped")
  {
    ExecChannels channels(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
    channels.on_message(ws::Opcode::binary, on(3, k_exit3));
    CHECK(channels.finish(std::nullopt).exit_code == 3);
  }
  SUBCASE("a bad status names the exec")
  {
    ExecChannels channels(ExecProtocol::v5, "ns/p", nullptr, 1 << 20);
    channels.on_message(ws::Opcode::binary, on(3, "{"));
    CHECK_THROWS_WITH_AS(channels.finish(k_normal_close),
                         "exec in ns/p: exec status channel did not carry a JSON object", ProtocolError);
  }
}

TEST_CASE("kube::upgrade_refused_error")
{
  ws::HttpResponse response;
  response.status = 403;
  response.status_line = "HTTP/1.1 403 Forbidden";
  SUBCASE("403 with an empty body: WebSocket exec not accepted")
  {
    const ApiError e = upgrade_refused_error(response, "kube-system/p1");
    CHECK(e.status() == 403);
    CHECK(e.reason().empty());
    CHECK(std::string(e.what()) ==
          "API server does not accept WebSocket exec (HTTP 403 with an empty body on upgrade): it offered none of "
          "v5.channel.k8s.io, v4.channel.k8s.io, or a proxy blocks WebSockets");
  }
  SUBCASE("403 with a Status body: RBAC")
  {
    response.body =
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p1\" is )"
        R"(forbidden: User \"viewer\" cannot get resource \"pods/exec\" in API group \"\" in the namespace )"
        R"(\"kube-system\"","reason":"Forbidden","details":{"name":"p1","kind":"pods"},"code":403})";
    const ApiError e = upgrade_refused_error(response, "kube-system/p1");
    CHECK(e.status() == 403);
    CHECK(e.reason() == "Forbidden");
    CHECK(std::string(e.what()).find(R"(pods "p1" is forbidden: User "viewer" cannot get resource "pods/exec")") !=
          std::string::npos);
  }
  SUBCASE("400 with a Status body")
  {
    response.status = 400;
    response.status_line = "HTTP/1.1 400 Bad Request";
    response.body = R"({"kind":"Status","status":"Failure","message":"container c9 is not valid for pod p1",)"
                    R"("reason":"BadRequest","code":400})";
    const ApiError e = upgrade_refused_error(response, "ns/p1");
    CHECK(e.status() == 400);
    CHECK(e.reason() == "BadRequest");
    CHECK(std::string(e.what()).find("container c9 is not valid for pod p1") != std::string::npos);
  }
  SUBCASE("anything else: status line and first body line")
  {
    response.status = 502;
    response.status_line = "HTTP/1.1 502 Bad Gateway";
    response.body = "<html>upstream down\nmore</html>";
    const ApiError e = upgrade_refused_error(response, "ns/p1");
    CHECK(e.status() == 502);
    CHECK(std::string(e.what()) == "WebSocket upgrade for exec in ns/p1 was refused: HTTP/1.1 502 Bad Gateway: "
                                   "<html>upstream down");
  }
}
