// Secret hygiene: plant every kind of secret the plugin handles (bearer tokens from the
// kubeconfig, a flag and an exec credential plugin, a basic-auth password, a client key, the CA
// key in Secret ovn-ipsec-ca and one given to `init --ca-key`), run a broad set of commands at
// -v=0 and -v=9 (successes and failures: 401, unknown CA, 429/5xx storms, exec resets and
// failures, a refused import), and require that no output carries any of them or a telling
// piece of them. Also: the modes of the files `init` writes into pods.
#include "ipsec/ca_secret.hpp"
#include "kube/kubeconfig.hpp"
#include "kube/resource_json.hpp"
#include "pki/ca.hpp"
#include "support/init_sim.hpp"
#include "support/pki_nodes.hpp"
#include "support/plugin_run.hpp"
#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "util/base64.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <random>
#include <sstream>

using testsupport::TestApiServer;

namespace {

std::string
random_hex(std::size_t n)
{
  std::random_device device;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += "0123456789abcdef"[device() % 16];
  }
  return out;
}

// The base64 body of a PEM block (armour lines and newlines dropped).
std::string
pem_body(const std::string& pem)
{
  std::string body;
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("-----", 0) != 0) {
      body += line;
    }
  }
  return body;
}

// One planted secret and the forms in which it could leak. For keys, `pieces` are windows of
// the PEM body past the public modulus (which a certificate may legitimately show) and of the
// base64 the Secret's JSON carries, so a partial or re-encoded dump is caught too.
struct Planted {
  std::string what;
  std::vector<std::string> pieces;
};

Planted
plant_text(const std::string& what, const std::string& secret)
{
  Planted p{what, {secret}};
  // A distinctive middle part: a truncated or differently framed token is still a leak.
  if (secret.size() >= 24) {
    p.pieces.push_back(secret.substr(secret.size() / 2 - 8, 16));
  }
  return p;
}

Planted
plant_key(const std::string& what, const std::string& pem)
{
  Planted p{what, {}};
  const std::string body = pem_body(pem);
  REQUIRE(body.size() > 800);
  // Skip the first 400 characters: PKCS#8 header, modulus and public exponent (public data).
  for (std::size_t at = 400; at + 24 <= body.size(); at += 12) {
    p.pieces.push_back(body.substr(at, 24));
  }
  const std::string as_json = util::base64_encode(pem);
  for (std::size_t at = as_json.size() / 3; at + 24 <= as_json.size(); at += 48) {
    p.pieces.push_back(as_json.substr(at, 24));
  }
  return p;
}

// The first piece of any planted secret found in `text`, or "".
std::string
leak_in(const std::string& text, const std::vector<Planted>& planted)
{
  for (const auto& p : planted) {
    for (const auto& piece : p.pieces) {
      if (text.find(piece) != std::string::npos) {
        return p.what + " (\"" + piece + "\")";
      }
    }
  }
  return "";
}

// An exec credential plugin that hands out `token`.
std::string
cred_script(const std::string& token)
{
  return "#!/bin/sh\ncat <<'JSON'\n"
         R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":")" +
         token + "\"}}\nJSON\n";
}

// The server's kubeconfig for user exec-admin with its token replaced by an exec credential plugin.
std::string
exec_kubeconfig(const testsupport::TempDir& dir, const TestApiServer& server, const std::string& script)
{
  std::string text = kube::read_file_text(server.write_kubeconfig("exec-admin"));
  const std::string token_line = "    token: \"" + server.token("exec-admin") + "\"\n";
  const std::size_t at = text.find(token_line);
  REQUIRE(at != std::string::npos);
  text.replace(at, token_line.size(),
               "    exec: {apiVersion: client.authentication.k8s.io/v1, command: " + dir.path() + "/" + script +
                   ", interactiveMode: Never}\n");
  return dir.write("exec-" + script + ".yaml", text, 0600);
}

struct PluginRun {
  std::vector<std::string> args;
  std::string kubeconfig;
  int expect = 0; // the exit code it must have
};

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("secret hygiene: no token, password, client key or CA key in any output, at -v=0 and -v=9")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    const std::string admin_token = "koi-planted-" + random_hex(40);
    const std::string exec_token = "koi-planted-exec-" + random_hex(40);
    const std::string password = "koi-planted-pw-" + random_hex(32);
    const std::string bad_token = "koi-planted-bad-" + random_hex(40);
    const std::string bad_password = "koi-planted-badpw-" + random_hex(32);
    const std::string url_password = "koi-planted-url-" + random_hex(32);
    const auto now = std::chrono::system_clock::now();
    const pki::CaPem stored_ca = pki::create_ca("koi hygiene CA", now, 2048);
    const pki::CaPem imported_ca = pki::create_ca("koi other CA", now, 2048);

    const nlohmann::json users = nlohmann::json::array({
        {{"name", "admin"}, {"token", admin_token}, {"role", "admin"}},
        {{"name", "exec-admin"}, {"token", exec_token}, {"role", "admin"}},
        {{"name", "basic-admin"}, {"username", "basic-admin"}, {"password", password}, {"role", "admin"}},
        {{"name", "admin"}, {"certCN", "admin"}, {"role", "admin"}},
    });
    const nlohmann::json secret = kube::secret_to_json(ipsec::ca_secret("kube-system", stored_ca));
    nlohmann::json extra = {{"users", users},
                            {"secrets", nlohmann::json::array({{{"namespace", "kube-system"},
                                                                {"name", "ovn-ipsec-ca"},
                                                                {"type", "Opaque"},
                                                                {"data", secret["data"]}}})}};
    testsupport::ApiServerOptions options;
    options.cluster_file = "sim-3.json";
    options.extra_cluster_json = extra.dump();
    TestApiServer server(options);

    testsupport::TempDir dir;
    dir.write("cred.sh", cred_script(exec_token), 0755);
    dir.write("cred-bad.sh", cred_script(bad_token), 0755);
    dir.write("cred-fail.sh", "#!/bin/sh\necho 'cred-fail: no credentials here' >&2\nexit 1\n", 0755);
    const std::string imported_cert = dir.write("import-ca.crt", imported_ca.cert, 0600);
    const std::string imported_key = dir.write("import-ca.key", imported_ca.key, 0600);
    const std::string client_key = kube::read_file_text(server.pki_dir() + "/admin.key");

    const std::vector<Planted> planted{
        plant_text("admin bearer token", admin_token),
        plant_text("exec credential token", exec_token),
        plant_text("basic-auth password", password),
        plant_text("--token flag value", bad_token),
        plant_text("--password flag value", bad_password),
        plant_text("password in the server URL", url_password),
        plant_key("client key (admin.key)", client_key),
        plant_key("CA key in Secret ovn-ipsec-ca", stored_ca.key),
        plant_key("CA key given to init --ca-key", imported_ca.key),
    };

    const std::string token_cfg = server.write_kubeconfig("admin");
    const std::string basic_cfg = server.write_kubeconfig("basic-admin");
    const std::string cert_cfg = server.write_kubeconfig("cert-admin");
    const std::string exec_cfg = exec_kubeconfig(dir, server, "cred.sh");
    const std::string exec_bad_cfg = exec_kubeconfig(dir, server, "cred-bad.sh");
    const std::string exec_fail_cfg = exec_kubeconfig(dir, server, "cred-fail.sh");
    const std::string other_ca = server.pki_dir() + "/other-ca.crt";
    const std::string wrong_url = "https://basic-admin:" + url_password + "@127.0.0.1:" + std::to_string(server.port());

    std::vector<PluginRun> runs;
    for (const std::string& cfg : {token_cfg, basic_cfg, cert_cfg, exec_cfg}) {
      runs.push_back({{"nodes"}, cfg, 0});
      runs.push_back({{"tunnels", "-o", "json"}, cfg, 0});
    }
    // In order, on the simulated cluster as it starts (IPsec off, no certificates): status says
    // "off" (3) until `on`, and `off --wait` leaves it off again.
    for (const auto& [args, code] : std::vector<std::pair<std::vector<std::string>, int>>{
             {{"version"}, 0},
             {{"config", "view"}, 0},
             {{"tunnels", "-o", "wide"}, 0},
             {{"status"}, 3},
             {{"status", "-o", "yaml"}, 3},
             {{"on", "--wait", "--timeout", "20s"}, 0},
             {{"off", "--wait", "--timeout", "20s"}, 0},
             {{"init", "--dry-run"}, 0},
             {{"init"}, 0},
         }) {
      runs.push_back({args, token_cfg, code});
    }
    runs.push_back({{"config", "view"}, basic_cfg, 0});
    runs.push_back({{"config", "view"}, cert_cfg, 0});
    // Failures: each must fail, and its message must not quote what it refused.
    runs.push_back({{"nodes", "--token", bad_token}, token_cfg, 1});
    runs.push_back({{"nodes", "--username", "basic-admin", "--password", bad_password}, basic_cfg, 1});
    runs.push_back({{"nodes"}, exec_bad_cfg, 1});
    runs.push_back({{"nodes"}, exec_fail_cfg, 1});
    runs.push_back({{"nodes", "--certificate-authority", other_ca}, token_cfg, 1});
    runs.push_back({{"nodes", "-s", wrong_url}, basic_cfg, 1});
    runs.push_back({{"init", "--ca-cert", imported_cert, "--ca-key", imported_key}, token_cfg, 1});

    auto run_all = [&](const std::string& label, const std::vector<PluginRun>& list) {
      for (const auto& r : list) {
        for (const char* level : {"-v=0", "-v=9"}) {
          std::vector<std::string> argv{KOI_PLUGIN_BINARY};
          argv.insert(argv.end(), r.args.begin(), r.args.end());
          argv.push_back(level);
          argv.push_back("--request-timeout=2s");
          const auto result = testsupport::run(argv, {"KUBECONFIG=" + r.kubeconfig, "KUBE_OVN_NS="}, "", 60000);
          std::string shown;
          for (const auto& a : argv) {
            shown += a + " ";
          }
          CAPTURE(label);
          CAPTURE(shown);
          CHECK_FALSE(result.timed_out);
          const std::string leak = leak_in(result.out + result.err, planted);
          CHECK_MESSAGE(leak.empty(), "leaked " << leak << " in:\n" << result.out << result.err);
          CHECK_MESSAGE(result.exit_code == r.expect, result.out << result.err);
          // -v=9 must really log (a quiet run would prove nothing about the log).
          if (std::string(level) == "-v=9" && r.args.front() == "nodes" && r.expect == 0) {
            CHECK_MESSAGE(result.err.find("GET https://") != std::string::npos, result.err);
          }
        }
      }
    };
    run_all("healthy cluster", runs);

    // A smaller set while the cluster misbehaves: 429 and 503 storms (each run ends at its
    // --request-timeout), exec connections reset mid-output, WebSocket exec refused.
    const std::vector<PluginRun> stormy{{{"nodes"}, token_cfg, 1},
                                        {{"status"}, basic_cfg, 1},
                                        {{"tunnels"}, exec_cfg, 1},
                                        {{"config", "view"}, cert_cfg, 0}};
    for (const std::string faults : {R"({"status429":{"count":100000,"retryAfter":1}})",
                                     R"({"status500":{"count":100000,"code":503,"retryAfter":1}})",
                                     R"({"resetExecAfterBytes":10})", R"({"rejectWebSocket":true})"}) {
      server.control("POST", "/_test/reset");
      server.control("POST", "/_test/faults", faults);
      run_all(faults, stormy);
    }
  }

  TEST_CASE("TLS: the plugin refuses a server certificate that is not yet valid or untrusted; "
            "--insecure-skip-tls-verify connects and warns once")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    const std::string warning = "Warning: the server's certificate is not verified (insecure-skip-tls-verify)";
    for (const auto& item : std::vector<std::pair<std::string, std::string>>{
             {"notyet", "certificate is not yet valid"}, {"other-server", "unable to get local issuer certificate"}}) {
      const auto& [cert, reason] = item;
      CAPTURE(item.first); // clang 14: no lambda capture of bindings
      testsupport::ApiServerOptions options;
      options.cluster_file = "sim-3.json";
      options.server_cert = cert;
      TestApiServer server(options);
      const auto refused = testsupport::run_plugin(server, {"nodes"});
      CHECK(refused.exit_code == 1);
      CHECK_MESSAGE(testsupport::contains(refused.err, reason), refused.err);
      CHECK_FALSE(testsupport::contains(refused.err, warning));
      CHECK(server.control("GET", "/_test/requests").empty()); // nothing was sent

      // `status` makes several API requests and one exec per node: still one warning.
      for (const std::string command : {"nodes", "status"}) {
        const auto r = testsupport::run_plugin(server, {command, "--insecure-skip-tls-verify"});
        CHECK_MESSAGE(r.exit_code != 2, r.err); // not a usage error
        CHECK_MESSAGE(testsupport::count(r.err, warning) == 1, r.err);
        CHECK_FALSE(testsupport::contains(r.err, server.token("admin")));
      }
      const auto nodes = testsupport::run_plugin(server, {"nodes", "--insecure-skip-tls-verify"});
      CHECK_MESSAGE(nodes.exit_code == 0, nodes.err);
      for (const std::string node : {"node-01", "node-02", "node-03"}) {
        CHECK_MESSAGE(testsupport::contains(nodes.out, node), nodes.out);
      }
    }
  }

  TEST_CASE("secret hygiene: init writes the node key 0600 in a 0700 directory and the certificates 0644")
  {
    if (testsupport::skip_without_openssl()) {
      return;
    }
    testsupport::PkiNodes nodes;
    const std::string chassis = testsupport::fakelab::k_chassis[0];
    const std::string cert = "/etc/ipsec.d/certs/" + chassis + "-cert.pem";
    const std::string key = "/etc/ipsec.d/private/" + chassis + "-privkey.pem";
    auto r = testsupport::fakelab::run_cli(nodes.lab, {"init"});
    REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
    CHECK(nodes.file_mode("n1", key) == 0600);
    CHECK(nodes.file_mode("n1", "/etc/ipsec.d/private") == 0700); // made under umask 077
    CHECK(nodes.file_mode("n1", cert) == 0644);
    CHECK(nodes.file_mode("n1", "/etc/ipsec.d/cacerts/cacert.pem") == 0644);
    // A reissue over files someone loosened writes them with the right modes again.
    for (const auto& path : {cert, key}) {
      // Through the node's pod, which maps /etc/ipsec.d into the node's own tree.
      const auto chmod = nodes.lab.fake.exec(
          {"kube-system", "ovs-ovn-1", "openvswitch", {"sh", "-c", "chmod 0666 \"$1\"", "sh", path}, {}, {}, {}});
      REQUIRE_MESSAGE(chmod.exit_code == 0, chmod.err);
      REQUIRE(nodes.file_mode("n1", path) == 0666);
    }
    r = testsupport::fakelab::run_cli(nodes.lab, {"init", "--force"});
    REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
    CHECK(nodes.file_mode("n1", key) == 0600);
    CHECK(nodes.file_mode("n1", cert) == 0644);
  }
}
