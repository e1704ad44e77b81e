#include "crypto/openssl.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <climits>

namespace crypto {

void
OpensslDeleter::operator()(X509* cert) const
{
  X509_free(cert);
}

void
OpensslDeleter::operator()(EVP_PKEY* key) const
{
  EVP_PKEY_free(key);
}

void
OpensslDeleter::operator()(X509_STORE* store) const
{
  X509_STORE_free(store);
}

void
OpensslDeleter::operator()(SSL_CTX* ctx) const
{
  SSL_CTX_free(ctx);
}

void
OpensslDeleter::operator()(SSL* ssl) const
{
  SSL_free(ssl);
}

void
OpensslDeleter::operator()(SSL_SESSION* session) const
{
  SSL_SESSION_free(session);
}

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr
memory_bio(std::string_view pem, std::string_view what)
{
  if (pem.size() > static_cast<size_t>(INT_MAX)) {
    throw PemError(fmt::format("{} is too large", what));
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) {
    throw PemError(fmt::format("cannot read {}: out of memory", what));
  }
  return bio;
}

// A passphrase callback that supplies nothing: without it OpenSSL would prompt on the
// terminal for an encrypted key, which would hang a non-interactive plugin.
int
no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/)
{
  return -1;
}

bool
is_no_start_line(unsigned long err)
{
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

} // namespace

std::string
take_openssl_error()
{
  const unsigned long err = ERR_peek_last_error();
  std::string text;
  if (err != 0) {
    const char* reason = ERR_reason_error_string(err);
    if (reason != nullptr) {
      text = reason;
    } else {
      char buf[256];
      ERR_error_string_n(err, buf, sizeof buf);
      text = buf;
    }
  }
  ERR_clear_error();
  return text;
}

std::vector<X509Ptr>
parse_pem_certificates(std::string_view pem, std::string_view what)
{
  ERR_clear_error();
  BioPtr bio = memory_bio(pem, what);
  std::vector<X509Ptr> certs;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!cert) {
      break;
    }
    certs.push_back(std::move(cert));
  }
  const unsigned long err = ERR_peek_last_error();
  // Running out of PEM blocks ends the loop with "no start line"; anything else is a bad block.
  if (err != 0 && !is_no_start_line(err)) {
    throw PemError(fmt::format("cannot parse {} as PEM: {}", what, take_openssl_error()));
  }
  ERR_clear_error();
  if (certs.empty()) {
    throw PemError(fmt::format("{} contains no PEM certificate", what));
  }
  return certs;
}

EvpPkeyPtr
parse_pem_private_key(std::string_view pem, std::string_view what)
{
  // OpenSSL 3's decoders report a certificate where a key was expected as "unsupported";
  // looking for the block marker first gives a clearer message.
  if (pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    throw PemError(fmt::format("{} contains no PEM private key", what));
  }
  ERR_clear_error();
  BioPtr bio = memory_bio(pem, what);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    if (pem.find("ENCRYPTED") != std::string_view::npos) {
      ERR_clear_error();
      throw PemError(fmt::format("{} is encrypted; a passphrase-protected key is not supported", what));
    }
    throw PemError(fmt::format("cannot parse {} as PEM: {}", what, take_openssl_error()));
  }
  return key;
}

} // namespace crypto
