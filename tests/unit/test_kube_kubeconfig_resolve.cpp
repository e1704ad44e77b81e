// Choosing context/cluster/user, flag overrides, kubectl's validation texts (observed with
// kubectl 1.32 on the same fixtures), our stricter checks, and the resulting ClientConfig.

#include "kube/kubeconfig.hpp"

#include "test_kube_kubeconfig_support.hpp"
#include "util/error.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using kctest::config_error;
using kctest::fixture;
using kctest::kubeconfig_flag;

namespace {

using kctest::load;

std::string
load_error(const std::string& name, kube::ConfigOverrides o = {})
{
  return config_error([&] { load(name, o); });
}

using testsupport::read_file;

} // namespace

TEST_SUITE("kube.kubeconfig.resolve")
{
  TEST_CASE("token user: names, namespace, endpoint, CA read from the file-relative path")
  {
    const auto c = load("good-token.yaml");
    CHECK(c.files == std::vector<std::string>{fixture("good-token.yaml")});
    CHECK(c.context_name == "ctx");
    CHECK(c.cluster_name == "c");
    CHECK(c.user_name == "u");
    CHECK(c.context_namespace == "team-a");
    CHECK(c.server == "https://127.0.0.1:1");
    CHECK(c.endpoint.host == "127.0.0.1");
    CHECK(c.endpoint.port == 1);
    CHECK(c.endpoint.base_path.empty());
    CHECK(c.endpoint.tls.server_name == "127.0.0.1");
    CHECK_FALSE(c.endpoint.tls.insecure_skip_verify);
    CHECK(c.ca_file == fixture("certs/ca.crt"));
    CHECK_FALSE(c.ca_from_data);
    CHECK(c.endpoint.tls.ca_pem == read_file(fixture("certs/ca.crt")));
    CHECK(c.auth == kube::AuthKind::token);
    CHECK(c.token == "fixture-static-token");
    CHECK(c.token_file.empty());
    CHECK_FALSE(c.exec);
  }

  TEST_CASE("client certificate from files and from data")
  {
    const auto files = load("good-cert.yaml");
    CHECK(files.auth == kube::AuthKind::client_certificate);
    CHECK(files.client_cert_file == fixture("certs/client.crt"));
    CHECK(files.client_key_file == fixture("certs/client.key"));
    CHECK_FALSE(files.client_cert_from_data);
    CHECK(files.endpoint.tls.client_cert_pem == read_file(fixture("certs/client.crt")));
    CHECK(files.endpoint.tls.client_key_pem == read_file(fixture("certs/client.key")));

    const auto data = load("good-data.yaml");
    CHECK(data.auth == kube::AuthKind::client_certificate);
    CHECK(data.ca_from_data);
    CHECK(data.ca_file.empty());
    CHECK(data.endpoint.tls.ca_pem == read_file(fixture("certs/ca.crt")));
    CHECK(data.client_cert_from_data);
    CHECK(data.client_cert_file.empty());
    CHECK(data.client_key_file.empty());
    CHECK(data.endpoint.tls.client_key_pem == read_file(fixture("certs/client.key")));
  }

  TEST_CASE("basic auth, token file, no user")
  {
    const auto basic = load("good-basic.yaml");
    CHECK(basic.auth == kube::AuthKind::basic);
    CHECK(basic.username == "admin");
    CHECK(basic.password == "fixture-password");

    const auto file = load("good-tokenfile.yaml");
    CHECK(file.auth == kube::AuthKind::token);
    CHECK(file.token.empty());
    CHECK(file.token_file == fixture("tokens/token"));

    const auto none = load("good-no-user.yaml");
    CHECK(none.auth == kube::AuthKind::none);
    CHECK(none.user_name.empty());
  }

  TEST_CASE("exec plugin: path resolved against the file, bare names kept, extension passed on")
  {
    const auto c = load("good-exec.yaml");
    CHECK(c.auth == kube::AuthKind::exec);
    REQUIRE(c.exec);
    CHECK(c.exec->command == fixture("plug/cred.sh"));
    CHECK(c.exec->api_version == "client.authentication.k8s.io/v1");
    CHECK(c.exec->args == std::vector<std::string>{"--flag", "two words"});
    CHECK(c.exec->env == std::vector<std::pair<std::string, std::string>>{{"FIXTURE", "1"}});
    CHECK(c.exec->interactive_mode == "Never");
    CHECK(c.exec->provide_cluster_info);
    CHECK(c.exec->install_hint == "install the fixture plugin");
    CHECK(c.exec->cluster_exec_extension_json == R"({"audience":"demo"})");

    const auto bare = load("good-exec-bare.yaml");
    CHECK(bare.exec->command == "fixture-cred-plugin-that-does-not-exist");
    CHECK(bare.exec->interactive_mode == "IfAvailable"); // v1beta1 default
  }

  TEST_CASE("IPv6 server with a path; query and fragment dropped; tls-server-name; insecure")
  {
    const auto c = load("good-ipv6.yaml");
    CHECK(c.endpoint.host == "::1");
    CHECK(c.endpoint.port == 6443);
    CHECK(c.endpoint.base_path == "/k8s/clusters/c-1");
    CHECK(c.endpoint.tls.server_name == "api.internal");
    CHECK(c.endpoint.tls.insecure_skip_verify);
    CHECK(c.endpoint.tls.ca_pem.empty());
  }

  TEST_CASE("quoted YAML 1.1 words stay names")
  {
    const auto c = load("good-yaml11.yaml");
    CHECK(c.context_name == "y");
    CHECK(c.cluster_name == "true");
    CHECK(c.user_name == "1e3");
    CHECK(c.context_namespace == "no");
    CHECK(c.impersonate_user == "yes");
    CHECK(c.impersonate_groups == std::vector<std::string>{"on", "0x10"});
  }

  TEST_CASE("--context, --cluster and --user must exist, checked in kubectl's order")
  {
    kube::ConfigOverrides o;
    o.context = "nosuch";
    CHECK(load_error("good-token.yaml", o) ==
          "context \"nosuch\" does not exist (kubeconfig " + fixture("good-token.yaml") + ")");
    o.user = "nouser";
    CHECK(load_error("good-token.yaml", o).rfind("auth info \"nouser\" does not exist", 0) == 0);
    o = {};
    o.cluster = "nocluster";
    CHECK(load_error("good-token.yaml", o).rfind("cluster \"nocluster\" does not exist", 0) == 0);
    o.context = "nosuch";
    CHECK(load_error("good-token.yaml", o).rfind("context \"nosuch\" does not exist", 0) == 0);
  }

  TEST_CASE("--context/--cluster/--user select other stanzas")
  {
    kube::ConfigOverrides o;
    o.kubeconfig = fixture("good-multi-a.yaml");
    o.context = "ctx-a";
    auto c = kube::load_client_config(o, kctest::env_of());
    CHECK(c.user_name == "user-a");
    CHECK(c.context_namespace == "from-a");
    o.context.clear();
    o.kubeconfig.clear();
    auto env = kctest::env_of({{"KUBECONFIG", fixture("good-multi-a.yaml") + ":" + fixture("sub/good-multi-b.yaml")}});
    o.cluster = "shared";
    o.user = "user-a";
    c = kube::load_client_config(o, env);
    CHECK(c.context_name == "ctx-b");
    CHECK(c.cluster_name == "shared");
    CHECK(c.server == "https://127.0.0.1:1");
    CHECK(c.user_name == "user-a");
    CHECK(c.token == "token-a");
  }

  TEST_CASE("--server replaces the server and clears tls-server-name unless given too")
  {
    kube::ConfigOverrides o;
    o.server = "https://10.0.0.1:8443/prefix/";
    auto c = load("good-ipv6.yaml", o);
    CHECK(c.server == "https://10.0.0.1:8443/prefix/");
    CHECK(c.endpoint.host == "10.0.0.1");
    CHECK(c.endpoint.base_path == "/prefix");
    CHECK(c.endpoint.tls.server_name == "10.0.0.1");
    o.tls_server_name = "other.name";
    c = load("good-ipv6.yaml", o);
    CHECK(c.endpoint.tls.server_name == "other.name");
  }

  TEST_CASE("--certificate-authority replaces CA data and insecure; --insecure-skip-tls-verify clears the CA")
  {
    kube::ConfigOverrides o;
    o.certificate_authority = fixture("certs/ca.crt");
    auto c = load("good-data.yaml", o);
    CHECK_FALSE(c.ca_from_data);
    CHECK(c.ca_file == fixture("certs/ca.crt"));
    c = load("good-ipv6.yaml", o); // insecure in the file
    CHECK_FALSE(c.endpoint.tls.insecure_skip_verify);
    CHECK(c.ca_file == fixture("certs/ca.crt"));

    o = {};
    o.insecure_skip_tls_verify = true;
    c = load("good-token.yaml", o);
    CHECK(c.endpoint.tls.insecure_skip_verify);
    CHECK(c.ca_file.empty());
    CHECK(c.endpoint.tls.ca_pem.empty());

    o.insecure_skip_tls_verify = false; // a zero value to kubectl's mergo: no effect
    c = load("good-ipv6.yaml", o);
    CHECK(c.endpoint.tls.insecure_skip_verify);

    o = {};
    o.certificate_authority = "/nonexistent/flag-ca.crt";
    CHECK(load_error("good-token.yaml", o) ==
          "unable to read certificate-authority /nonexistent/flag-ca.crt for c due to open /nonexistent/flag-ca.crt: "
          "no such file or directory (--certificate-authority flag)");
  }

  TEST_CASE("client certificate flags replace both file and data")
  {
    kube::ConfigOverrides o;
    o.client_certificate = fixture("certs/client.crt");
    o.client_key = fixture("certs/client.key");
    const auto c = load("good-data.yaml", o);
    CHECK_FALSE(c.client_cert_from_data);
    CHECK(c.client_cert_file == fixture("certs/client.crt"));
    CHECK(c.client_key_file == fixture("certs/client.key"));
  }

  TEST_CASE("--token, --username/--password, and impersonation flags")
  {
    kube::ConfigOverrides o;
    o.token = "flag-token";
    auto c = load("good-tokenfile.yaml", o);
    CHECK(c.token == "flag-token");
    CHECK(c.token_file == fixture("tokens/token")); // kubectl still prefers the readable file
    o = {};
    o.username = "bob";
    CHECK(load_error("good-token.yaml", o) == "more than one authentication method found for u; found [token "
                                              "basicAuth], only one is allowed (user \"u\" in " +
                                                  fixture("good-token.yaml") + ")");
    o = {};
    o.as = "alice";
    o.as_groups = {"g1", "g2"};
    o.as_uid = "42";
    c = load("good-token.yaml", o);
    CHECK(c.impersonate_user == "alice");
    CHECK(c.impersonate_groups == std::vector<std::string>{"g1", "g2"});
    CHECK(c.impersonate_uid == "42");
    o.as.clear();
    CHECK(load_error("good-token.yaml", o)
              .rfind("requesting uid, groups or user-extra for u without impersonating a user", 0) == 0);
  }

  TEST_CASE("every bad fixture fails with kubectl's text and names the file")
  {
    const std::string d = kctest::fixture_dir();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"bad-yaml.yaml", "error loading config file \"" + d + "/bad-yaml.yaml\": yaml: line "},
        {"bad-y-context.yaml",
         "json: cannot unmarshal bool into Go struct field NamedContext.contexts.name of type string"},
        {"bad-number-name.yaml",
         "json: cannot unmarshal number into Go struct field NamedCluster.clusters.name of type string"},
        {"bad-bool-string.yaml", "json: cannot unmarshal string into Go struct field "
                                 "Cluster.clusters.cluster.insecure-skip-tls-verify of type bool"},
        {"bad-kind.yaml", "no kind \"Pod\" is registered for version \"v1\""},
        {"bad-duplicate-user.yaml",
         "error converting *[]NamedAuthInfo into *map[string]*api.AuthInfo: duplicate name \"u\" in list"},
        {"bad-base64.yaml", "illegal base64 data at input byte 2"},
        {"bad-ca-both.yaml", "certificate-authority-data and certificate-authority are both specified for c. "
                             "certificate-authority-data will override."},
        {"bad-ca-missing.yaml", "unable to read certificate-authority " + d +
                                    "/certs/nonexistent.crt for c due to open " + d +
                                    "/certs/nonexistent.crt: no such file or directory"},
        {"bad-tilde.yaml", "unable to read certificate-authority " + d + "/~/ca.crt for c due to open " + d +
                               "/~/ca.crt: no such file or directory"},
        {"bad-cert-both.yaml",
         "client-cert-data and client-cert are both specified for u. client-cert-data will override."},
        {"bad-key-both.yaml", "client-key-data and client-key are both specified for u; client-key-data will override"},
        {"bad-cert-no-key.yaml",
         "client-key-data or client-key must be specified for u to use the clientCert authentication method."},
        {"bad-token-basic.yaml",
         "more than one authentication method found for u; found [token basicAuth], only one is allowed"},
        {"bad-authprovider-exec.yaml", "authProvider cannot be provided in combination with an exec plugin for u"},
        {"bad-exec-incomplete.yaml", "):\n* command must be specified for u to use exec authentication plugin\n"
                                     "* apiVersion must be specified for u to use exec authentication plugin\n"
                                     "* env variable name must be specified for u to use exec authentication plugin\n"
                                     "* interactiveMode must be specified for u to use exec authentication plugin"},
        {"bad-exec-v1-no-interactive.yaml",
         "interactiveMode must be specified for u to use exec authentication plugin"},
        {"bad-exec-v1alpha1.yaml", "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\""},
        {"bad-exec-interactive-mode.yaml", "invalid interactiveMode for u: \"Sometimes\""},
        {"bad-impersonate.yaml", "requesting uid, groups or user-extra for u without impersonating a user"},
        {"bad-tokenfile-missing.yaml", "open " + d + "/tokens/nonexistent: no such file or directory"},
        {"bad-current-context.yaml", "context was not found for specified context: missing"},
        {"bad-insecure-with-ca.yaml", "specifying a root certificates file with the insecure flag is not allowed"},
        {"bad-proxy-scheme.yaml",
         "proxy-url is not supported by kubectl-ko-ipsec (cluster \"c\" in " + d + "/bad-proxy-scheme.yaml)"},
        {"bad-garbage-ca.yaml", "unable to load root certificates: unable to parse bytes as PEM block"},
        {"bad-garbage-ca-data.yaml", "unable to load root certificates: unable to parse bytes as PEM block"},
        // Stricter than kubectl (it would go on to localhost:8080, plain http, a proxy, no credentials...).
        {"strict-context-missing-cluster.yaml",
         "cluster \"nosuch\" was not found for context \"ctx\" (context \"ctx\" in " + d +
             "/strict-context-missing-cluster.yaml)"},
        {"strict-context-missing-user.yaml", "user \"nosuch\" was not found for context \"ctx\""},
        {"strict-proxy-url.yaml", "proxy-url is not supported by kubectl-ko-ipsec"},
        {"strict-http-server.yaml", "uses http: kubectl-ko-ipsec only talks https"},
        {"strict-no-scheme.yaml", "has no scheme: kubectl would talk plain http to it"},
        {"strict-no-server.yaml", "no server found for cluster \"c\""},
        {"strict-tokenfile-empty.yaml", "read empty token from file \"" + d + "/tokens/empty\""},
        {"strict-key-mismatch.yaml", "tls: private key does not match public key"},
    };
    for (const auto& item : cases) {
      const auto& file = std::get<0>(item);
      const auto& expected = std::get<1>(item); // clang 14: no lambda capture of bindings
      CAPTURE(item.first);                      // clang 14 cannot capture a structured binding
      const std::string error = load_error(file);
      CHECK_MESSAGE(error.find(expected) != std::string::npos, error);
      CHECK_MESSAGE(error.find(d + "/" + file) != std::string::npos, error);
      CHECK(error.find("sekrit") == std::string::npos);
    }
  }

  TEST_CASE("several problems use kubectl's aggregate layout and order")
  {
    const std::string f = fixture("bad-multiple.yaml");
    const std::string user = " (user \"u\" in " + f + ")";
    const std::string cluster = " (cluster \"c\" in " + f + ")";
    CHECK(load_error("bad-multiple.yaml") ==
          "invalid configuration:\n"
          "* client-cert-data and client-cert are both specified for u. client-cert-data will override." +
              user +
              "\n"
              "* client-key-data or client-key must be specified for u to use the clientCert authentication method." +
              user +
              "\n"
              "* unable to read client-cert /nonexistent/client.crt for u due to open /nonexistent/client.crt: no such "
              "file or directory" +
              user +
              "\n"
              "* more than one authentication method found for u; found [token basicAuth], only one is allowed" +
              user +
              "\n"
              "* certificate-authority-data and certificate-authority are both specified for c. "
              "certificate-authority-data will override." +
              cluster +
              "\n"
              "* unable to read certificate-authority /nonexistent/ca.crt for c due to open /nonexistent/ca.crt: no "
              "such file or directory" +
              cluster);
  }

  TEST_CASE("server URLs: https only, default port, IPv6, path kept, query/fragment dropped")
  {
    kube::Endpoint e;
    kube::parse_server_url("https://example.com", e);
    CHECK(e.host == "example.com");
    CHECK(e.port == 443);
    CHECK(e.base_path.empty());
    kube::parse_server_url("HTTPS://[fd00::1]:6443/", e);
    CHECK(e.host == "fd00::1");
    CHECK(e.port == 6443);
    CHECK(e.base_path.empty());
    kube::parse_server_url("https://h:1/a/b?x=1#f", e);
    CHECK(e.base_path == "/a/b");
    kube::parse_server_url("https://h#f", e);
    CHECK(e.base_path.empty());
    CHECK_THROWS_WITH_AS(kube::parse_server_url("http://h", e), doctest::Contains("uses http"), kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("h:6443", e), doctest::Contains("has no scheme"), kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("ftp://h", e), doctest::Contains("unsupported scheme \"ftp\""),
                         kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("https://h:99999", e), doctest::Contains("invalid port \"99999\""),
                         kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("https://:8443", e), doctest::Contains("no host"), kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("https://[::1:6443", e), doctest::Contains("missing ']'"),
                         kube::ConfigError);
    CHECK_THROWS_WITH_AS(kube::parse_server_url("https://h x", e), doctest::Contains("invalid character"),
                         kube::ConfigError);
    for (const std::string url :
         {"https://admin:hunter2@h", "https://admin:hunter2@h x", "admin:hunter2@h", "http://admin:hunter2@h:99999"}) {
      try {
        kube::parse_server_url(url, e);
        FAIL("userinfo accepted");
      } catch (const kube::ConfigError& error) {
        CHECK(std::string(error.what()) == "the server URL must not contain a user name or password");
      }
    }
  }
}
