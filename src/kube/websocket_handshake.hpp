#pragma once
// The RFC 6455 opening handshake for a client, as pure code (no I/O): the key and its
// expected accept value, the HTTP/1.1 upgrade request text, an incremental reader for the
// server's response, and the checks a 101 answer must pass.

#include "kube/websocket.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kube::ws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A fresh Sec-WebSocket-Key: 16 bytes from `random`, base64-encoded (RFC 6455 §4.1).
std::string make_handshake_key(const RandomSource& random);

// The Sec-WebSocket-Accept a server must answer `key` with: base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view key);

struct HandshakeRequest {
  std::string host;                   // Host header value: "h:6443", "[::1]:6443"
  std::string target;                 // path and query: "/api/v1/...?command=sh"
  std::string key;                    // from make_handshake_key
  std::vector<std::string> protocols; // offered subprotocols, preferred first
  HeaderList headers;                 // extra headers (Authorization, Impersonate-User, User-Agent)
};

// The GET request text up to and including the blank line. The subprotocols go in ONE
// Sec-WebSocket-Protocol header, comma-separated, because the API server reads only the
// first header line. Throws ConfigError when a header name or value contains CR, LF or NUL
// (naming the header, never its value, which may be a token).
std::string build_handshake_request(const HandshakeRequest& request);

struct HttpResponse {
  int status = 0;
  std::string status_line; // "HTTP/1.1 403 Forbidden"
  HeaderList headers;      // in received order, names as sent
  std::string body;        // non-101 responses only

  // The first header called `name` (ASCII case-insensitive), trimmed; nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

// Reads the server's answer to the upgrade request from bytes as they arrive.
class HandshakeResponseReader {
public:
  // `max_size` bounds the header block plus body; a longer response throws ProtocolError.
  explicit HandshakeResponseReader(std::size_t max_size = 1024 * 1024);

  // Feeds bytes; true once the response is complete: a 101 right after its headers (the rest
  // is WebSocket data, see take_remainder), anything else after its body (Content-Length,
  // chunked, or until the connection closes). Throws ProtocolError on a malformed response.
  bool feed(std::string_view bytes);

  // The connection closed: completes a body delimited by the close. Throws ProtocolError when
  // the headers, a Content-Length body or a chunked body were cut short.
  void finish();

  bool complete() const { return m_complete; }
  // True once the status line and headers have arrived.
  bool has_head() const { return m_have_head; }
  const HttpResponse& response() const { return m_response; }

  // Bytes received after a 101 response's headers: the start of the WebSocket stream.
  std::string take_remainder();

private:
  void parse_head(std::string_view head);
  bool try_complete_body();

  std::size_t m_max_size;
  std::string m_buffer;
  bool m_have_head = false;
  bool m_complete = false;
  std::optional<std::size_t> m_content_length;
  bool m_chunked = false;
  HttpResponse m_response;
};

// Decodes a complete chunked body; nullopt when more bytes are needed. Throws ProtocolError on
// malformed chunk sizes.
std::optional<std::string> decode_chunked(std::string_view data);

// Checks a 101 response against the request: Upgrade: websocket, Connection: Upgrade, the
// accept value for `key`, no extensions, and a subprotocol from `offered`, which it returns.
// Throws ProtocolError naming what is wrong.
std::string check_upgrade(const HttpResponse& response, std::string_view key, const std::vector<std::string>& offered);

} // namespace kube::ws
