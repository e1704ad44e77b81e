#include "pki/ca.hpp"

#include "pki/errors.hpp"
#include "pki/x509_build.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

namespace pki {

namespace {

void
add_name_entry(X509_NAME* name, const char* field, const std::string& value)
{
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                 -1, 0) != 1) {
    throw PkiError(fmt::format("cannot set {}={} in the CA name: {}", field, value, openssl_reason("invalid")));
  }
}

} // namespace

CaPem
create_ca(const std::string& common_name, std::chrono::system_clock::time_point now, int bits, int days)
{
  const EvpPkeyPtr key = generate_rsa_key(bits);
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) {
    throw PkiError("cannot create the CA certificate: " + openssl_reason("out of memory"));
  }
  set_random_serial(cert.get());
  set_validity(cert.get(), now, days);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name_entry(name, "O", "Kube-OVN");
  add_name_entry(name, "OU", "ovn-ipsec");
  add_name_entry(name, "CN", common_name);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  sign_sha256(cert.get(), key.get());
  return {certificate_pem(cert.get()), private_key_pem(key.get())};
}

LoadedCa
load_ca(std::string_view cert_pem, std::string_view key_pem, std::string_view where,
        std::chrono::system_clock::time_point now)
{
  LoadedCa ca;
  try {
    auto certs = crypto::parse_pem_certificates(cert_pem, "CA certificate");
    ca.cert = std::move(certs.front());
    ca.key = crypto::parse_pem_private_key(key_pem, "CA key");
  } catch (const util::Error& e) {
    throw PkiError(fmt::format("{}: {}", where, e.what()));
  }
  ca.cert_pem = certificate_pem(ca.cert.get());
  // Everything signing needs is checked here, before any node's key is made: a CA that fails
  // later would leave nodes with keys and no certificates.
  const auto flags = X509_get_extension_flags(ca.cert.get());
  if ((flags & EXFLAG_CA) == 0) {
    throw PkiError(fmt::format("{}: the certificate is not a CA (basicConstraints CA:TRUE missing)", where));
  }
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(ca.cert.get()) & KU_KEY_CERT_SIGN) == 0) {
    throw PkiError(
        fmt::format("{}: the CA certificate's keyUsage lacks keyCertSign: it may not sign certificates", where));
  }
  if (X509_get0_subject_key_id(ca.cert.get()) == nullptr) {
    throw PkiError(fmt::format("{}: the CA certificate has no subjectKeyIdentifier (node certificates name it as "
                               "their authorityKeyIdentifier)",
                               where));
  }
  time_t at = std::chrono::system_clock::to_time_t(now);
  // Five minutes of clock skew between the machine that made the CA and this one are tolerated.
  time_t skewed = at + 300;
  if (X509_cmp_time(X509_get0_notBefore(ca.cert.get()), &skewed) > 0) {
    throw PkiError(
        fmt::format("{}: the CA certificate is not valid yet (notBefore is in the future: check the clock)", where));
  }
  if (X509_cmp_time(X509_get0_notAfter(ca.cert.get()), &at) <= 0) {
    throw PkiError(fmt::format("{}: the CA certificate has expired", where));
  }
  if (EVP_PKEY_get_base_id(ca.key.get()) != EVP_PKEY_RSA) {
    throw PkiError(fmt::format("{}: the CA key is not RSA (Kube-OVN's signer reads only RSA keys)", where));
  }
  if (EVP_PKEY_get_bits(ca.key.get()) < 2048) {
    throw PkiError(
        fmt::format("{}: the CA key has {} bits; at least 2048 are needed", where, EVP_PKEY_get_bits(ca.key.get())));
  }
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
    openssl_reason("");
    throw PkiError(fmt::format("{}: the CA key does not belong to the CA certificate", where));
  }
  return ca;
}

int
ca_days_left(const LoadedCa& ca, std::chrono::system_clock::time_point now)
{
  int days = 0;
  int seconds = 0;
  const time_t at = std::chrono::system_clock::to_time_t(now);
  ASN1_TIME* from = ASN1_TIME_set(nullptr, at);
  const bool ok = from != nullptr && ASN1_TIME_diff(&days, &seconds, from, X509_get0_notAfter(ca.cert.get())) == 1;
  ASN1_TIME_free(from);
  return ok && days > 0 ? days : 0;
}

} // namespace pki
