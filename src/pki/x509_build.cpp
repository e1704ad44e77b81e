#include "pki/x509_build.hpp"

#include "pki/errors.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <array>

namespace pki {

void
set_random_serial(X509* cert)
{
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw PkiError("cannot draw a random serial number: " + openssl_reason("no entropy"));
  }
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40); // positive, and really 128 bits long
  BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    throw PkiError("cannot set the serial number: " + openssl_reason("unknown error"));
  }
}

void
set_validity(X509* cert, std::chrono::system_clock::time_point now, int days)
{
  time_t start = std::chrono::system_clock::to_time_t(now);
  if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, -60, &start) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, &start) == nullptr) {
    throw PkiError(fmt::format("cannot set a validity of {} days: {}", days, openssl_reason("out of range")));
  }
}

void
add_extension(X509* cert, X509* issuer, int nid, const std::string& value)
{
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    throw PkiError(
        fmt::format("cannot build extension {}={}: {}", OBJ_nid2sn(nid), value, openssl_reason("invalid value")));
  }
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) {
    throw PkiError(fmt::format("cannot add extension {}: {}", OBJ_nid2sn(nid), openssl_reason("unknown error")));
  }
}

void
sign_sha256(X509* cert, EVP_PKEY* key)
{
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    throw PkiError("cannot sign the certificate: " + openssl_reason("unknown error"));
  }
}

} // namespace pki
