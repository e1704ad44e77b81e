#pragma once
// OpenSSL set-up shared by every TLS connection to the API server (REST through cpp-httplib,
// exec through TlsStream): PEM parsing into owned OpenSSL objects and an SSL_CTX configured
// from a TlsConfig. No I/O.

#include "crypto/openssl.hpp"
#include "kube/tls_config.hpp"

#include <openssl/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kube {

using crypto::EvpPkeyPtr;
using crypto::take_openssl_error;
using crypto::X509Ptr;

using crypto::SslCtxPtr;
using crypto::SslPtr;
using crypto::SslSessionPtr;
using crypto::X509StorePtr;

// crypto::parse_pem_certificates with its errors as ConfigError naming `what` ("client certificate").
std::vector<X509Ptr> parse_pem_certificates(std::string_view pem, std::string_view what);

// crypto::parse_pem_private_key with its errors as ConfigError naming `what`.
EvpPkeyPtr parse_pem_private_key(std::string_view pem, std::string_view what);

// A trust store holding every certificate in `pem`. Throws ConfigError naming `what`.
X509StorePtr make_x509_store(std::string_view pem, std::string_view what);

// Applies `tls` to `ctx`: TLS >= 1.2, trust (ca_pem or the system roots), peer verification
// unless insecure_skip_verify, the name the server certificate must carry (DNS name or IP
// address, inherited by every SSL made from `ctx`), and the client certificate chain and key.
// Throws ConfigError on unusable material (including verification on with no server_name).
void configure_ssl_ctx(SSL_CTX* ctx, const TlsConfig& tls);

// A new client SSL_CTX with configure_ssl_ctx applied.
SslCtxPtr make_ssl_ctx(const TlsConfig& tls);

// One client SSL_CTX per API server, shared (thread-safe) by every exec connection to it, plus
// the TLS sessions (tickets) the server handed out: a connection that resumes one skips the
// certificate exchange and the server's signature (one less RSA operation per exec on the API
// server). `tls.server_name` must be set (the name verified; resumption only reuses a session
// whose certificate was verified against it). Throws ConfigError like make_ssl_ctx.
class SharedTlsContext {
public:
  explicit SharedTlsContext(const TlsConfig& tls);
  ~SharedTlsContext();
  SharedTlsContext(const SharedTlsContext&) = delete;
  SharedTlsContext& operator=(const SharedTlsContext&) = delete;

  // A new reference to the context, for an SSL made by one connection.
  SslCtxPtr context() const;
  // A session to offer on the next handshake (nullptr when none is cached yet). TLS 1.3
  // tickets are meant for one use (RFC 8446 §C.4), so each is handed out once; only when none
  // is left is the newest one offered again.
  SslSessionPtr session_to_resume();
  // Counts handshakes reported through note_handshake(), for -v logs and benchmarks.
  void note_handshake(bool resumed);
  std::uint64_t handshakes() const { return m_handshakes.load(); }
  std::uint64_t resumed() const { return m_resumed.load(); }

private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  SslCtxPtr m_ctx;
  mutable std::mutex m_mutex;
  std::vector<SslSessionPtr> m_sessions; // unused tickets, newest last
  SslSessionPtr m_last;                  // a copy of the newest ticket; copies of it are handed out when none is left
  std::atomic<std::uint64_t> m_handshakes{0};
  std::atomic<std::uint64_t> m_resumed{0};
};

// True when `host` is an IPv4 or IPv6 address literal (no brackets), which gets no SNI and
// is matched against the certificate's IP SANs.
bool is_ip_literal(std::string_view host);

} // namespace kube
