#include "pki/certificate_info.hpp"

#include "pki/errors.hpp"
#include "pki/openssl_util.hpp"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <ctime>

namespace pki {

namespace {

std::string
hex_bytes(const unsigned char* bytes, size_t length, bool upper)
{
  std::string text;
  for (size_t i = 0; i < length; ++i) {
    text += i == 0 ? "" : ":";
    text += upper ? fmt::format("{:02X}", bytes[i]) : fmt::format("{:02x}", bytes[i]);
  }
  return text;
}

std::string
subject_key_id(X509* cert)
{
  const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(cert);
  return id == nullptr ? "" : hex_bytes(ASN1_STRING_get0_data(id), static_cast<size_t>(ASN1_STRING_length(id)), false);
}

std::string
sha256_fingerprint(const X509* cert)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) {
    return "";
  }
  return hex_bytes(digest, length, true);
}

std::chrono::system_clock::time_point
to_time_point(const ASN1_TIME* time)
{
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) {
    return {};
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::string>
dns_names_of(X509* cert)
{
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) {
    return names;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* text = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                         static_cast<size_t>(ASN1_STRING_length(text)));
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

} // namespace

CertificateInfo
inspect_certificate(std::string_view pem, std::string_view what, std::optional<std::string_view> ca_pem)
{
  X509Ptr cert;
  try {
    cert = std::move(crypto::parse_pem_certificates(pem, what).front());
  } catch (const util::Error& e) {
    throw PkiError(e.what());
  }
  CertificateInfo info;
  info.subject = name_text(X509_get_subject_name(cert.get()));
  info.issuer = name_text(X509_get_issuer_name(cert.get()));
  info.common_name = common_name(X509_get_subject_name(cert.get()));
  info.dns_names = dns_names_of(cert.get());
  info.not_before = to_time_point(X509_get0_notBefore(cert.get()));
  info.not_after = to_time_point(X509_get0_notAfter(cert.get()));
  info.is_ca = X509_check_ca(cert.get()) != 0;
  info.sha256 = sha256_fingerprint(cert.get());
  info.key_id = subject_key_id(cert.get());
  if (ca_pem) {
    auto ca = crypto::parse_pem_certificates(*ca_pem, "CA certificate");
    EVP_PKEY* ca_key = X509_get0_pubkey(ca.front().get());
    info.issued_by_ca = ca_key != nullptr && X509_verify(cert.get(), ca_key) == 1 &&
                        X509_check_issued(ca.front().get(), cert.get()) == X509_V_OK;
    openssl_reason("");
  }
  return info;
}

long
days_left(const CertificateInfo& info, std::chrono::system_clock::time_point now)
{
  return static_cast<long>(std::chrono::floor<std::chrono::days>(info.not_after - now).count());
}

} // namespace pki
