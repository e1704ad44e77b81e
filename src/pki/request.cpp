#include "pki/request.hpp"

#include "pki/errors.hpp"
#include "pki/x509_build.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

namespace pki {

CheckedRequest
check_request(std::string_view pem, std::string_view expected_cn, int min_bits)
{
  CheckedRequest checked;
  checked.request = parse_request(pem, "certificate request");
  X509_REQ* req = checked.request.get();
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  if (key == nullptr) {
    throw PkiError("certificate request: no readable public key");
  }
  if (X509_REQ_verify(req, key) != 1) {
    openssl_reason("");
    throw PkiError("certificate request: its signature does not verify (corrupted or tampered with)");
  }
  const X509_NAME* subject = X509_REQ_get_subject_name(req);
  checked.subject = name_text(subject);
  const std::string cn = common_name(subject);
  if (cn != expected_cn) {
    throw PkiError(fmt::format("certificate request: subject CN is \"{}\", expected the node's system-id \"{}\"", cn,
                               expected_cn));
  }
  if (X509_NAME_entry_count(subject) < 2) {
    throw PkiError("certificate request: the subject has only a CN; at least one more RDN (O, OU, ...) is needed");
  }
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    throw PkiError("certificate request: the key is not RSA");
  }
  checked.key_bits = EVP_PKEY_get_bits(key);
  if (checked.key_bits < min_bits) {
    throw PkiError(fmt::format("certificate request: the RSA key has {} bits; at least {} are needed", checked.key_bits,
                               min_bits));
  }
  return checked;
}

std::string
sign_request(const LoadedCa& ca, const CheckedRequest& checked, const SignOptions& options)
{
  X509_REQ* req = checked.request.get();
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) {
    throw PkiError("cannot create the node certificate: " + openssl_reason("out of memory"));
  }
  set_random_serial(cert.get());
  set_validity(cert.get(), options.now, options.days);
  // A node certificate never outlives its CA: peers stop trusting it when the CA expires anyway.
  if (ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(ca.cert.get())) > 0 &&
      X509_set1_notAfter(cert.get(), X509_get0_notAfter(ca.cert.get())) != 1) {
    throw PkiError("cannot cap the node certificate at the CA's notAfter: " + openssl_reason("out of memory"));
  }
  const X509_NAME* subject = X509_REQ_get_subject_name(req);
  X509_set_subject_name(cert.get(), subject);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.cert.get()));
  X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(req));
  add_extension(cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca.cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca.cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), ca.cert.get(), NID_subject_alt_name, "DNS:" + common_name(subject));
  add_extension(cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
  sign_sha256(cert.get(), ca.key.get());
  return certificate_pem(cert.get());
}

} // namespace pki
