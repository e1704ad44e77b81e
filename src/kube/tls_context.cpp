#include "kube/tls_context.hpp"

#include "kube/errors.hpp"
#include "kube/system_trust.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

namespace kube {

std::vector<X509Ptr>
parse_pem_certificates(std::string_view pem, std::string_view what)
{
  try {
    return crypto::parse_pem_certificates(pem, what);
  } catch (const crypto::PemError& e) {
    throw ConfigError(e.what());
  }
}

EvpPkeyPtr
parse_pem_private_key(std::string_view pem, std::string_view what)
{
  try {
    return crypto::parse_pem_private_key(pem, what);
  } catch (const crypto::PemError& e) {
    throw ConfigError(e.what());
  }
}

X509StorePtr
make_x509_store(std::string_view pem, std::string_view what)
{
  std::vector<X509Ptr> certs = parse_pem_certificates(pem, what);
  X509StorePtr store(X509_STORE_new());
  if (!store) {
    throw ConfigError(fmt::format("cannot build a trust store from {}: out of memory", what));
  }
  for (const X509Ptr& cert : certs) {
    // OpenSSL fills a certificate's extension cache (key ids, flags) on first use; done here,
    // before the store is shared, so concurrent handshakes only ever read it.
    X509_check_purpose(cert.get(), -1, 0);
    // X509_STORE_add_cert takes its own reference; duplicates are accepted by OpenSSL 3.
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      throw ConfigError(fmt::format("cannot add {} to the trust store: {}", what, take_openssl_error()));
    }
  }
  return store;
}

bool
is_ip_literal(std::string_view host)
{
  const std::string text(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

void
configure_ssl_ctx(SSL_CTX* ctx, const TlsConfig& tls)
{
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    throw ConfigError(fmt::format("cannot require TLS 1.2: {}", take_openssl_error()));
  }
  // A peer that drops TCP without close_notify is reported as EOF; the WebSocket and HTTP
  // layers above detect truncation themselves.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);

  if (tls.insecure_skip_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    if (tls.ca_pem.empty()) {
      load_system_trust(ctx);
    } else {
      X509StorePtr store = make_x509_store(tls.ca_pem, "certificate-authority data");
      SSL_CTX_set1_cert_store(ctx, store.get());
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (tls.server_name.empty()) {
      throw ConfigError("no server name to verify the API server certificate against");
    }
    // Set on the context's parameters so every SSL made from it (ours or cpp-httplib's)
    // checks the name during the handshake.
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    int ok = 0;
    if (is_ip_literal(tls.server_name)) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, tls.server_name.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = X509_VERIFY_PARAM_set1_host(param, tls.server_name.c_str(), tls.server_name.size());
    }
    if (ok != 1) {
      throw ConfigError(
          fmt::format("cannot verify against server name \"{}\": {}", tls.server_name, take_openssl_error()));
    }
  }

  if (tls.client_cert_pem.empty() != tls.client_key_pem.empty()) {
    throw ConfigError(tls.client_cert_pem.empty() ? "a client key is set without a client certificate"
                                                  : "a client certificate is set without a client key");
  }
  if (!tls.client_cert_pem.empty()) {
    std::vector<X509Ptr> chain = parse_pem_certificates(tls.client_cert_pem, "client certificate");
    EvpPkeyPtr key = parse_pem_private_key(tls.client_key_pem, "client key");
    if (SSL_CTX_use_certificate(ctx, chain.front().get()) != 1) {
      throw ConfigError(fmt::format("cannot use the client certificate: {}", take_openssl_error()));
    }
    for (size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
        throw ConfigError(fmt::format("cannot use the client certificate chain: {}", take_openssl_error()));
      }
    }
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      throw ConfigError(fmt::format("client key does not match the client certificate: {}", take_openssl_error()));
    }
  }
}

SslCtxPtr
make_ssl_ctx(const TlsConfig& tls)
{
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    throw ConfigError(fmt::format("cannot create a TLS context: {}", take_openssl_error()));
  }
  configure_ssl_ctx(ctx.get(), tls);
  return ctx;
}

namespace {

// The ex_data slot of an SSL_CTX that points back at its SharedTlsContext, so OpenSSL's
// new-session callback (which only gets the SSL) can find the cache.
int
shared_context_index()
{
  static const int index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

} // namespace

SharedTlsContext::SharedTlsContext(const TlsConfig& tls) : m_ctx(make_ssl_ctx(tls))
{
  // TLS 1.3 sends tickets after the handshake, so sessions are collected through the callback
  // rather than read once the handshake returns. OpenSSL's own client cache is not used: it is
  // keyed by nothing useful for a client, and we keep exactly one session per API server.
  SSL_CTX_ctrl(m_ctx.get(), SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE,
               nullptr);
  SSL_CTX_sess_set_new_cb(m_ctx.get(), &SharedTlsContext::on_new_session);
  if (shared_context_index() < 0 || SSL_CTX_set_ex_data(m_ctx.get(), shared_context_index(), this) != 1) {
    throw ConfigError(fmt::format("cannot set up the TLS session cache: {}", take_openssl_error()));
  }
}

SharedTlsContext::~SharedTlsContext()
{
  // Connections may outlive us through their own SSL_CTX reference; they must not call back.
  SSL_CTX_set_ex_data(m_ctx.get(), shared_context_index(), nullptr);
  SSL_CTX_sess_set_new_cb(m_ctx.get(), nullptr);
}

SslCtxPtr
SharedTlsContext::context() const
{
  SSL_CTX_up_ref(m_ctx.get());
  return SslCtxPtr(m_ctx.get());
}

SslSessionPtr
SharedTlsContext::session_to_resume()
{
  const std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_sessions.empty()) {
    SslSessionPtr session = std::move(m_sessions.back());
    m_sessions.pop_back();
    return session;
  }
  if (!m_last) {
    return nullptr;
  }
  // A copy, never m_last itself: a handshake writes into the session it resumes (OpenSSL 3.0
  // does not copy it first; openssl#24629), and connections run on many threads at once.
  return SslSessionPtr(SSL_SESSION_dup(m_last.get()));
}

void
SharedTlsContext::note_handshake(bool resumed)
{
  ++m_handshakes;
  if (resumed) {
    ++m_resumed;
  }
}

int
SharedTlsContext::on_new_session(SSL* ssl, SSL_SESSION* session)
{
  auto* self = static_cast<SharedTlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), shared_context_index()));
  if (self == nullptr || SSL_SESSION_is_resumable(session) != 1) {
    return 0; // OpenSSL keeps ownership and frees it
  }
  const std::lock_guard<std::mutex> lock(self->m_mutex);
  // A bounded pool: a burst of full handshakes brings two tickets each, more than needed.
  constexpr std::size_t k_max_sessions = 64;
  if (self->m_sessions.size() >= k_max_sessions) {
    self->m_sessions.erase(self->m_sessions.begin());
  }
  // m_last is a private copy made here, on the thread that owns `session`: the pooled one goes
  // to exactly one later connection, which may write into it (see session_to_resume).
  if (SslSessionPtr copy(SSL_SESSION_dup(session)); copy) {
    self->m_last = std::move(copy);
  }
  self->m_sessions.emplace_back(session);
  return 1; // we own the reference now
}

} // namespace kube
