// `config view`: the rendered YAML (key order, quoting, no secrets) and the CLI wiring.

#include "cli/app.hpp"
#include "kube/kubeconfig.hpp"
#include "output/config_view.hpp"

#include "test_kube_kubeconfig_support.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

using kctest::fixture;

namespace {

std::vector<std::string>
keys(const std::string& yaml)
{
  std::vector<std::string> out;
  for (const auto& entry : YAML::Load(yaml)) {
    out.push_back(entry.first.as<std::string>());
  }
  return out;
}

using kctest::load;

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

CliRun
run_config_cli(const std::vector<std::string>& args, kube::Environment env = kctest::env_of())
{
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx(out, err);
  ctx.env = std::move(env);
  CliRun r;
  r.code = cli::run(args, ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

} // namespace

TEST_SUITE("kube.kubeconfig.view")
{
  TEST_CASE("token user: every key in the agreed order, no token")
  {
    const std::string text = output::render_config_view(load("good-token.yaml"), "kube-system");
    CHECK(keys(text) == std::vector<std::string>{"kubeconfig", "context", "cluster", "server", "certificateAuthority",
                                                 "user", "authKind", "contextNamespace", "namespace"});
    const YAML::Node y = YAML::Load(text);
    CHECK(y["kubeconfig"][0].as<std::string>() == fixture("good-token.yaml"));
    CHECK(y["certificateAuthority"].as<std::string>() == fixture("certs/ca.crt"));
    CHECK(y["authKind"].as<std::string>() == "token");
    CHECK(y["contextNamespace"].as<std::string>() == "team-a");
    CHECK(y["namespace"].as<std::string>() == "kube-system");
    CHECK(text.find("fixture-static-token") == std::string::npos);
  }

  TEST_CASE("certificate, data, basic, exec, token file, impersonation, TLS options")
  {
    auto text = output::render_config_view(load("good-data.yaml"), "ns");
    auto y = YAML::Load(text);
    CHECK(y["certificateAuthority"].as<std::string>() == "<data>");
    CHECK(y["clientCertificate"].as<std::string>() == "<data>");
    CHECK(y["clientKey"].as<std::string>() == "<data>");
    CHECK(text.find("PRIVATE KEY") == std::string::npos);

    y = YAML::Load(output::render_config_view(load("good-cert.yaml"), "ns"));
    CHECK(y["authKind"].as<std::string>() == "client-certificate");
    CHECK(y["clientKey"].as<std::string>() == fixture("certs/client.key"));

    text = output::render_config_view(load("good-basic.yaml"), "ns");
    CHECK(YAML::Load(text)["authKind"].as<std::string>() == "basic");
    CHECK(text.find("fixture-password") == std::string::npos);

    y = YAML::Load(output::render_config_view(load("good-exec.yaml"), "ns"));
    CHECK(y["exec"]["command"].as<std::string>() == fixture("plug/cred.sh"));
    CHECK(y["exec"]["apiVersion"].as<std::string>() == "client.authentication.k8s.io/v1");

    y = YAML::Load(output::render_config_view(load("good-tokenfile.yaml"), "ns"));
    CHECK(y["tokenFile"].as<std::string>() == fixture("tokens/token"));

    kube::ConfigOverrides o;
    o.as = "alice";
    o.as_groups = {"system:masters", "true"};
    o.as_uid = "7";
    text = output::render_config_view(load("good-ipv6.yaml", o), "ns");
    CHECK(keys(text) == std::vector<std::string>{"kubeconfig", "context", "cluster", "server", "certificateAuthority",
                                                 "tlsServerName", "insecureSkipTLSVerify", "user", "authKind",
                                                 "impersonate", "contextNamespace", "namespace"});
    y = YAML::Load(text);
    CHECK(y["server"].as<std::string>() == "https://[::1]:6443/k8s/clusters/c-1/?q=1#frag");
    CHECK(y["certificateAuthority"].as<std::string>() == "<system roots>");
    CHECK(y["tlsServerName"].as<std::string>() == "api.internal");
    CHECK(y["insecureSkipTLSVerify"].as<bool>());
    CHECK(y["impersonate"]["user"].as<std::string>() == "alice");
    CHECK(y["impersonate"]["groups"][1].as<std::string>() == "true");
    CHECK(text.find("\"true\"") != std::string::npos);
    CHECK(y["impersonate"]["uid"].as<std::string>() == "7");
  }

  TEST_CASE("names that YAML 1.1 would retype are quoted and read back as strings")
  {
    const std::string text = output::render_config_view(load("good-yaml11.yaml"), "no");
    const nlohmann::json j = kube::yaml_to_json(text);
    CHECK(j["context"] == "y");
    CHECK(j["cluster"] == "true");
    CHECK(j["user"] == "1e3");
    CHECK(j["contextNamespace"] == "no");
    CHECK(j["namespace"] == "no");
    CHECK(j["impersonate"]["groups"] == nlohmann::json({"on", "0x10"}));
  }

  TEST_CASE("in-cluster config is shown as inCluster")
  {
    kube::ClientConfig c;
    c.auth = kube::AuthKind::in_cluster;
    c.server = "https://10.96.0.1:443";
    c.endpoint.host = "10.96.0.1";
    c.endpoint.tls.server_name = "10.96.0.1";
    c.ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
    c.token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    c.context_namespace = "kube-system";
    const std::string text = output::render_config_view(c, "kube-system");
    CHECK(keys(text) == std::vector<std::string>{"inCluster", "server", "certificateAuthority", "authKind", "tokenFile",
                                                 "contextNamespace", "namespace"});
    CHECK(YAML::Load(text)["authKind"].as<std::string>() == "in-cluster");
  }

  TEST_CASE("`config view` through the CLI, with global flags after the subcommand")
  {
    auto r = run_config_cli({"config", "view", "--kubeconfig", fixture("good-token.yaml"), "-n", "ovn"});
    CHECK(r.code == 0);
    CHECK(YAML::Load(r.out)["namespace"].as<std::string>() == "ovn");
    CHECK(YAML::Load(r.out)["context"].as<std::string>() == "ctx");

    r = run_config_cli({"config", "view", "--context", "nosuch"},
                       kctest::env_of({{"KUBECONFIG", fixture("good-token.yaml")}}));
    CHECK(r.code == 1);
    CHECK(r.err.find("context \"nosuch\" does not exist") != std::string::npos);
    CHECK(r.out.empty());
  }
}
