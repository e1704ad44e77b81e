// kube::Credentials with client-go exec credential plugins: input (argv, env,
// KUBERNETES_EXEC_INFO), caching until expiry, re-running after a 401, concurrency, and
// kubectl's error texts. Plugins are small shell scripts written to a temp dir.

#include "kube/credentials.hpp"

#include "kube/cluster.hpp"
#include "kube/errors.hpp"
#include "support/test_apiserver.hpp"
#include "test_kube_kubeconfig_support.hpp"

#include "support/testdata.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <fstream>
#include <iterator>
#include <thread>

using namespace std::chrono_literals;
using kctest::header;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

using testsupport::read_file_or_empty;

int
count_lines(const std::string& path)
{
  const std::string text = read_file_or_empty(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A controllable clock for expiry and refresh tests.
using kctest::FakeClock;

// A credential plugin in a temp dir: it logs each run, its input and argv, then prints the
// file "output" and exits with the code in "exit" (0 when absent).
struct Plugin {
  testsupport::TempDir dir;
  std::string path;
  explicit Plugin(const std::string& output = "")
  {
    path = dir.write("cred.sh",
                     "#!/bin/sh\n"
                     "d=\"$(dirname \"$0\")\"\n"
                     "echo run >> \"$d/runs\"\n"
                     "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$d/info\"\n"
                     "printf '%s\\n' \"$@\" > \"$d/args\"\n"
                     "printf '%s' \"$PLUGIN_ENV\" > \"$d/env\"\n"
                     "[ -n \"$PLUGIN_SLEEP\" ] && sleep \"$PLUGIN_SLEEP\"\n"
                     "cat \"$d/output\"\n"
                     "exit \"$(cat \"$d/exit\" 2>/dev/null || echo 0)\"\n",
                     0755);
    set_output(output.empty() ? token_output("plugin-token") : output);
  }
  void set_output(const std::string& text) const { dir.write("output", text); }
  void set_exit(int code) const { dir.write("exit", std::to_string(code)); }
  int runs() const { return count_lines(dir.path() + "/runs"); }
  std::string info() const { return read_file_or_empty(dir.path() + "/info"); }

  static std::string token_output(const std::string& token, const std::string& expiry = "",
                                  const std::string& version = "client.authentication.k8s.io/v1")
  {
    std::string status = "\"token\":\"" + token + "\"";
    if (!expiry.empty()) {
      status += ",\"expirationTimestamp\":\"" + expiry + "\"";
    }
    return "{\"apiVersion\":\"" + version + "\",\"kind\":\"ExecCredential\",\"status\":{" + status + "}}";
  }

  kube::ClientConfig config(const std::string& version = "client.authentication.k8s.io/v1") const
  {
    kube::ClientConfig c;
    c.server = "https://127.0.0.1:6443";
    c.endpoint.host = "127.0.0.1";
    c.endpoint.port = 6443;
    c.endpoint.tls.server_name = "127.0.0.1";
    c.auth = kube::AuthKind::exec;
    kube::ExecPluginConfig exec;
    exec.api_version = version;
    exec.command = path;
    exec.args = {"--flag", "two words"};
    exec.env = {{"PLUGIN_ENV", "from-config"}};
    exec.interactive_mode = "Never";
    c.exec = exec;
    return c;
  }
};

std::string
exec_error(const kube::ClientConfig& config)
{
  return kctest::config_error([&] { kube::run_exec_plugin(config, 10s, false); });
}

} // namespace

TEST_SUITE("kube.credentials.exec")
{
  TEST_CASE("exec v1: argv, env, KUBERNETES_EXEC_INFO, token header, cached without expiry")
  {
    Plugin plugin;
    FakeClock clock;
    kube::Credentials creds(plugin.config(), clock.options());
    CHECK(creds.headers() == Headers{{"Authorization", "Bearer plugin-token"}});
    CHECK(read_file_or_empty(plugin.dir.path() + "/args") == "--flag\ntwo words\n");
    CHECK(read_file_or_empty(plugin.dir.path() + "/env") == "from-config");
    CHECK(plugin.info() ==
          R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}})");
    clock.now += std::chrono::hours(1000);
    creds.headers();
    CHECK_FALSE(creds.client_certificate());
    CHECK(plugin.runs() == 1);
  }

  TEST_CASE("exec v1beta1 and provideClusterInfo input")
  {
    Plugin plugin(Plugin::token_output("beta", "", "client.authentication.k8s.io/v1beta1"));
    auto config = plugin.config("client.authentication.k8s.io/v1beta1");
    config.exec->provide_cluster_info = true;
    config.exec->cluster_exec_extension_json = R"({"audience":"demo"})";
    config.endpoint.tls.server_name = "api.internal";
    config.endpoint.tls.ca_pem = "abc";
    config.endpoint.tls.insecure_skip_verify = true;
    kube::Credentials creds(config, FakeClock().options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer beta");
    CHECK(plugin.info() ==
          R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"cluster":)"
          R"({"server":"https://127.0.0.1:6443","tls-server-name":"api.internal","insecure-skip-tls-verify":true,)"
          R"("certificate-authority-data":"YWJj","config":{"audience":"demo"}},"interactive":false}})");
    config.exec->cluster_exec_extension_json.clear();
    config.endpoint.tls = {};
    config.endpoint.tls.server_name = "127.0.0.1";
    kube::Credentials plain(config, FakeClock().options());
    plain.headers();
    CHECK(plugin.info() ==
          R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"cluster":)"
          R"({"server":"https://127.0.0.1:6443","config":null},"interactive":false}})");
  }

  TEST_CASE("exec credential is re-run after its expirationTimestamp")
  {
    Plugin plugin(Plugin::token_output("t1", "2026-01-01T10:00:00Z"));
    FakeClock clock;
    clock.now = *kube::parse_rfc3339("2026-01-01T09:59:00Z");
    kube::Credentials creds(plugin.config(), clock.options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer t1");
    clock.now += 60s; // exactly at expiry: still valid (client-go: now.After(exp))
    creds.headers();
    CHECK(plugin.runs() == 1);
    plugin.set_output(Plugin::token_output("t2", "2026-01-01T12:00:00+01:00")); // 11:00Z
    clock.now += 1s;
    CHECK(header(creds.headers(), "Authorization") == "Bearer t2");
    CHECK(plugin.runs() == 2);
    clock.now += 59min;
    creds.headers();
    CHECK(plugin.runs() == 2);
    clock.now += 1min + 1s;
    creds.headers();
    CHECK(plugin.runs() == 3);
  }

  TEST_CASE("401: invalidate() makes the next request run the plugin again, once")
  {
    Plugin plugin(Plugin::token_output("old"));
    kube::Credentials creds(plugin.config(), FakeClock().options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer old");
    plugin.set_output(Plugin::token_output("new"));
    CHECK(creds.invalidate());
    CHECK(creds.invalidate()); // a second 401 for the same (already dropped) credential
    CHECK(header(creds.headers(), "Authorization") == "Bearer new");
    CHECK(header(creds.headers(), "Authorization") == "Bearer new");
    CHECK(plugin.runs() == 2);
  }

  TEST_CASE("8 threads asking at once run the plugin once; their 401s refresh it once")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "0.3");
    kube::Credentials creds(config, FakeClock().options());
    std::barrier sync(8);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        if (header(creds.headers(), "Authorization") == "Bearer plugin-token") {
          ++ok;
        }
        sync.arrive_and_wait();
        if (i == 0) {
          plugin.set_output(Plugin::token_output("renewed"));
        }
        sync.arrive_and_wait();
        // Every thread got a 401 for the same credential: one refresh, not eight.
        if (creds.invalidate() && header(creds.headers(), "Authorization") == "Bearer renewed") {
          ++ok;
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    CHECK(ok == 16);
    CHECK(plugin.runs() == 2);
  }

  TEST_CASE("a token or basic auth bypasses the plugin; a plugin certificate is presented")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.token = "static";
    kube::Credentials with_token(config, FakeClock().options());
    CHECK(header(with_token.headers(), "Authorization") == "Bearer static");
    CHECK_FALSE(with_token.client_certificate());
    CHECK(plugin.runs() == 0);

    plugin.set_output(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                      R"("status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}})");
    kube::Credentials with_cert(plugin.config(), FakeClock().options());
    auto pair = with_cert.client_certificate();
    REQUIRE(pair);
    CHECK(pair->first == "CERT");
    CHECK(with_cert.headers().empty());
    CHECK(plugin.runs() == 1);
  }

  TEST_CASE("exec failures are worded like kubectl")
  {
    Plugin plugin;
    plugin.set_exit(4);
    CHECK(exec_error(plugin.config()) ==
          "getting credentials: exec: executable " + plugin.path + " failed with exit code 4");
    plugin.set_exit(0);

    auto missing = plugin.config();
    missing.exec->command = "nosuch-cred-plugin-for-tests";
    missing.exec->install_hint = "install it\x1b[31m please";
    CHECK(
        exec_error(missing) ==
        "getting credentials: exec: executable nosuch-cred-plugin-for-tests not found\n\n"
        "It looks like you are trying to use a client-go credential plugin that is not installed.\n\n"
        "To learn more about this feature, consult the documentation available at:\n"
        "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins\n\n"
        "install itU+001B[31m please");

    auto not_executable = plugin.config();
    not_executable.exec->command = plugin.dir.write("plain.sh", "echo hi\n", 0644);
    CHECK(exec_error(not_executable) ==
          "getting credentials: exec: fork/exec " + not_executable.exec->command + ": permission denied");

    const std::vector<std::pair<std::string, std::string>> outputs = {
        {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})",
         "exec plugin didn't return a status field"},
        {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
         "exec plugin didn't return a token or cert/key pair"},
        {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"x"}})",
         "exec plugin returned only certificate or key, not both"},
        {Plugin::token_output("t", "", "client.authentication.k8s.io/v1beta1"),
         "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version "
         "client.authentication.k8s.io/v1beta1"},
        {Plugin::token_output("t", "tomorrow"),
         "decoding stdout: parsing time \"tomorrow\" as \"2006-01-02T15:04:05Z07:00\": not an RFC 3339 time"},
        {"not json", "decoding stdout: couldn't get version/kind; json parse error: the output is not valid JSON"},
        {R"({"kind":"ExecCredential","status":{"token":"sekrit"}})", "decoding stdout: Object 'apiVersion' is missing"},
        {R"({"apiVersion":"client.authentication.k8s.io/v1","status":{"token":5}})",
         "decoding stdout: json: cannot unmarshal number into Go struct field ExecCredentialStatus.status.token of "
         "type string"},
    };
    for (const auto& item : outputs) {
      const auto& output = std::get<0>(item);
      const auto& expected = std::get<1>(item); // clang 14: no lambda capture of bindings
      CAPTURE(item.first);                      // clang 14 cannot capture a structured binding
      plugin.set_output(output);
      CHECK(exec_error(plugin.config()) == "getting credentials: " + expected);
    }
    // kubectl accepts a missing kind.
    plugin.set_output(R"({"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t"}})");
    CHECK(kube::run_exec_plugin(plugin.config(), 10s, false).token == "t");
  }

  TEST_CASE("interactive modes")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->interactive_mode = "Always";
    CHECK(exec_error(config) ==
          "getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal");
    config.exec->interactive_mode = "IfAvailable";
    kube::run_exec_plugin(config, 10s, false);
    CHECK(plugin.info().find("\"interactive\":false") != std::string::npos);
  }

  TEST_CASE("a hanging plugin is killed at the timeout")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "10");
    const auto start = std::chrono::steady_clock::now();
    CHECK(kctest::config_error([&] { kube::run_exec_plugin(config, 300ms, false); }) ==
          "getting credentials: exec: executable " + plugin.path + " timed out after 300ms and was killed");
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }

  TEST_CASE("a hanging plugin gets what is left of the command's deadline, capped by --request-timeout, and says so")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "10");
    const auto error_after = [&](kube::CredentialsOptions options, std::chrono::milliseconds* took) {
      kube::Credentials creds(config, std::move(options));
      const auto start = std::chrono::steady_clock::now();
      auto error = kctest::config_error([&] { creds.headers(); });
      *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      return error;
    };
    const std::string prefix = "getting credentials: exec: executable " + plugin.path + " timed out after ";
    std::chrono::milliseconds took{};

    kube::CredentialsOptions deadline_only;
    deadline_only.command_deadline = util::Deadline::after(500ms);
    auto error = error_after(deadline_only, &took);
    CHECK_MESSAGE(error.rfind(prefix, 0) == 0, error);
    CHECK_MESSAGE(error.find(" (what was left of --timeout) and was killed") != std::string::npos, error);
    CHECK(took >= 300ms);
    CHECK(took < 5s); // not the default 2 minutes, nor the plugin's 10 s

    kube::CredentialsOptions both;
    both.command_deadline = util::Deadline::after(60s);
    both.request_timeout = 300ms;
    CHECK(error_after(both, &took) == prefix + "300ms (--request-timeout) and was killed");
    CHECK(took < 5s);

    kube::CredentialsOptions request_only; // no command deadline: the default 2 minutes, capped
    request_only.request_timeout = 300ms;
    CHECK(error_after(request_only, &took) == prefix + "300ms (--request-timeout) and was killed");

    // A command deadline longer than the default is not cut to it.
    kube::CredentialsOptions long_deadline;
    long_deadline.command_deadline = util::Deadline::after(5min);
    plugin.set_output(Plugin::token_output("late"));
    auto quick = plugin.config();
    kube::Credentials creds(quick, long_deadline);
    CHECK(header(creds.headers(), "Authorization") == "Bearer late");
  }

  TEST_CASE("make_cluster: ClusterOptions' command deadline and --request-timeout reach the exec plugin")
  {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "10");
    for (const bool by_deadline : {true, false}) {
      CAPTURE(by_deadline);
      kube::ClusterOptions options;
      if (by_deadline) {
        options.command_deadline = util::Deadline::after(500ms);
      } else {
        options.request_timeout = 500ms;
      }
      const auto start = std::chrono::steady_clock::now();
      // The plugin runs when the client is made (it may return a certificate) or at the first request.
      const auto error = kctest::config_error([&] { kube::make_cluster(config, options)->list_pods("ns", "", ""); });
      CHECK(std::chrono::steady_clock::now() - start < 5s);
      CHECK_MESSAGE(error.find("timed out after") != std::string::npos, error);
      CHECK_MESSAGE(
          error.find(by_deadline ? "(what was left of --timeout)" : "(--request-timeout)") != std::string::npos, error);
    }
  }
}
