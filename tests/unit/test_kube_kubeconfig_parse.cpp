// Decoding one kubeconfig file the way kubectl 1.32 does: YAML 1.1 scalars, Go's JSON type
// errors (texts observed with kubectl), base64, duplicate names, merging, paths.

#include "kube/kubeconfig_parse.hpp"

#include "test_kube_kubeconfig_support.hpp"
#include "util/base64.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using kube::parse_kubeconfig;
using kube::yaml_to_json;
using nlohmann::json;

namespace {

std::string
parse_error(const std::string& text)
{
  return kctest::config_error([&] { parse_kubeconfig(text, "f.yaml", "/d/f.yaml"); });
}

std::string
load_prefix()
{
  return "error loading config file \"f.yaml\": ";
}

} // namespace

TEST_SUITE("kube.kubeconfig.parse")
{
  TEST_CASE("YAML 1.1 plain scalars are typed like yaml.v2")
  {
    const json j = yaml_to_json("a: y\nb: Off\nc: \"yes\"\nd: 0x10\ne: 0777\nf: 1_000\ng: 1e3\nh: -.5\n"
                                "i: 1:30\nj: 2001-12-14\nk: oFF\nl: ~\nm:\nnq: 'on'\no: !!str true\np: .5\nq: +12\n"
                                "r: 0b101\ns: 08\nt: hello\nu: |\n  yes\n");
    CHECK(j["a"] == true);
    CHECK(j["b"] == false);
    CHECK(j["c"] == "yes");
    CHECK(j["d"] == 16);
    CHECK(j["e"] == 511);
    CHECK(j["f"] == 1000);
    CHECK(j["g"] == 1000);
    CHECK(j["h"] == -0.5);
    CHECK(j["i"] == "1:30");
    CHECK(j["j"] == "2001-12-14");
    CHECK(j["k"] == "oFF");
    CHECK(j["l"].is_null());
    CHECK(j["m"].is_null());
    CHECK(j["nq"] == "on");
    CHECK(j["o"] == "true");
    CHECK(j["p"] == 0.5);
    CHECK(j["q"] == 12);
    CHECK(j["r"] == 5);
    CHECK(j["s"] == 8); // not octal, but still a number (float syntax)
    CHECK(j["t"] == "hello");
    CHECK(j["u"] == "yes\n");
  }

  TEST_CASE("map keys are stringified, later duplicates win, << merges")
  {
    const json j = yaml_to_json("n: [1, 2]\n1.5: x\ntrue: t\na: first\na: second\nbase: &b {x: 1, w: 2}\n"
                                "derived:\n  <<: *b\n  w: 3\n");
    CHECK(j.contains("false"));
    CHECK(j.contains("1.5"));
    CHECK(j.contains("true"));
    CHECK(j["a"] == "second");
    CHECK(j["derived"] == json({{"x", 1}, {"w", 3}}));
  }

  TEST_CASE("NaN, Inf and broken YAML fail with Go's words")
  {
    CHECK_THROWS_WITH_AS(yaml_to_json("a: .nan\n"), "json: unsupported value: NaN", util::Error);
    CHECK_THROWS_WITH_AS(yaml_to_json("a: .inf\n"), "json: unsupported value: +Inf", util::Error);
    CHECK_THROWS_WITH_AS(yaml_to_json("a: -.Inf\n"), "json: unsupported value: -Inf", util::Error);
    CHECK_THROWS_WITH_AS(yaml_to_json("a: [\n"), doctest::Contains("yaml: line "), util::Error);
    CHECK(parse_error("clusters: [\n").rfind(load_prefix() + "yaml: line ", 0) == 0);
  }

  TEST_CASE("type errors name the Go struct field like kubectl")
  {
    // Each expected text was printed by kubectl 1.32 for the same document.
    CHECK(parse_error("contexts:\n- name: y\n  context: {cluster: c}\n") ==
          load_prefix() + "json: cannot unmarshal bool into Go struct field NamedContext.contexts.name of type string");
    CHECK(parse_error("clusters:\n- name: 123\n  cluster: {server: x}\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field NamedCluster.clusters.name of type string");
    CHECK(parse_error("clusters:\n- name: c\n  cluster: {server: x, insecure-skip-tls-verify: \"true\"}\n") ==
          load_prefix() + "json: cannot unmarshal string into Go struct field "
                          "Cluster.clusters.cluster.insecure-skip-tls-verify of type bool");
    CHECK(parse_error("clusters: {a: b}\n") ==
          load_prefix() +
              "json: cannot unmarshal object into Go struct field Config.clusters of type []v1.NamedCluster");
    CHECK(parse_error("clusters:\n- 5\n") ==
          load_prefix() + "json: cannot unmarshal number into Go struct field Config.clusters of type v1.NamedCluster");
    CHECK(parse_error("clusters:\n- name: c\n  cluster: 5\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field NamedCluster.clusters.cluster of type v1.Cluster");
    CHECK(parse_error("contexts:\n- name: c\n  context: {cluster: 1.5}\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field Context.contexts.context.cluster of type string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    exec: {command: x, args: [1, a]}\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field ExecConfig.users.user.exec.args of type string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    exec: {command: x, args: a}\n") ==
          load_prefix() +
              "json: cannot unmarshal string into Go struct field ExecConfig.users.user.exec.args of type []string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    exec: {env: [{name: 1, value: x}]}\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field ExecEnvVar.users.user.exec.env.name of type string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    exec: {interactiveMode: 5}\n") ==
          load_prefix() + "json: cannot unmarshal number into Go struct field "
                          "ExecConfig.users.user.exec.interactiveMode of type v1.ExecInteractiveMode");
    CHECK(parse_error("users:\n- name: u\n  user:\n    exec: 5\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field AuthInfo.users.user.exec of type v1.ExecConfig");
    CHECK(parse_error("users:\n- name: u\n  user:\n    as-groups: [true]\n") ==
          load_prefix() +
              "json: cannot unmarshal bool into Go struct field AuthInfo.users.user.as-groups of type string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    as-user-extra: {a: 5}\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field AuthInfo.users.user.as-user-extra of type []string");
    CHECK(parse_error("users:\n- name: u\n  user:\n    auth-provider: {config: {a: 1}}\n") ==
          load_prefix() + "json: cannot unmarshal number into Go struct field "
                          "AuthProviderConfig.users.user.auth-provider.config of type string");
    CHECK(parse_error("clusters:\n- name: c\n  cluster: {certificate-authority-data: 5}\n") ==
          load_prefix() + "json: cannot unmarshal number into Go struct field "
                          "Cluster.clusters.cluster.certificate-authority-data of type []uint8");
    CHECK(parse_error("current-context: 0x10\n") ==
          load_prefix() + "json: cannot unmarshal number into Go struct field Config.current-context of type string");
    CHECK(parse_error("current-context: [a]\n") ==
          load_prefix() + "json: cannot unmarshal array into Go struct field Config.current-context of type string");
    CHECK(parse_error("preferences: 5\n") ==
          load_prefix() +
              "json: cannot unmarshal number into Go struct field Config.preferences of type v1.Preferences");
  }

  TEST_CASE("the first error in sorted key order is reported, as Go does")
  {
    // kubectl reported the cluster field although current-context comes first in the file.
    CHECK(parse_error("current-context: yes\nclusters:\n- name: c\n  cluster: {server: 12, insecure-skip-tls-verify: "
                      "\"true\"}\n") == load_prefix() +
                                            "json: cannot unmarshal string into Go struct field "
                                            "Cluster.clusters.cluster.insecure-skip-tls-verify of type bool");
  }

  TEST_CASE("base64 data is decoded with Go's error offsets")
  {
    CHECK(parse_error("clusters:\n- name: c\n  cluster: {certificate-authority-data: \"YW Jj\"}\n") ==
          load_prefix() + "illegal base64 data at input byte 2");
    CHECK(parse_error("clusters:\n- name: c\n  cluster: {certificate-authority-data: \"YWJ\"}\n") ==
          load_prefix() + "illegal base64 data at input byte 0");
    const auto config =
        parse_kubeconfig("clusters:\n- name: c\n  cluster: {certificate-authority-data: \"YWJj\"}\n", "f", "/d/f");
    CHECK(config.clusters.at("c").certificate_authority_data == "abc");
  }

  TEST_CASE("util::base64 matches Go's StdEncoding")
  {
    CHECK(util::base64_encode("") == "");
    CHECK(util::base64_encode("a") == "YQ==");
    CHECK(util::base64_encode("ab") == "YWI=");
    CHECK(util::base64_encode("abc") == "YWJj");
    CHECK(util::base64_encode(std::string("\xff\x00\x10", 3)) == "/wAQ");
    CHECK(util::base64_decode("YQ==") == "a");
    CHECK(util::base64_decode("YWI=") == "ab");
    CHECK(util::base64_decode("YW\r\nJj\n") == "abc");
    CHECK(util::base64_decode("/wAQ") == std::string("\xff\x00\x10", 3));
    CHECK(util::base64_decode("") == "");
    CHECK_THROWS_WITH_AS(util::base64_decode("YQ="), "illegal base64 data at input byte 3", util::Error);
    CHECK_THROWS_WITH_AS(util::base64_decode("YQ==x"), "illegal base64 data at input byte 4", util::Error);
    CHECK_THROWS_WITH_AS(util::base64_decode("Y==="), "illegal base64 data at input byte 1", util::Error);
    CHECK_THROWS_WITH_AS(util::base64_decode("YW-j"), "illegal base64 data at input byte 2", util::Error);
    CHECK_THROWS_WITH_AS(util::base64_decode("YWJjY"), "illegal base64 data at input byte 4", util::Error);
  }

  TEST_CASE("duplicate names are an error that does not dump the entries")
  {
    const auto error =
        parse_error("users:\n- name: u\n  user: {token: sekrit1}\n- name: u\n  user: {token: sekrit2}\n");
    CHECK(error ==
          load_prefix() +
              "error converting *[]NamedAuthInfo into *map[string]*api.AuthInfo: duplicate name \"u\" in list");
    CHECK(error.find("sekrit") == std::string::npos);
    CHECK(parse_error("clusters:\n- name: c\n- name: c\n") ==
          load_prefix() +
              "error converting *[]NamedCluster into *map[string]*api.Cluster: duplicate name \"c\" in list");
  }

  TEST_CASE("kind and apiVersion are checked first")
  {
    CHECK(parse_error("kind: Foo\n") == load_prefix() + "no kind \"Foo\" is registered for version \"v1\"");
    CHECK(parse_error("apiVersion: v2\n") == load_prefix() + "no kind \"Config\" is registered for version \"v2\"");
    CHECK(parse_error("apiVersion: 5\nclusters: 5\n") ==
          load_prefix() + "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct "
                          "field .apiVersion of type string");
    CHECK(parse_error("just a string\n")
              .find("couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type "
                    "struct") != std::string::npos);
  }

  TEST_CASE("unknown keys are ignored, keys are case-sensitive, empty files are empty configs")
  {
    auto config = parse_kubeconfig(
        "foo: bar\nCurrent-Context: x\nclusters:\n- name: c\n  extra: 1\n  cluster: {Server: s}\n", "f", "/d/f.yaml");
    CHECK(config.current_context.empty());
    REQUIRE(config.clusters.count("c") == 1);
    CHECK(config.clusters.at("c").server.empty());
    CHECK(config.clusters.at("c").origin == "/d/f.yaml");
    CHECK(config.files == std::vector<std::string>{"/d/f.yaml"});
    CHECK(parse_kubeconfig("", "f", "/d/f").clusters.empty());
    CHECK(parse_kubeconfig("\n# only a comment\n", "f", "/d/f").clusters.empty());
  }

  TEST_CASE("exec stanza: fields, v1beta1 interactiveMode default, cluster exec extension")
  {
    const auto config = parse_kubeconfig(R"(clusters:
- name: c
  cluster:
    server: https://x
    extensions:
    - name: other
      extension: 5
    - name: client.authentication.k8s.io/exec
      extension: {audience: demo, n: [1, 2]}
users:
- name: v1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: cred
      args: [a, "b c"]
      env: [{name: A, value: "1"}]
      provideClusterInfo: true
      installHint: hint
- name: beta
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: cred}
)",
                                         "f", "/d/f");
    const auto& v1 = *config.users.at("v1").exec;
    CHECK(v1.api_version == "client.authentication.k8s.io/v1");
    CHECK(v1.args == std::vector<std::string>{"a", "b c"});
    CHECK(v1.env == std::vector<std::pair<std::string, std::string>>{{"A", "1"}});
    CHECK(v1.provide_cluster_info);
    CHECK(v1.install_hint == "hint");
    CHECK(v1.interactive_mode.empty());
    CHECK(config.users.at("beta").exec->interactive_mode == "IfAvailable");
    // The YAML 1.1 key n became "false", exactly what kubectl handed its plugin.
    CHECK(*config.clusters.at("c").exec_extension == R"({"audience":"demo","false":[1,2]})");
  }

  TEST_CASE("merge: a name keeps its first definition whole; first non-empty current-context wins")
  {
    kube::Kubeconfig merged =
        parse_kubeconfig("clusters:\n- name: shared\n  cluster: {server: https://a}\ncontexts:\n- name: ctx\n  "
                         "context: {cluster: shared, namespace: a}\n",
                         "a", "/d/a.yaml");
    kube::merge_kubeconfig(
        merged,
        parse_kubeconfig(
            "current-context: ctx-b\nclusters:\n- name: shared\n  cluster: {server: https://b}\n"
            "- name: only-b\n  cluster: {server: https://c}\ncontexts:\n- name: ctx\n  context: {cluster: only-b}\n",
            "b", "/d/b.yaml"));
    kube::merge_kubeconfig(merged, parse_kubeconfig("current-context: ctx-c\n", "c", "/d/c.yaml"));
    CHECK(merged.current_context == "ctx-b");
    CHECK(merged.clusters.at("shared").server == "https://a");
    CHECK(merged.clusters.at("only-b").origin == "/d/b.yaml");
    CHECK(merged.contexts.at("ctx").cluster == "shared");
    CHECK(merged.contexts.at("ctx").ns == "a");
    CHECK(merged.files == std::vector<std::string>{"/d/a.yaml", "/d/b.yaml", "/d/c.yaml"});
  }

  TEST_CASE("relative paths resolve against the defining file; ~ is not expanded; bare commands stay bare")
  {
    kube::Kubeconfig config = parse_kubeconfig(R"(clusters:
- name: c
  cluster: {certificate-authority: certs/ca.crt}
- name: tilde
  cluster: {certificate-authority: ~/ca.crt}
- name: abs
  cluster: {certificate-authority: /etc//ca.crt}
users:
- name: u
  user:
    client-certificate: ../c.crt
    client-key: ./k/../c.key
    tokenFile: t
    exec: {command: ./plug/cred.sh}
- name: bare
  user:
    exec: {command: gke-gcloud-auth-plugin}
)",
                                               "f", "/home/me/.kube/f.yaml");
    kube::resolve_local_paths(config);
    CHECK(config.clusters.at("c").certificate_authority == "/home/me/.kube/certs/ca.crt");
    CHECK(config.clusters.at("tilde").certificate_authority == "/home/me/.kube/~/ca.crt");
    CHECK(config.clusters.at("abs").certificate_authority == "/etc//ca.crt");
    const auto& u = config.users.at("u");
    CHECK(u.client_certificate == "/home/me/c.crt");
    CHECK(u.client_key == "/home/me/.kube/c.key");
    CHECK(u.token_file == "/home/me/.kube/t");
    CHECK(u.exec->command == "/home/me/.kube/plug/cred.sh");
    CHECK(config.users.at("bare").exec->command == "gke-gcloud-auth-plugin");
  }

  TEST_CASE("clean_path and friends follow Go's filepath")
  {
    CHECK(kube::clean_path("") == ".");
    CHECK(kube::clean_path("a/./b/../c//") == "a/c");
    CHECK(kube::clean_path("/../x") == "/x");
    CHECK(kube::clean_path("../../x") == "../../x");
    CHECK(kube::clean_path("/") == "/");
    CHECK(kube::absolute_path("x/y", "/base/") == "/base/x/y");
    CHECK(kube::absolute_path("/abs", "/base") == "/abs");
    CHECK(kube::parent_dir("/a/b/c.yaml") == "/a/b");
    CHECK(kube::parent_dir("/c.yaml") == "/");
  }
}
