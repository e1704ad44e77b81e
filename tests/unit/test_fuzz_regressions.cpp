// Inputs the fuzz targets (fuzz/) crashed on, kept as plain unit tests so the GCC and ASan
// builds replay them on every run. One case per crash, named after the target that found it.
#include "kube/api_status.hpp"
#include "kube/credentials.hpp"
#include "kube/resource_json.hpp"
#include "kube/kubeconfig_parse.hpp"
#include "util/error.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_SUITE("fuzz regressions")
{
  TEST_CASE("fuzz_kubeconfig: invalid UTF-8 inside a cluster's exec extension is decoded, not a json type_error")
  {
    // Minimized from crash-bf3aafa25d12a88e0d0635fb173d6aff81135bee: byte 0x88 in a key of the
    // extension made nlohmann::json::dump() throw type_error 316 out of parse_kubeconfig.
    const std::string text = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                             "    server: https://127.0.0.1:1\n    extensions:\n"
                             "    - name: client.authentication.k8s.io/exec\n"
                             "      extension: {au\x88"
                             "dience: demo}\n";
    kube::Kubeconfig config;
    REQUIRE_NOTHROW(config = kube::parse_kubeconfig(text, "fuzz.yaml", "/nonexistent/fuzz.yaml"));
    const auto& cluster = config.clusters.at("c");
    REQUIRE(cluster.exec_extension.has_value());
    // The invalid byte stands as U+FFFD; the result is valid JSON an exec plugin can read.
    CHECK(*cluster.exec_extension == "{\"au\xEF\xBF\xBD"
                                     "dience\":\"demo\"}");
  }

  TEST_CASE("exec_info_json: a server URL with invalid UTF-8 is replaced, not a json type_error")
  {
    // Same class as above, found by review of every dump() on kubeconfig text: with
    // provideClusterInfo the server URL goes into KUBERNETES_EXEC_INFO.
    kube::ClientConfig config;
    config.server = "https://ex\x88mple:6443";
    config.exec = kube::ExecPluginConfig{};
    config.exec->api_version = "client.authentication.k8s.io/v1";
    config.exec->provide_cluster_info = true;
    std::string info;
    REQUIRE_NOTHROW(info = kube::exec_info_json(config, false));
    const auto parsed = nlohmann::json::parse(info);
    CHECK(parsed["spec"]["cluster"]["server"] == "https://ex\xEF\xBF\xBDmple:6443");
  }

  TEST_CASE(
      "fuzz_api_json: a Status whose message is an object is read as the body's first line, not a json type_error")
  {
    // From crash-9fd2fcb96ac512e1fa35ec502f1c742d007f737b (a 9.3 M-run): json::value("message", "")
    // throws type_error 302 when the member exists with another type.
    const std::string body = R"({"kind":"Status","status":"Failure","reason":"NotFound",)"
                             R"("message":{"name":"ovn-ipsec-ca","kind":"secrets"},"code":404})";
    std::string what;
    REQUIRE_NOTHROW(what = kube::api_error_from_response(404, body, "GET /api/v1/secrets").what());
    CHECK(what == "Error from server (NotFound): GET /api/v1/secrets returned HTTP 404: " + body);
    // A reason of another type is dropped the same way.
    CHECK(std::string(
              kube::api_error_from_response(500, R"({"kind":"Status","reason":7,"message":"m"})", "GET /x").what()) ==
          "m");
  }

  TEST_CASE("pod_from_json: a container status whose ready is not a boolean counts as not ready")
  {
    const auto pod = nlohmann::json::parse(R"({"metadata":{"name":"p","namespace":"kube-system"},)"
                                           R"("spec":{"containers":[{"name":"a"}]},)"
                                           R"("status":{"containerStatuses":[{"name":"a","ready":"true"}]}})");
    kube::Pod parsed;
    REQUIRE_NOTHROW(parsed = kube::pod_from_json(pod));
    REQUIRE(parsed.containers.size() == 1);
    CHECK_FALSE(parsed.containers[0].ready);
  }

  TEST_CASE("fuzz_kubeconfig: a float too large for a double stays a string, as in yaml.v2, not std::out_of_range")
  {
    // From crash-fe390c0b2775094310540401dd1adf4430c7455c (the whole file was "777e71777777"):
    // std::stod threw out_of_range out of parse_kubeconfig. Go's ParseFloat fails on overflow,
    // so yaml.v2 keeps such a scalar as a string; an underflow is 0 without an error.
    const auto j = kube::yaml_to_json("a: 777e71777777\nb: -1e400\nc: .5e999\nd: 1e-400\ne: 2.5e3\n");
    CHECK(j["a"] == "777e71777777");
    CHECK(j["b"] == "-1e400");
    CHECK(j["c"] == ".5e999");
    CHECK(j["d"] == 0);
    CHECK(j["e"] == 2500);
    // The crash input itself is a kubeconfig that is not a mapping: a clear error, no crash.
    CHECK_THROWS_AS(kube::parse_kubeconfig("777e71777777", "fuzz.yaml", "/nonexistent/fuzz.yaml"), util::Error);
  }
}
