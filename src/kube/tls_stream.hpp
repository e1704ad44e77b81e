#pragma once
// A TLS client connection over TCP (OpenSSL 3, non-blocking socket, every wait bounded by a
// Deadline). Errors are TransportError naming host:port; timeouts have timeout() == true.

#include "kube/tls_config.hpp"
#include "kube/tls_context.hpp"
#include "util/deadline.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kube {

class TlsStream {
public:
  // Resolves endpoint.host (IPv4/IPv6), connects and completes the TLS handshake before
  // `deadline`, verifying the server as endpoint.tls says (an empty server_name means
  // endpoint.host). Throws ConfigError for unusable TLS material, TransportError otherwise,
  // e.g. "TLS handshake with 127.0.0.1:6443 failed: certificate verify failed (hostname mismatch)".
  static std::unique_ptr<TlsStream> connect(const Endpoint& endpoint, util::Deadline deadline);

  // The same over `shared` (built from endpoint.tls with its server name), offering the cached
  // session so the handshake can resume it; reports the handshake back to `shared`.
  static std::unique_ptr<TlsStream> connect(const Endpoint& endpoint, SharedTlsContext& shared,
                                            util::Deadline deadline);

  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Waits for data; returns how many bytes were put in `buffer` (at least 1), or 0 when the
  // peer closed the connection. Throws TransportError on failure or when `deadline` passes.
  std::size_t read_some(std::span<char> buffer, util::Deadline deadline);

  // Sends all of `data`. Throws TransportError on failure or when `deadline` passes.
  void write_all(std::string_view data, util::Deadline deadline);

  // Full-duplex step: sends from the front of `outgoing` (erasing what went out; appending to
  // it between calls is fine) while waiting for incoming data. Returns the bytes read into
  // `buffer`, 0 when the peer closed, or nullopt when `until` passed first (not an error).
  std::optional<std::size_t> pump(std::string& outgoing, std::span<char> buffer, util::Deadline until);

  // Sends close_notify if possible without waiting, then closes the socket. Idempotent.
  void close();

  // "host:port" ("[::1]:6443" for IPv6), as used in error messages.
  const std::string& peer() const { return m_peer; }

  // True when the handshake resumed an earlier session instead of a full exchange.
  bool resumed() const;

private:
  struct Socket;
  TlsStream(std::string peer, std::unique_ptr<Socket> socket, SslCtxPtr ctx, SslPtr ssl);

  static std::unique_ptr<TlsStream> open(const Endpoint& endpoint, SslCtxPtr ctx, SSL_SESSION* resume,
                                         const std::string& server_name, util::Deadline deadline);

  // One non-blocking SSL_write/SSL_read attempt and what it is waiting for.
  enum class Want { nothing, read, write };
  Want try_write(std::string& outgoing);
  Want try_read(std::span<char> buffer, std::size_t& got, bool& eof);
  // poll(2) for the union of `wants`; false when `until` passed.
  bool wait(Want a, Want b, util::Deadline until);
  void handshake(util::Deadline deadline, const std::string& server_name);
  [[noreturn]] void fail(std::string_view action, int ssl_error);

  std::string m_peer;
  std::unique_ptr<Socket> m_socket;
  SslCtxPtr m_ctx;
  SslPtr m_ssl;
  bool m_closed = false;
};

} // namespace kube
