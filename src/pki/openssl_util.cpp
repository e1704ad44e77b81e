#include "pki/openssl_util.hpp"

#include "pki/errors.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fmt/format.h>

namespace pki {

void
PkiDeleter::operator()(X509_REQ* req) const
{
  X509_REQ_free(req);
}
void
PkiDeleter::operator()(BIO* bio) const
{
  BIO_free(bio);
}
void
PkiDeleter::operator()(EVP_PKEY_CTX* ctx) const
{
  EVP_PKEY_CTX_free(ctx);
}
void
PkiDeleter::operator()(BIGNUM* bn) const
{
  BN_free(bn);
}

std::string
openssl_reason(std::string_view fallback)
{
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return std::string(fallback);
  }
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : std::string(fallback);
}

EvpPkeyPtr
generate_rsa_key(int bits)
{
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) {
    throw PkiError("cannot generate an RSA key: " + openssl_reason("unknown error"));
  }
  return EvpPkeyPtr(key);
}

namespace {

// Runs `write` into a memory BIO and returns what it wrote.
template<typename Write>
std::string
to_text(Write write, std::string_view what)
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    throw PkiError(fmt::format("cannot encode the {}: {}", what, openssl_reason("unknown error")));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

} // namespace

std::string
certificate_pem(X509* cert)
{
  return to_text([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); }, "certificate");
}

std::string
private_key_pem(EVP_PKEY* key)
{
  return to_text(
      [key](BIO* bio) { return PEM_write_bio_PKCS8PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); },
      "private key");
}

std::string
request_pem(X509_REQ* req)
{
  return to_text([req](BIO* bio) { return PEM_write_bio_X509_REQ(bio, req); }, "certificate request");
}

X509ReqPtr
parse_request(std::string_view pem, std::string_view what)
{
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509ReqPtr req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!req) {
    throw PkiError(fmt::format("{}: not a PEM certificate request ({})", what, openssl_reason("no PEM block")));
  }
  return req;
}

std::string
name_text(const X509_NAME* name)
{
  const std::string text = to_text(
      [name](BIO* bio) {
        return X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0 ? 1 : 0;
      },
      "name");
  // XN_FLAG_ONELINE writes "C = US, O = x"; kubectl-style output reads better without the spaces.
  std::string compact;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, " = ") == 0) {
      compact += '=';
      i += 2;
    } else {
      compact += text[i];
    }
  }
  return compact;
}

std::string
common_name(const X509_NAME* name)
{
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) {
    return "";
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    return "";
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return cn;
}

} // namespace pki
