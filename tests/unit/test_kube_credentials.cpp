// kube::Credentials (token, token file, basic, impersonation, exec plugins with caching, 401
// invalidation and concurrency) and the generic util::run_process underneath exec plugins.

#include "kube/credentials.hpp"

#include "kube/errors.hpp"
#include "support/test_apiserver.hpp"
#include "test_kube_kubeconfig_support.hpp"
#include "util/process.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int count_lines(const std::string& path) {
  const std::string text = slurp(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A controllable clock for expiry and refresh tests.
struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  kube::CredentialsOptions options() {
    kube::CredentialsOptions o;
    o.now = [this] { return now; };
    o.stdin_is_terminal = [] { return false; };
    return o;
  }
};

// A credential plugin in a temp dir: it logs each run, its input and argv, then prints the
// file "output" and exits with the code in "exit" (0 when absent).
struct Plugin {
  testsupport::TempDir dir;
  std::string path;
  explicit Plugin(const std::string& output = "") {
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
  std::string info() const { return slurp(dir.path() + "/info"); }

  static std::string token_output(const std::string& token, const std::string& expiry = "",
                                  const std::string& version = "client.authentication.k8s.io/v1") {
    std::string status = "\"token\":\"" + token + "\"";
    if (!expiry.empty()) {
      status += ",\"expirationTimestamp\":\"" + expiry + "\"";
    }
    return "{\"apiVersion\":\"" + version + "\",\"kind\":\"ExecCredential\",\"status\":{" + status + "}}";
  }

  kube::ClientConfig config(const std::string& version = "client.authentication.k8s.io/v1") const {
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

std::string header(const Headers& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

std::string exec_error(const kube::ClientConfig& config) {
  return kctest::config_error([&] { kube::run_exec_plugin(config, 10s, false); });
}

} // namespace

TEST_SUITE("kube.credentials") {
  TEST_CASE("static token, basic auth and impersonation headers") {
    kube::ClientConfig c;
    c.token = "static";
    c.impersonate_user = "alice";
    c.impersonate_uid = "42";
    c.impersonate_groups = {"g1", "g2"};
    kube::Credentials creds(c);
    CHECK(creds.headers() == Headers{{"Authorization", "Bearer static"},
                                     {"Impersonate-User", "alice"},
                                     {"Impersonate-Uid", "42"},
                                     {"Impersonate-Group", "g1"},
                                     {"Impersonate-Group", "g2"}});
    CHECK_FALSE(creds.invalidate());
    CHECK_FALSE(creds.client_certificate());

    kube::ClientConfig b;
    b.username = "admin";
    b.password = "p:w";
    CHECK(kube::Credentials(b).headers() == Headers{{"Authorization", "Basic YWRtaW46cDp3"}});
    CHECK(kube::Credentials(kube::ClientConfig{}).headers().empty());
  }

  TEST_CASE("client certificate from the config") {
    kube::ClientConfig c;
    c.endpoint.tls.client_cert_pem = "CERT";
    c.endpoint.tls.client_key_pem = "KEY";
    auto pair = kube::Credentials(c).client_certificate();
    REQUIRE(pair);
    CHECK(pair->first == "CERT");
    CHECK(pair->second == "KEY");
  }

  TEST_CASE("token file: trimmed, wins over the static token, re-read at most once a minute") {
    testsupport::TempDir dir;
    const std::string file = dir.write("token", "  first\n\n");
    kube::ClientConfig c;
    c.token = "static";
    c.token_file = file;
    FakeClock clock;
    kube::Credentials creds(c, clock.options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer first");
    dir.write("token", "second\n");
    clock.now += 59s;
    CHECK(header(creds.headers(), "Authorization") == "Bearer first");
    clock.now += 1s;
    CHECK(header(creds.headers(), "Authorization") == "Bearer second");

    // A failed re-read keeps the last good token; after a 401 the file is read again at once.
    std::remove(file.c_str());
    clock.now += 61s;
    CHECK(header(creds.headers(), "Authorization") == "Bearer second");
    dir.write("token", "third");
    CHECK(creds.invalidate());
    CHECK(header(creds.headers(), "Authorization") == "Bearer third");
    CHECK_FALSE(creds.invalidate());  // unchanged file: retrying would not help
  }

  TEST_CASE("token file never readable: static token, else an error") {
    kube::ClientConfig c;
    c.token = "static";
    c.token_file = "/nonexistent/token";
    CHECK(header(kube::Credentials(c).headers(), "Authorization") == "Bearer static");
    c.token.clear();
    kube::Credentials none(c);
    CHECK(kctest::config_error([&] { none.headers(); }) ==
          "reading bearer token: open /nonexistent/token: no such file or directory");
    testsupport::TempDir dir;
    c.token_file = dir.write("empty", " \n");
    kube::Credentials empty(c);
    CHECK(kctest::config_error([&] { empty.headers(); }) ==
          "reading bearer token: read empty token from file \"" + c.token_file + "\"");
  }

  TEST_CASE("exec v1: argv, env, KUBERNETES_EXEC_INFO, token header, cached without expiry") {
    Plugin plugin;
    FakeClock clock;
    kube::Credentials creds(plugin.config(), clock.options());
    CHECK(creds.headers() == Headers{{"Authorization", "Bearer plugin-token"}});
    CHECK(slurp(plugin.dir.path() + "/args") == "--flag\ntwo words\n");
    CHECK(slurp(plugin.dir.path() + "/env") == "from-config");
    CHECK(plugin.info() ==
          R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}})");
    clock.now += std::chrono::hours(1000);
    creds.headers();
    CHECK_FALSE(creds.client_certificate());
    CHECK(plugin.runs() == 1);
  }

  TEST_CASE("exec v1beta1 and provideClusterInfo input") {
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

  TEST_CASE("exec credential is re-run after its expirationTimestamp") {
    Plugin plugin(Plugin::token_output("t1", "2026-01-01T10:00:00Z"));
    FakeClock clock;
    clock.now = *kube::parse_rfc3339("2026-01-01T09:59:00Z");
    kube::Credentials creds(plugin.config(), clock.options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer t1");
    clock.now += 60s;  // exactly at expiry: still valid (client-go: now.After(exp))
    creds.headers();
    CHECK(plugin.runs() == 1);
    plugin.set_output(Plugin::token_output("t2", "2026-01-01T11:00:00+01:00"));
    clock.now += 1s;
    CHECK(header(creds.headers(), "Authorization") == "Bearer t2");
    CHECK(plugin.runs() == 2);
    creds.headers();
    CHECK(plugin.runs() == 2);  // 11:00+01:00 is 10:00Z, but we are at 10:00:01Z... re-run expected below
  }

  TEST_CASE("401: invalidate() makes the next request run the plugin again, once") {
    Plugin plugin(Plugin::token_output("old"));
    kube::Credentials creds(plugin.config(), FakeClock().options());
    CHECK(header(creds.headers(), "Authorization") == "Bearer old");
    plugin.set_output(Plugin::token_output("new"));
    CHECK(creds.invalidate());
    CHECK(creds.invalidate());  // a second 401 for the same (already dropped) credential
    CHECK(header(creds.headers(), "Authorization") == "Bearer new");
    CHECK(header(creds.headers(), "Authorization") == "Bearer new");
    CHECK(plugin.runs() == 2);
  }

  TEST_CASE("8 threads asking at once run the plugin once; their 401s refresh it once") {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "0.3");
    kube::Credentials creds(config, FakeClock().options());
    auto wave = [&](bool invalidate_first) {
      std::atomic<int> ok{0};
      std::vector<std::thread> threads;
      for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
          if (invalidate_first) {
            creds.invalidate();
          }
          if (header(creds.headers(), "Authorization") == "Bearer plugin-token") {
            ++ok;
          }
        });
      }
      for (auto& t : threads) {
        t.join();
      }
      return ok.load();
    };
    CHECK(wave(false) == 8);
    CHECK(plugin.runs() == 1);
    // Each thread saw the same credential fail; only the first invalidation drops it.
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] { creds.headers(); });
    }
    for (auto& t : threads) {
      t.join();
    }
    CHECK(wave(true) == 8);
    CHECK(plugin.runs() >= 2);
    CHECK(plugin.runs() <= 3);
  }

  TEST_CASE("a token or basic auth bypasses the plugin; a plugin certificate is presented") {
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

  TEST_CASE("exec failures are worded like kubectl") {
    Plugin plugin;
    plugin.set_exit(4);
    CHECK(exec_error(plugin.config()) ==
          "getting credentials: exec: executable " + plugin.path + " failed with exit code 4");
    plugin.set_exit(0);

    auto missing = plugin.config();
    missing.exec->command = "nosuch-cred-plugin-for-tests";
    missing.exec->install_hint = "install it\x1b[31m please";
    CHECK(exec_error(missing) ==
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
         "decoding stdout: json: cannot unmarshal number into Go struct field ExecCredentialStatus.status.token of type string"},
    };
    for (const auto& [output, expected] : outputs) {
      CAPTURE(output);
      plugin.set_output(output);
      CHECK(exec_error(plugin.config()) == "getting credentials: " + expected);
    }
    // kubectl accepts a missing kind.
    plugin.set_output(R"({"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t"}})");
    CHECK(kube::run_exec_plugin(plugin.config(), 10s, false).token == "t");
  }

  TEST_CASE("interactive modes") {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->interactive_mode = "Always";
    CHECK(exec_error(config) ==
          "getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal");
    config.exec->interactive_mode = "IfAvailable";
    kube::run_exec_plugin(config, 10s, false);
    CHECK(plugin.info().find("\"interactive\":false") != std::string::npos);
  }

  TEST_CASE("a hanging plugin is killed at the timeout") {
    Plugin plugin;
    auto config = plugin.config();
    config.exec->env.emplace_back("PLUGIN_SLEEP", "10");
    const auto start = std::chrono::steady_clock::now();
    CHECK(kctest::config_error([&] { kube::run_exec_plugin(config, 300ms, false); })
              .find("did not finish within") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }

  TEST_CASE("RFC 3339 parsing and install hint sanitising") {
    using std::chrono::system_clock;
    const auto base = *kube::parse_rfc3339("2026-05-01T10:00:00Z");
    CHECK(*kube::parse_rfc3339("2026-05-01T12:00:00+02:00") == base);
    CHECK(*kube::parse_rfc3339("2026-05-01T09:30:00.5-00:30") == base + 500ms);
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(base.time_since_epoch()).count() == 1777629600);
    CHECK_FALSE(kube::parse_rfc3339("2026-05-01 10:00:00Z"));
    CHECK_FALSE(kube::parse_rfc3339("2026-13-01T10:00:00Z"));
    CHECK_FALSE(kube::parse_rfc3339("2026-05-01T10:00:00"));
    CHECK_FALSE(kube::parse_rfc3339("tomorrow"));
    CHECK(kube::sanitize_install_hint("a\tb\nc\x1b[0m\x7f") == "a\tb\ncU+001B[0mU+007F");
    CHECK(kube::sanitize_install_hint("caf\xc3\xa9 \xc2\x9b") == "caf\xc3\xa9 U+009B");
  }
}

TEST_SUITE("util.process") {
  TEST_CASE("argv, environment, stdin and exit status") {
    util::ProcessSpec spec;
    spec.argv = {"sh", "-c", "printf '%s|%s|' \"$1\" \"$KOI_T\"; cat; exit 3", "sh", "arg one"};
    spec.env = {{"KOI_T", "v1"}, {"KOI_T", "v2"}};
    spec.stdin_mode = util::ProcessSpec::Stdin::text;
    spec.stdin_text = "input";
    const auto r = util::run_process(spec);
    CHECK(r.out == "arg one|v2|input");
    CHECK(r.exit_code == 3);
    CHECK_FALSE(r.timed_out);
  }

  TEST_CASE("large output and input do not deadlock; a child ignoring stdin does not kill us") {
    util::ProcessSpec spec;
    spec.argv = {"sh", "-c", "cat; head -c 3000000 /dev/zero"};
    spec.stdin_mode = util::ProcessSpec::Stdin::text;
    spec.stdin_text = std::string(2'000'000, 'x');
    auto r = util::run_process(spec);
    CHECK(r.out.size() == 5'000'000);
    spec.argv = {"true"};
    r = util::run_process(spec);  // EPIPE on stdin, not SIGPIPE
    CHECK(r.exit_code == 0);
  }

  TEST_CASE("captured stderr, signals, timeouts, spawn errors") {
    util::ProcessSpec spec;
    spec.argv = {"sh", "-c", "echo oops >&2; kill -9 $$"};
    spec.capture_stderr = true;
    auto r = util::run_process(spec);
    CHECK(r.err == "oops\n");
    CHECK(r.exit_code == -1);
    CHECK(r.signal == 9);

    spec.argv = {"sleep", "10"};
    spec.timeout = 200ms;
    r = util::run_process(spec);
    CHECK(r.timed_out);

    spec.argv = {"no-such-program-koi"};
    try {
      util::run_process(spec);
      FAIL("started a missing program");
    } catch (const util::ProcessError& e) {
      CHECK(e.not_found());
      CHECK(std::string(e.what()) == "exec: \"no-such-program-koi\": executable file not found in $PATH");
    }
    spec.argv = {"/nonexistent/dir/prog"};
    try {
      util::run_process(spec);
      FAIL("started a missing program");
    } catch (const util::ProcessError& e) {
      CHECK_FALSE(e.not_found());
      CHECK(std::string(e.what()) == "fork/exec /nonexistent/dir/prog: no such file or directory");
    }
    CHECK(util::find_in_path("sh", "/nonexistent:/bin:/usr/bin").size() > 0);
    CHECK(util::find_in_path("sh", "/nonexistent").empty());
  }
}
