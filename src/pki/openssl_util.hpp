#pragma once
// Owned OpenSSL objects and PEM conversions for the PKI code (X509 and EVP_PKEY owners and PEM
// parsing come from crypto/, shared with the TLS code).

#include "crypto/openssl.hpp"

#include <openssl/types.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace pki {

using crypto::EvpPkeyPtr;
using crypto::X509Ptr;

struct PkiDeleter {
  void operator()(X509_REQ* req) const;
  void operator()(BIO* bio) const;
  void operator()(EVP_PKEY_CTX* ctx) const;
  void operator()(BIGNUM* bn) const;
};
using X509ReqPtr = std::unique_ptr<X509_REQ, PkiDeleter>;
using BioPtr = std::unique_ptr<BIO, PkiDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkiDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, PkiDeleter>;

// A new RSA key of `bits`.
EvpPkeyPtr generate_rsa_key(int bits);

std::string certificate_pem(X509* cert);
// PKCS#8 "PRIVATE KEY", unencrypted: the form Kube-OVN's signer decodes.
std::string private_key_pem(EVP_PKEY* key);
std::string request_pem(X509_REQ* req);

// Throws PkiError("<what>: <reason>") when `pem` holds no readable CSR.
X509ReqPtr parse_request(std::string_view pem, std::string_view what);

// "C=US, O=Open vSwitch, CN=x" (RFC 2253 order reversed into the usual reading order).
std::string name_text(const X509_NAME* name);

// The CN of `name`, "" when it has none.
std::string common_name(const X509_NAME* name);

// The newest OpenSSL error reason, or `fallback` when the queue is empty.
std::string openssl_reason(std::string_view fallback);

} // namespace pki
