// The RFC 6455 opening handshake: request text, response reading and the 101 checks.

#include "kube/errors.hpp"
#include "kube/websocket_handshake.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace kube;

namespace {

const std::string k_key = "dGhlIHNhbXBsZSBub25jZQ==";
const std::vector<std::string> k_offered = {"v5.channel.k8s.io", "v4.channel.k8s.io"};

ws::HttpResponse
read_response(std::string_view wire)
{
  ws::HandshakeResponseReader reader;
  if (!reader.feed(wire)) {
    reader.finish();
  }
  return reader.response();
}

std::string
switching(std::string_view extra_headers)
{
  return "HTTP/1.1 101 Switching Protocols\r\n" + std::string(extra_headers) + "\r\n";
}

const std::string k_good_headers = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                   "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n";

} // namespace

// RFC 6455 §1.3 and openssl/node agree on s3pPLMBiTxaQ9kYGzzhZRbK+xOo= for the sample nonce.
TEST_CASE("ws::accept_key and make_handshake_key follow RFC 6455 §1.3")
{
  CHECK(ws::accept_key(k_key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const ws::RandomSource nonce = [](std::span<unsigned char> out) {
    const std::string text = "the sample nonce";
    REQUIRE(out.size() == text.size());
    std::copy(text.begin(), text.end(), out.begin());
  };
  CHECK(ws::make_handshake_key(nonce) == k_key);
  CHECK(ws::make_handshake_key(ws::openssl_random()).size() == 24);
}

TEST_CASE("ws::build_handshake_request")
{
  const std::string text =
      ws::build_handshake_request({"127.0.0.1:6443",
                                   "/api/v1/namespaces/ns/pods/p/exec?command=ls&stdout=true",
                                   k_key,
                                   k_offered,
                                   {{"Authorization", "Bearer abc"}, {"Impersonate-User", "jane"}}});
  CHECK(text == "GET /api/v1/namespaces/ns/pods/p/exec?command=ls&stdout=true HTTP/1.1\r\n"
                "Host: 127.0.0.1:6443\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n"
                "Authorization: Bearer abc\r\n"
                "Impersonate-User: jane\r\n"
                "\r\n");

  // A header value with a line break could smuggle headers; the error names the header only.
  try {
    ws::build_handshake_request({"h", "/x", k_key, k_offered, {{"Authorization", "Bearer secret\r\nX-Evil: 1"}}});
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "HTTP header Authorization contains a line break");
  }
  CHECK_THROWS_AS(ws::build_handshake_request({"h", "/x y", k_key, k_offered, {}}), ConfigError);
  CHECK_THROWS_AS(ws::build_handshake_request({"h", "/x", k_key, k_offered, {{"Bad Name", "v"}}}), ConfigError);
}

TEST_CASE("ws::HandshakeResponseReader completes a 101 after its headers and keeps what follows")
{
  const std::string wire = switching(k_good_headers) + "\x82\x01\x01";
  ws::HandshakeResponseReader reader;
  for (size_t i = 0; i + 1 < wire.size() - 3; ++i) {
    CHECK_FALSE(reader.feed(wire.substr(i, 1)));
  }
  CHECK(reader.feed(wire.substr(wire.size() - 4)));
  CHECK(reader.response().status == 101);
  CHECK(reader.response().status_line == "HTTP/1.1 101 Switching Protocols");
  CHECK(reader.take_remainder() == "\x82\x01\x01");
  CHECK(ws::check_upgrade(reader.response(), k_key, k_offered) == "v4.channel.k8s.io");
}

TEST_CASE("ws::check_upgrade refuses a 101 that does not match the request")
{
  // Header names and the Upgrade/Connection values are case-insensitive.
  CHECK(ws::check_upgrade(read_response(switching("upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
                                                  "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                                  "sec-websocket-protocol: v5.channel.k8s.io\r\n")),
                          k_key, k_offered) == "v5.channel.k8s.io");

  CHECK_THROWS_WITH_AS(
      ws::check_upgrade(read_response(switching("Connection: Upgrade\r\n"
                                                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                                "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n")),
                        k_key, k_offered),
      "WebSocket upgrade response lacks the \"Upgrade: websocket\" header", ProtocolError);
  CHECK_THROWS_WITH_AS(
      ws::check_upgrade(read_response(switching("Upgrade: websocket\r\n"
                                                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                                "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n")),
                        k_key, k_offered),
      "WebSocket upgrade response lacks the \"Connection: Upgrade\" header", ProtocolError);
  CHECK_THROWS_WITH_AS(
      ws::check_upgrade(read_response(switching("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                "Sec-WebSocket-Accept: AAAALMBiTxaQ9kYGzzhZP+xOo2s=\r\n"
                                                "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n")),
                        k_key, k_offered),
      "WebSocket upgrade response has a Sec-WebSocket-Accept that does not match our key", ProtocolError);
  CHECK_THROWS_AS(ws::check_upgrade(read_response(switching("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                            "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n")),
                                    k_key, k_offered),
                  ProtocolError);
  CHECK_THROWS_WITH_AS(
      ws::check_upgrade(read_response(switching("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                                "Sec-WebSocket-Protocol: channel.k8s.io\r\n")),
                        k_key, k_offered),
      "WebSocket server chose subprotocol \"channel.k8s.io\", which was not offered (offered: v5.channel.k8s.io, "
      "v4.channel.k8s.io)",
      ProtocolError);
  CHECK_THROWS_WITH_AS(
      ws::check_upgrade(read_response(switching("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")),
                        k_key, k_offered),
      "WebSocket server chose no subprotocol (offered: v5.channel.k8s.io, v4.channel.k8s.io)", ProtocolError);
  CHECK_THROWS_AS(ws::check_upgrade(read_response(switching(k_good_headers + "Sec-WebSocket-Extensions: "
                                                                             "permessage-deflate\r\n")),
                                    k_key, k_offered),
                  ProtocolError);
  CHECK_THROWS_AS(
      ws::check_upgrade(read_response("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), k_key, k_offered),
      ProtocolError);
}

TEST_CASE("ws::HandshakeResponseReader reads the body of a refusal")
{
  SUBCASE("403 with an empty body")
  {
    const auto response = read_response("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    CHECK(response.status == 403);
    CHECK(response.body.empty());
  }
  SUBCASE("403 without any framing ends at the close")
  {
    ws::HandshakeResponseReader reader;
    CHECK_FALSE(reader.feed("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n"));
    reader.finish();
    CHECK(reader.response().status == 403);
    CHECK(reader.response().body.empty());
  }
  SUBCASE("Content-Length body with bytes after it")
  {
    const std::string body = R"({"kind":"Status","code":400})";
    ws::HandshakeResponseReader reader;
    CHECK(reader.feed("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body + "junk"));
    CHECK(reader.response().body == body);
    CHECK(reader.response().header("content-type") == "application/json");
    CHECK_FALSE(reader.response().header("X-Missing").has_value());
  }
  SUBCASE("chunked body")
  {
    ws::HandshakeResponseReader reader;
    CHECK_FALSE(reader.feed("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
    CHECK(reader.feed("6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
    CHECK(reader.response().body == "hello world");
  }
  SUBCASE("a cut Content-Length body is an error")
  {
    ws::HandshakeResponseReader reader;
    CHECK_FALSE(reader.feed("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 10\r\n\r\nabc"));
    CHECK_THROWS_AS(reader.finish(), ProtocolError);
  }
  SUBCASE("malformed answers")
  {
    CHECK_THROWS_AS(read_response("SSH-2.0-OpenSSH_9.2\r\n\r\n"), ProtocolError);
    CHECK_THROWS_AS(read_response("HTTP/1.1 4x3 Forbidden\r\n\r\n"), ProtocolError);
    CHECK_THROWS_AS(read_response("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"), ProtocolError);
    CHECK_THROWS_AS(read_response("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n"), ProtocolError);
    CHECK_THROWS_AS(read_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), ProtocolError);
    ws::HandshakeResponseReader empty;
    CHECK_FALSE(empty.has_head());
    CHECK_THROWS_AS(empty.finish(), ProtocolError);
    ws::HandshakeResponseReader small(64);
    CHECK_THROWS_AS(small.feed("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a')), ProtocolError);
  }
}

TEST_CASE("ws::decode_chunked")
{
  CHECK(ws::decode_chunked("0\r\n\r\n") == std::string());
  CHECK(ws::decode_chunked("3\r\nabc\r\n0\r\n\r\n") == "abc");
  CHECK_FALSE(ws::decode_chunked("3\r\nabc\r\n").has_value());
  CHECK_FALSE(ws::decode_chunked("3\r\nab").has_value());
  CHECK_THROWS_AS(ws::decode_chunked("3\r\nabcd\r\n0\r\n\r\n"), ProtocolError);
  CHECK_THROWS_AS(ws::decode_chunked("-1\r\n"), ProtocolError);
}
