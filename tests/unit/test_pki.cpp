// The IPsec PKI: CA creation and loading, request checks, node certificates checked field by
// field and verified by the openssl command line as a second, independent opinion.
#include "crypto/openssl.hpp"
#include "ipsec/ca_secret.hpp"
#include "pki/ca.hpp"
#include "pki/certificate_info.hpp"
#include "pki/errors.hpp"
#include "pki/request.hpp"
#include "support/fake_cluster.hpp"
#include "support/skip.hpp"
#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "support/testdata.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <doctest/doctest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;

const std::string k_id = "8aebd9df-46ef-47b9-85e3-73e9a765296d";
const auto k_now = std::chrono::system_clock::now();

// A CSR as the node side makes it (`openssl req -subj /C=CN/O=kubeovn/OU=kube-ovn/CN=<id>`).
std::string
make_request(const std::string& cn, int bits = 2048, bool extra_rdns = true, bool tamper = false)
{
  const pki::EvpPkeyPtr key = pki::generate_rsa_key(bits);
  pki::X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_NAME_new();
  const auto add = [name](const char* field, const std::string& value) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                               -1, 0);
  };
  if (extra_rdns) {
    add("C", "CN");
    add("O", "kubeovn");
  }
  add("CN", cn);
  X509_REQ_set_subject_name(req.get(), name);
  X509_NAME_free(name);
  X509_REQ_set_pubkey(req.get(), key.get());
  X509_REQ_sign(req.get(), key.get(), EVP_sha256());
  if (tamper) { // a changed subject after signing: the signature no longer covers it
    X509_NAME* other = X509_NAME_new();
    X509_NAME_add_entry_by_txt(other, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("evil"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(other, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                               0);
    X509_REQ_set_subject_name(req.get(), other);
    X509_NAME_free(other);
  }
  return pki::request_pem(req.get());
}

pki::X509Ptr
parse_cert(const std::string& pem)
{
  return std::move(crypto::parse_pem_certificates(pem, "test certificate").front());
}

std::string
extension_text(X509* cert, int nid)
{
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  if (index < 0) {
    return "";
  }
  pki::BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), X509_get_ext(cert, index), 0, 0);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size)) +
         (X509_EXTENSION_get_critical(X509_get_ext(cert, index)) ? " (critical)" : "");
}

} // namespace

TEST_CASE("pki: a new CA is RSA-3072, SHA-256, CA:TRUE, with a PKCS#8 key, and loads back")
{
  const auto ca = pki::create_ca("kubectl-ko-ipsec CA", k_now);
  CHECK(ca.key.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(ca.cert.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  const auto loaded = pki::load_ca(ca.cert, ca.key, "test", k_now);
  CHECK(EVP_PKEY_get_bits(loaded.key.get()) == 3072);
  CHECK(X509_get_signature_nid(loaded.cert.get()) == NID_sha256WithRSAEncryption);
  CHECK(extension_text(loaded.cert.get(), NID_basic_constraints) == "CA:TRUE (critical)");
  CHECK(extension_text(loaded.cert.get(), NID_key_usage) == "Certificate Sign, CRL Sign (critical)");
  const auto info = pki::inspect_certificate(ca.cert, "CA", ca.cert);
  CHECK(info.is_ca);
  CHECK(info.issued_by_ca);
  CHECK(info.subject == "O=Kube-OVN, OU=ovn-ipsec, CN=kubectl-ko-ipsec CA");
  CHECK(pki::days_left(info, k_now) == 3649);
}

TEST_CASE("pki: load_ca refuses a key of another CA, a leaf certificate, an expired CA, a weak key")
{
  const auto ca = pki::create_ca("one", k_now, 2048);
  const auto other = pki::create_ca("two", k_now, 2048);
  CHECK_THROWS_WITH_AS(pki::load_ca(ca.cert, other.key, "Secret kube-system/ovn-ipsec-ca", k_now),
                       "Secret kube-system/ovn-ipsec-ca: the CA key does not belong to the CA certificate",
                       pki::PkiError);
  CHECK_THROWS_WITH_AS(pki::load_ca("garbage", ca.key, "--ca-cert ca.pem", k_now),
                       doctest::Contains("--ca-cert ca.pem: "), pki::PkiError);

  const auto loaded = pki::load_ca(ca.cert, ca.key, "test", k_now);
  const auto leaf = pki::sign_request(loaded, pki::check_request(make_request(k_id), k_id), {30, k_now});
  CHECK_THROWS_WITH_AS(pki::load_ca(leaf, ca.key, "x", k_now),
                       "x: the certificate is not a CA (basicConstraints CA:TRUE missing)", pki::PkiError);

  const auto old = pki::create_ca("old", k_now - 24h * 400, 2048, 365);
  CHECK_THROWS_WITH_AS(pki::load_ca(old.cert, old.key, "x", k_now), "x: the CA certificate has expired", pki::PkiError);

  const auto weak = pki::create_ca("weak", k_now, 1024);
  CHECK_THROWS_WITH_AS(pki::load_ca(weak.cert, weak.key, "x", k_now),
                       "x: the CA key has 1024 bits; at least 2048 are needed", pki::PkiError);
}

TEST_CASE("pki: load_ca refuses a CA not valid yet, without a subjectKeyIdentifier or keyCertSign; node certificates "
          "end with their CA")
{
  const auto future = pki::create_ca("future", k_now + 24h * 10, 2048);
  CHECK_THROWS_WITH_AS(pki::load_ca(future.cert, future.key, "x", k_now),
                       "x: the CA certificate is not valid yet (notBefore is in the future: check the clock)",
                       pki::PkiError);

  const auto make = [](const std::string& extensions) {
    testsupport::TempDir dir;
    const auto config = dir.write("ca.cnf", "[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\n"
                                            "CN=odd CA\n[v3]\nbasicConstraints=critical,CA:TRUE\n" +
                                                extensions);
    const auto r =
        testsupport::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-config", config,
                          "-keyout", dir.path() + "/k.pem", "-out", dir.path() + "/c.pem"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return pki::CaPem{testsupport::read_file_or_empty(dir.path() + "/c.pem"),
                      testsupport::read_file_or_empty(dir.path() + "/k.pem")};
  };
  KOI_SKIP_IF_REASON(testsupport::which("openssl").empty() ? "no openssl on PATH" : "");
  const auto now = std::chrono::system_clock::now();
  const auto no_ski = make("subjectKeyIdentifier=none\n");
  CHECK_THROWS_WITH_AS(pki::load_ca(no_ski.cert, no_ski.key, "--ca-cert ca.pem", now),
                       "--ca-cert ca.pem: the CA certificate has no subjectKeyIdentifier (node certificates name it as "
                       "their authorityKeyIdentifier)",
                       pki::PkiError);
  const auto no_sign = make("subjectKeyIdentifier=hash\nkeyUsage=critical,digitalSignature\n");
  CHECK_THROWS_WITH_AS(pki::load_ca(no_sign.cert, no_sign.key, "x", now),
                       "x: the CA certificate's keyUsage lacks keyCertSign: it may not sign certificates",
                       pki::PkiError);
  const auto fine = make("subjectKeyIdentifier=hash\nkeyUsage=critical,keyCertSign,cRLSign\n");
  CHECK_NOTHROW(pki::load_ca(fine.cert, fine.key, "x", now));

  // A CA with 2 days left: a 730-day node certificate ends when the CA does.
  const auto ending = pki::create_ca("ending", k_now - 24h * 3648, 2048);
  const auto loaded = pki::load_ca(ending.cert, ending.key, "x", k_now);
  CHECK(pki::ca_days_left(loaded, k_now) == 2);
  const auto leaf = pki::sign_request(loaded, pki::check_request(make_request(k_id), k_id), {730, k_now});
  CHECK(pki::inspect_certificate(leaf, "node").not_after == pki::inspect_certificate(ending.cert, "CA").not_after);
}

TEST_CASE("pki: requests with the wrong CN, only a CN, a weak key or a bad signature are refused")
{
  CHECK(pki::check_request(make_request(k_id), k_id).subject == "C=CN, O=kubeovn, CN=" + k_id);
  CHECK(pki::check_request(make_request(k_id, 3072), k_id).key_bits == 3072);
  CHECK_THROWS_WITH_AS(
      pki::check_request(make_request("someone-else"), k_id),
      ("certificate request: subject CN is \"someone-else\", expected the node's system-id \"" + k_id + "\"").c_str(),
      pki::PkiError);
  CHECK_THROWS_WITH_AS(pki::check_request(make_request(k_id, 2048, false), k_id),
                       "certificate request: the subject has only a CN; at least one more RDN (O, OU, ...) is needed",
                       pki::PkiError);
  CHECK_THROWS_WITH_AS(pki::check_request(make_request(k_id, 1024), k_id),
                       "certificate request: the RSA key has 1024 bits; at least 2048 are needed", pki::PkiError);
  CHECK_THROWS_WITH_AS(pki::check_request(make_request(k_id, 2048, true, true), k_id),
                       "certificate request: its signature does not verify (corrupted or tampered with)",
                       pki::PkiError);
  CHECK_THROWS_WITH_AS(
      pki::check_request("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", k_id),
      doctest::Contains("certificate request: not a PEM certificate request"), pki::PkiError);
  CHECK_THROWS_AS(pki::check_request("", k_id), pki::PkiError);
}

TEST_CASE("pki: a node certificate, field by field, verified in-process and by openssl verify")
{
  const auto ca_pem = pki::create_ca("kubectl-ko-ipsec CA", k_now, 2048);
  const auto ca = pki::load_ca(ca_pem.cert, ca_pem.key, "test", k_now);
  const auto checked = pki::check_request(make_request(k_id), k_id);
  const std::string pem = pki::sign_request(ca, checked, {730, k_now});
  const auto cert = parse_cert(pem);

  CHECK(X509_get_version(cert.get()) == 2);
  CHECK(X509_verify(cert.get(), X509_get0_pubkey(ca.cert.get())) == 1);
  CHECK(X509_get_signature_nid(cert.get()) == NID_sha256WithRSAEncryption);
  CHECK(extension_text(cert.get(), NID_basic_constraints) == "CA:FALSE (critical)");
  CHECK(extension_text(cert.get(), NID_key_usage) == "Digital Signature, Key Encipherment (critical)");
  CHECK(extension_text(cert.get(), NID_ext_key_usage) ==
        "TLS Web Server Authentication, TLS Web Client Authentication");
  CHECK(extension_text(cert.get(), NID_subject_alt_name) == "DNS:" + k_id);
  CHECK(X509_get_ext_by_NID(cert.get(), NID_authority_key_identifier, -1) >= 0);

  pki::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  CHECK(BN_num_bits(serial.get()) == 127); // 128-bit field, top bit clear so it stays positive
  CHECK_FALSE(BN_is_negative(serial.get()));
  const auto again = parse_cert(pki::sign_request(ca, checked, {730, k_now}));
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()), X509_get0_serialNumber(again.get())) != 0);

  const auto info = pki::inspect_certificate(pem, "node certificate", ca_pem.cert);
  CHECK(info.subject == "C=CN, O=kubeovn, CN=" + k_id);
  CHECK(info.issuer == "O=Kube-OVN, OU=ovn-ipsec, CN=kubectl-ko-ipsec CA");
  CHECK(info.common_name == k_id);
  CHECK(info.dns_names == std::vector<std::string>{k_id});
  CHECK_FALSE(info.is_ca);
  CHECK(info.issued_by_ca);
  CHECK(pki::days_left(info, k_now) == 729);
  CHECK(std::chrono::floor<std::chrono::seconds>(k_now - info.not_before).count() >= 60);

  const auto stranger = pki::create_ca("another CA", k_now, 2048);
  CHECK_FALSE(pki::inspect_certificate(pem, "node certificate", stranger.cert).issued_by_ca);

  if (testsupport::which("openssl").empty() && testsupport::skip_test("openssl verify: no openssl on PATH")) {
    return;
  }
  testsupport::TempDir dir;
  const auto ca_file = dir.write("ca.pem", ca_pem.cert);
  const auto cert_file = dir.write("cert.pem", pem);
  const auto ok = testsupport::run({"openssl", "verify", "-CAfile", ca_file, "-purpose", "sslserver", cert_file});
  CHECK_MESSAGE(ok.exit_code == 0, ok.out << ok.err);
  const auto wrong =
      testsupport::run({"openssl", "verify", "-CAfile", dir.write("other.pem", stranger.cert), cert_file});
  CHECK(wrong.exit_code != 0);
}

TEST_CASE("pki: the CA round-trips through Secret ovn-ipsec-ca (keys cacert/cakey) and a FakeCluster")
{
  const auto ca = pki::create_ca("kubectl-ko-ipsec CA", k_now, 2048);
  testsupport::FakeCluster cluster;
  cluster.create_secret(ipsec::ca_secret("kube-system", ca));
  const auto stored = cluster.get_secret("kube-system", "ovn-ipsec-ca");
  REQUIRE(stored.has_value());
  CHECK(stored->type == "Opaque");
  CHECK(stored->data.size() == 2);
  const auto back = ipsec::ca_from_secret(*stored);
  CHECK(back.cert == ca.cert);
  CHECK(back.key == ca.key);
  CHECK_NOTHROW(pki::load_ca(back.cert, back.key, "Secret kube-system/ovn-ipsec-ca", k_now));

  kube::Secret partial = *stored;
  partial.data.erase("cakey");
  CHECK_THROWS_WITH_AS(ipsec::ca_from_secret(partial),
                       "Secret kube-system/ovn-ipsec-ca has \"cacert\" without \"cakey\"", pki::PkiError);
}

TEST_CASE("pki: a certificate file as Kube-OVN >= 1.13 writes it (`openssl x509 -text`: a dump, then the PEM)")
{
  const auto ca_pem = pki::create_ca("ovn-ipsec CA", k_now, 2048);
  const auto ca = pki::load_ca(ca_pem.cert, ca_pem.key, "test", k_now);
  const std::string pem = pki::sign_request(ca, pki::check_request(make_request(k_id), k_id), {3650, k_now});
  // pkg/daemon/ipsec.go: `openssl x509 -outform pem -text -out ipsec-cert.pem`.
  const std::string text_form =
      "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: 1 (0x1)\n"
      "        Signature Algorithm: sha512WithRSAEncryption\n        Issuer: CN = ovn-ipsec CA\n" +
      pem;
  const auto info = pki::inspect_certificate(text_form, "node certificate", ca_pem.cert);
  CHECK(info.common_name == k_id);
  CHECK(info.issued_by_ca);
  CHECK(pki::days_left(info, k_now) == 3649);
}
