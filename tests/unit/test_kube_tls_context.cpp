// PEM parsing and SSL_CTX set-up (no network). The PEMs below are throwaway self-signed
// EC test certificates made for this file with `openssl req -x509 -newkey ec`; they secure nothing.

#include "kube/errors.hpp"
#include "kube/system_trust.hpp"
#include "kube/tls_context.hpp"

#include <doctest/doctest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace kube;

namespace {

const std::string k_cert1 = R"(-----BEGIN CERTIFICATE-----
MIIBgjCCASegAwIBAgIUS1McANNCZZOhcGeJ/jObkAFRz/owCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa29pLXRlc3QtMTAgFw0yNjExMjcxODU4MTNaGA8yMTI2MTEw
MzE4NTgxM1owFTETMBEGA1UEAwwKa29pLXRlc3QtMTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABO9O+rR1OLoG122E1lU/sKJUswnOnDXYx8l9tMB+VumBnh7dx3wD
XqFxPh8RNmIhnv6lZGw+ahyILnP1IF1xFDqjUzBRMB0GA1UdDgQWBBTCocsp2b4S
kIWJAy7PLIS0HYde1DAfBgNVHSMEGDAWgBTCocsp2b4SkIWJAy7PLIS0HYde1DAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQC/lbQU2CaeYKxGuRMu
pCoOR1+7B938QKqKCdZ12moLawIhAPT7tl3ma3ynZ+sySWLTcYPsoWNt/jpqGg/O
Ytw7OMzz
-----END CERTIFICATE-----
)";
const std::string k_cert2 = R"(-----BEGIN CERTIFICATE-----
MIIBgTCCASegAwIBAgIUMpbx3vT63reLNVI0hm3Zqdll/KowCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa29pLXRlc3QtMjAgFw0yNjExMjcxODU4MTNaGA8yMTI2MTEw
MzE4NTgxM1owFTETMBEGA1UEAwwKa29pLXRlc3QtMjBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABPC1E7/XPxwgU7APq3sLVstiGoPyZ5v62Upbs9E4lukb2Go+6w2b
Jxynsx2ClyBD3GNOxkLhQicrGBYNRKndR0CjUzBRMB0GA1UdDgQWBBSKF/VHDL2d
3dKJ7ThhfI3U8+TkXjAfBgNVHSMEGDAWgBSKF/VHDL2d3dKJ7ThhfI3U8+TkXjAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIHOgQHGbLk1bvQcRDekJ
Pr7XA0Hmzvct+XRadTeczGjzAiEAre0v3s4CxYOT+RdBJJmnxyA1jb2dlsFgzfPE
cfGaRd8=
-----END CERTIFICATE-----
)";
const std::string k_key1 = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYcMTjKOSdmWP9br1
zylWgNx19tC6H5gMm/vhoomdvpahRANCAATvTvq0dTi6BtdthNZVP7CiVLMJzpw1
2MfJfbTAflbpgZ4e3cd8A16hcT4fETZiIZ7+pWRsPmociC5z9SBdcRQ6
-----END PRIVATE KEY-----
)";
const std::string k_key2 = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVYVTL+biacYnE8wq
5fI6P7hG/aoDZSsaaDa6FJf5C5ehRANCAATwtRO/1z8cIFOwD6t7C1bLYhqD8meb
+tlKW7PROJbpG9hqPusNmyccp7MdgpcgQ9xjTsZC4UInKxgWDUSp3UdA
-----END PRIVATE KEY-----
)";
const std::string k_key1_encrypted = R"(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjShVkb/tGjzgICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEPv6BS0hfVE1K9cpIOLqYXQEgZAF
V2zDwdyDxlbnj0JnLQAID+A6u1phgiz9iqDxVONNb8LLkV8Ki784Vep5cmQcvxXJ
3D6viI4XpV/yECgY+MGYBEDRYeFiY3G/GABIVHSq7Apyo7NA+VX2wHlHX5ONqU5Q
rPGwYv3xUlQZ8SQ8oetQqMMXQnB1Lcl3OjGb1QteNlxHVrWEyxyiqronkA9BBYM=
-----END ENCRYPTED PRIVATE KEY-----
)";

std::string
common_name(X509* cert)
{
  char buf[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

} // namespace

TEST_CASE("kube::parse_pem_certificates keeps every certificate in order")
{
  const auto chain = parse_pem_certificates("junk before\n" + k_cert1 + k_cert2, "client certificate");
  REQUIRE(chain.size() == 2);
  CHECK(common_name(chain[0].get()) == "koi-test-1");
  CHECK(common_name(chain[1].get()) == "koi-test-2");

  CHECK_THROWS_WITH_AS(parse_pem_certificates("", "client certificate"),
                       "client certificate contains no PEM certificate", ConfigError);
  CHECK_THROWS_WITH_AS(parse_pem_certificates(k_key1, "CA data"), "CA data contains no PEM certificate", ConfigError);
  std::string broken = k_cert1;
  broken.replace(broken.find("MIIB"), 4, "!!!!");
  CHECK_THROWS_AS(parse_pem_certificates(broken, "CA data"), ConfigError);
}

TEST_CASE("kube::parse_pem_private_key")
{
  CHECK(parse_pem_private_key(k_key1, "client key") != nullptr);
  CHECK_THROWS_WITH_AS(parse_pem_private_key(k_cert1, "client key"), "client key contains no PEM private key",
                       ConfigError);
  // Never prompts for a passphrase.
  CHECK_THROWS_WITH_AS(parse_pem_private_key(k_key1_encrypted, "client key"),
                       "client key is encrypted; a passphrase-protected key is not supported", ConfigError);
}

TEST_CASE("kube::make_x509_store and is_ip_literal")
{
  CHECK(make_x509_store(k_cert1 + k_cert2, "CA data") != nullptr);
  CHECK_THROWS_AS(make_x509_store("", "CA data"), ConfigError);
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK(is_ip_literal("::1"));
  CHECK(is_ip_literal("fd00::10:1"));
  CHECK_FALSE(is_ip_literal("[::1]"));
  CHECK_FALSE(is_ip_literal("localhost"));
  CHECK_FALSE(is_ip_literal("1.2.3"));
}

TEST_CASE("kube::make_ssl_ctx applies a TlsConfig")
{
  TlsConfig tls;
  tls.ca_pem = k_cert1;
  tls.server_name = "kubernetes.test";
  SslCtxPtr ctx = make_ssl_ctx(tls);
  REQUIRE(ctx != nullptr);
  CHECK(SSL_CTX_get_verify_mode(ctx.get()) == SSL_VERIFY_PEER);
  CHECK(SSL_CTX_get_min_proto_version(ctx.get()) == TLS1_2_VERSION);

  tls.client_cert_pem = k_cert1 + k_cert2; // leaf plus a chain certificate
  tls.client_key_pem = k_key1;
  CHECK(make_ssl_ctx(tls) != nullptr);

  tls.client_key_pem = k_key2;
  CHECK_THROWS_AS(make_ssl_ctx(tls), ConfigError);
  tls.client_key_pem.clear();
  CHECK_THROWS_WITH_AS(make_ssl_ctx(tls), "a client certificate is set without a client key", ConfigError);

  TlsConfig nameless;
  CHECK_THROWS_WITH_AS(make_ssl_ctx(nameless), "no server name to verify the API server certificate against",
                       ConfigError);
  nameless.insecure_skip_verify = true;
  SslCtxPtr insecure = make_ssl_ctx(nameless);
  CHECK(SSL_CTX_get_verify_mode(insecure.get()) == SSL_VERIFY_NONE);
}

TEST_CASE("kube::system_trust_locations looks where kubectl (Go's crypto/x509) looks")
{
  std::map<std::string, std::string> env;
  std::set<std::string> present;
  const auto getenv = [&](const std::string& name) -> std::optional<std::string> {
    auto found = env.find(name);
    return found == env.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  const auto exists = [&](const std::string& path) { return present.count(path) > 0; };

  SUBCASE("nothing there: every place is named, in Go's order")
  {
    const SystemTrustLocations where = system_trust_locations(getenv, exists);
    CHECK(where.file.empty());
    CHECK(where.dirs.empty());
    CHECK(where.looked_in == std::vector<std::string>{"/etc/ssl/certs/ca-certificates.crt",
                                                      "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
                                                      "/etc/pki/tls/cacert.pem",
                                                      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                                                      "/etc/ssl/cert.pem", "/etc/ssl/certs", "/etc/pki/tls/certs"});
  }
  SUBCASE("Fedora: the first bundle that exists, and the directories that exist")
  {
    present = {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/pki/tls/certs"};
    const SystemTrustLocations where = system_trust_locations(getenv, exists);
    CHECK(where.file == "/etc/pki/tls/certs/ca-bundle.crt");
    CHECK(where.dirs == std::vector<std::string>{"/etc/pki/tls/certs"});
  }
  SUBCASE("SSL_CERT_FILE and SSL_CERT_DIR replace the lists")
  {
    present = {"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs", "/opt/ca.pem", "/opt/a", "/opt/b"};
    env = {{"SSL_CERT_FILE", "/opt/ca.pem"}, {"SSL_CERT_DIR", "/opt/a::/opt/missing:/opt/b:"}};
    const SystemTrustLocations where = system_trust_locations(getenv, exists);
    CHECK(where.file == "/opt/ca.pem");
    CHECK(where.dirs == std::vector<std::string>{"/opt/a", "/opt/b"});
    env = {{"SSL_CERT_FILE", "/opt/none.pem"}};
    CHECK(system_trust_locations(getenv, exists).file.empty());
  }
}
