// Which files are read and merged (--kubeconfig, $KUBECONFIG, ~/.kube/config), file errors,
// the in-cluster fallback, and the "nothing configured" errors.

#include "kube/kubeconfig.hpp"

#include "support/test_apiserver.hpp"
#include "test_kube_kubeconfig_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

using kctest::config_error;
using kctest::env_of;
using kctest::fixture;

namespace {

const std::string k_minimal =
    "current-context: ctx\nclusters:\n- name: c\n  cluster: {server: \"https://10.1.1.1\"}\n"
    "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n";

// A service-account directory like the kubelet mounts.
void
write_service_account(const testsupport::TempDir& dir, bool with_namespace = true)
{
  dir.write("sa/token", "  in-cluster-token\n");
  dir.write("sa/ca.crt", [] {
    std::ifstream in(fixture("certs/ca.crt"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  if (with_namespace) {
    dir.write("sa/namespace", "from-file\n");
  }
}

} // namespace

TEST_SUITE("kube.kubeconfig.load")
{
  TEST_CASE("--kubeconfig must exist and is the only file read")
  {
    CHECK(config_error([] { kube::load_client_config(kctest::kubeconfig_flag("/nonexistent/kc"), env_of()); }) ==
          "stat /nonexistent/kc: no such file or directory");
    const auto c = kube::load_client_config(kctest::kubeconfig_flag(fixture("good-token.yaml")),
                                            env_of({{"KUBECONFIG", fixture("good-basic.yaml")}}));
    CHECK(c.files == std::vector<std::string>{fixture("good-token.yaml")});
    CHECK(c.auth == kube::AuthKind::token);
  }

  TEST_CASE("$KUBECONFIG: missing entries skipped, duplicates and empty entries dropped, first wins")
  {
    const std::string a = fixture("good-multi-a.yaml");
    const std::string b = fixture("sub/good-multi-b.yaml");
    auto c = kube::load_client_config({}, env_of({{"KUBECONFIG", "/nonexistent/x::" + a + ":" + b + ":" + a}}));
    CHECK(c.files == std::vector<std::string>{a, b});
    CHECK(c.context_name == "ctx-b"); // a sets no current-context
    CHECK(c.cluster_name == "cluster-b");
    CHECK(c.ca_file == fixture("certs/ca.crt"));    // ../certs/ca.crt from sub/
    CHECK(c.token_file == fixture("tokens/token")); // ../tokens/token from sub/

    kube::ConfigOverrides o;
    o.context = "ctx-a"; // defined in both: a's definition wins whole
    c = kube::load_client_config(o, env_of({{"KUBECONFIG", a + ":" + b}}));
    CHECK(c.cluster_name == "shared");
    CHECK(c.server == "https://127.0.0.1:1");
    CHECK(c.context_namespace == "from-a");
    c = kube::load_client_config(o, env_of({{"KUBECONFIG", b + ":" + a}}));
    CHECK(c.cluster_name == "cluster-b");
    CHECK(c.context_namespace == "from-b");
  }

  TEST_CASE("~/.kube/config from $HOME when $KUBECONFIG is unset or empty")
  {
    testsupport::TempDir home;
    home.write(".kube/config", k_minimal);
    auto c = kube::load_client_config({}, env_of({{"HOME", home.path()}}));
    CHECK(c.files == std::vector<std::string>{home.path() + "/.kube/config"});
    CHECK(c.server == "https://10.1.1.1");
    c = kube::load_client_config({}, env_of({{"HOME", home.path()}, {"KUBECONFIG", ""}}));
    CHECK(c.server == "https://10.1.1.1");
  }

  TEST_CASE("no kubeconfig and not in a pod: our own error, not kubectl's localhost:8080")
  {
    const std::string expected = "no kubeconfig found: set --kubeconfig or $KUBECONFIG, or create ~/.kube/config";
    CHECK(config_error([] { kube::load_client_config({}, env_of()); }) == expected);
    CHECK(config_error([] { kube::load_client_config({}, env_of({{"HOME", "/nonexistent"}})); }) == expected);
    CHECK(config_error([] {
            kube::load_client_config({}, env_of({{"KUBECONFIG", "/nonexistent/a:/nonexistent/b"}}));
          }) == expected);
  }

  TEST_CASE("a kubeconfig without current-context is not enough")
  {
    testsupport::TempDir dir;
    const std::string path = dir.write("kc", "contexts:\n- name: x\n  context: {cluster: c}\n");
    CHECK(config_error([&] { kube::load_client_config(kctest::kubeconfig_flag(path), env_of()); }) ==
          "current-context is not set (kubeconfig " + path + "): choose a context with --context");
    const std::string empty = dir.write("empty", "foo: bar\n");
    CHECK(config_error([&] { kube::load_client_config(kctest::kubeconfig_flag(empty), env_of()); }) ==
          "no context to use: kubeconfig " + empty + " defines no contexts");
  }

  TEST_CASE("unreadable files are errors, several are aggregated")
  {
    testsupport::TempDir dir;
    const std::string sub = dir.path() + "/adir";
    dir.write("adir/x", "");
    CHECK(config_error([&] {
            kube::load_client_config({}, env_of({{"KUBECONFIG", sub}}));
          }) == "error loading config file \"" + sub + "\": read " + sub + ": is a directory");
    const std::string bad = dir.write("bad.yaml", "current-context: [\n");
    const std::string error = config_error([&] {
      kube::load_client_config({}, env_of({{"KUBECONFIG", sub + ":" + bad}}));
    });
    CHECK(error.rfind("invalid configuration:\n* error loading config file \"" + sub + "\"", 0) == 0);
    CHECK(error.find("\n* error loading config file \"" + bad + "\": yaml: line ") != std::string::npos);
  }

  TEST_CASE("in-cluster config when nothing is configured")
  {
    testsupport::TempDir dir;
    write_service_account(dir);
    const auto env =
        env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}, dir.path() + "/sa");
    auto c = kube::load_client_config({}, env);
    CHECK(c.auth == kube::AuthKind::in_cluster);
    CHECK(c.files.empty());
    CHECK(c.context_name.empty());
    CHECK(c.server == "https://10.96.0.1:443");
    CHECK(c.endpoint.host == "10.96.0.1");
    CHECK(c.endpoint.port == 443);
    CHECK(c.token_file == dir.path() + "/sa/token");
    CHECK(c.ca_file == dir.path() + "/sa/ca.crt");
    CHECK_FALSE(c.endpoint.tls.ca_pem.empty());
    CHECK(c.context_namespace == "from-file");

    const auto v6 = env_of(
        {{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}, {"POD_NAMESPACE", "from-env"}},
        dir.path() + "/sa");
    c = kube::load_client_config({}, v6);
    CHECK(c.server == "https://[fd00::1]:6443");
    CHECK(c.endpoint.host == "fd00::1");
    CHECK(c.context_namespace == "from-env");

    kube::ConfigOverrides o;
    o.token = "flag-token";
    o.as = "someone";
    c = kube::load_client_config(o, env);
    CHECK(c.token == "flag-token");
    CHECK(c.token_file.empty());
    CHECK(c.impersonate_user == "someone");
  }

  TEST_CASE("in-cluster is not used when a kubeconfig selects a cluster, or without env vars or token")
  {
    testsupport::TempDir dir;
    write_service_account(dir, false);
    const std::string kc = dir.write("kc", k_minimal);
    auto env =
        env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}, {"KUBECONFIG", kc}},
               dir.path() + "/sa");
    CHECK(kube::load_client_config({}, env).server == "https://10.1.1.1");

    // A kubeconfig without current-context counts as "nothing configured", as for kubectl.
    const std::string no_context =
        dir.write("no-context", "clusters:\n- name: c\n  cluster: {server: \"https://x\"}\n");
    env = env_of(
        {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}, {"KUBECONFIG", no_context}},
        dir.path() + "/sa");
    auto c = kube::load_client_config({}, env);
    CHECK(c.auth == kube::AuthKind::in_cluster);
    CHECK(c.context_namespace.empty());

    CHECK(config_error([&] {
            kube::load_client_config({}, env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}, dir.path() + "/sa"));
          }).rfind("no kubeconfig found", 0) == 0);
    CHECK(config_error([&] {
            kube::load_client_config({}, env_of({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "443"}},
                                                dir.path() + "/nosa"));
          }).rfind("no kubeconfig found", 0) == 0);
    dir.write("empty-sa/token", "\n");
    CHECK(config_error([&] {
            kube::load_client_config({}, env_of({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "443"}},
                                                dir.path() + "/empty-sa"));
          }).rfind("read empty token from file", 0) == 0);
  }
}
