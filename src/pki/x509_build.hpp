#pragma once
// The parts of certificate building shared by the CA and by node certificates.

#include "pki/openssl_util.hpp"

#include <chrono>
#include <string>

namespace pki {

// A random positive 128-bit serial number (RFC 5280 allows up to 20 octets).
void set_random_serial(X509* cert);

// notBefore one minute before `now` (clock skew between nodes), notAfter `days` after `now`.
void set_validity(X509* cert, std::chrono::system_clock::time_point now, int days);

// Adds extension `nid` with OpenSSL's config syntax (e.g. "critical,CA:FALSE"), `issuer` being
// the signing certificate (the cert itself when self-signed).
void add_extension(X509* cert, X509* issuer, int nid, const std::string& value);

// Signs with SHA-256.
void sign_sha256(X509* cert, EVP_PKEY* key);

} // namespace pki
