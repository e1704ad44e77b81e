#pragma once
// Owned OpenSSL objects and PEM parsing shared by the TLS code (kube/) and the PKI code (pki/),
// so neither includes the other for them. No I/O.

#include "util/error.hpp"

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

// openssl/types.h does not declare it; the same typedef as openssl/ssl.h, so no heavy include here.
typedef struct ssl_session_st SSL_SESSION; // NOLINT(modernize-use-using)

namespace crypto {

// Unreadable PEM; the message names what was read ("CA certificate"). kube/ turns it into a
// kube::ConfigError, pki/ into a pki::PkiError.
class PemError : public util::Error {
public:
  using util::Error::Error;
};

// One deleter for every OpenSSL object the project owns (certificates and keys here, the TLS
// objects in kube/).
struct OpensslDeleter {
  void operator()(X509* cert) const;
  void operator()(EVP_PKEY* key) const;
  void operator()(X509_STORE* store) const;
  void operator()(SSL_CTX* ctx) const;
  void operator()(SSL* ssl) const;
  void operator()(SSL_SESSION* session) const;
};
using X509Ptr = std::unique_ptr<X509, OpensslDeleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslDeleter>;
using SslPtr = std::unique_ptr<SSL, OpensslDeleter>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, OpensslDeleter>;

// Every certificate in `pem`, in order. Throws PemError naming `what` ("client certificate")
// when there is none or one is malformed.
std::vector<X509Ptr> parse_pem_certificates(std::string_view pem, std::string_view what);

// The first private key in `pem` (PKCS#8, RSA or EC). Encrypted keys are refused rather than
// prompting for a passphrase. Throws PemError naming `what`.
EvpPkeyPtr parse_pem_private_key(std::string_view pem, std::string_view what);

// The reason text of the newest error on OpenSSL's thread error queue ("" when empty);
// clears the queue so later calls do not report stale errors.
std::string take_openssl_error();

} // namespace crypto
