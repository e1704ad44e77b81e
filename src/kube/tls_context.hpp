#pragma once
// OpenSSL set-up shared by every TLS connection to the API server (REST through cpp-httplib,
// exec through TlsStream): PEM parsing into owned OpenSSL objects and an SSL_CTX configured
// from a TlsConfig. No I/O.

#include "kube/tls_config.hpp"

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kube {

struct OpensslDeleter {
  void operator()(X509* cert) const;
  void operator()(EVP_PKEY* key) const;
  void operator()(X509_STORE* store) const;
  void operator()(SSL_CTX* ctx) const;
  void operator()(SSL* ssl) const;
};
using X509Ptr = std::unique_ptr<X509, OpensslDeleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslDeleter>;
using SslPtr = std::unique_ptr<SSL, OpensslDeleter>;

// Every certificate in `pem`, in order. Throws ConfigError naming `what` ("client certificate")
// when there is none or one is malformed.
std::vector<X509Ptr> parse_pem_certificates(std::string_view pem, std::string_view what);

// The first private key in `pem` (PKCS#8, RSA or EC). Encrypted keys are refused rather than
// prompting for a passphrase. Throws ConfigError naming `what`.
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

// True when `host` is an IPv4 or IPv6 address literal (no brackets), which gets no SNI and
// is matched against the certificate's IP SANs.
bool is_ip_literal(std::string_view host);

// The reason text of the newest error on OpenSSL's thread error queue ("" when empty);
// clears the queue so later calls do not report stale errors.
std::string take_openssl_error();

} // namespace kube
