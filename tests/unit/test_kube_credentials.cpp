// kube::Credentials without plugins (token, token file, basic, impersonation, certificates),
// RFC 3339 and install-hint helpers, and the generic util::run_process under exec plugins.
// Exec plugin behaviour is in test_kube_credentials_exec.cpp.

#include "kube/credentials.hpp"

#include "kube/errors.hpp"
#include "support/test_apiserver.hpp"
#include "test_kube_kubeconfig_support.hpp"
#include "util/process.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using kctest::header;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

// A controllable clock for expiry and refresh tests.
using kctest::FakeClock;

} // namespace

TEST_SUITE("kube.credentials")
{
  TEST_CASE("static token, basic auth and impersonation headers")
  {
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

  TEST_CASE("a control character in any header value is refused, naming where the value came from")
  {
    const auto refused = [](const kube::ClientConfig& c) {
      try {
        kube::Credentials(c).headers();
      } catch (const kube::ConfigError& e) {
        return std::string(e.what());
      }
      return std::string("accepted");
    };
    kube::ClientConfig token;
    token.token = "abc\r\nX-Injected: 1";
    CHECK(refused(token) == "the kubeconfig user's token contains a control character (0x0d); refusing to send it "
                            "in an HTTP header");
    kube::ClientConfig as;
    as.token = "fine";
    as.impersonate_user = "alice\nImpersonate-Group: system:masters";
    CHECK(refused(as).rfind("the user to impersonate (--as or the kubeconfig's as) contains a control character (0x0a)",
                            0) == 0);
    kube::ClientConfig group;
    group.impersonate_groups = {"ok", "bad\x01"};
    CHECK(refused(group).rfind("a group to impersonate (--as-group", 0) == 0);
    kube::ClientConfig uid;
    uid.impersonate_uid = "1\x7f";
    CHECK(refused(uid).find("(0x7f)") != std::string::npos);
    kube::ClientConfig basic;
    basic.username = "admin\r";
    basic.password = "pw";
    CHECK(refused(basic).rfind("the kubeconfig user's username", 0) == 0);
    kube::ClientConfig tab;
    tab.token = "has\ttab"; // HTAB is allowed in a field value
    CHECK(refused(tab) == "accepted");
  }

  TEST_CASE("client certificate from the config")
  {
    kube::ClientConfig c;
    c.endpoint.tls.client_cert_pem = "CERT";
    c.endpoint.tls.client_key_pem = "KEY";
    auto pair = kube::Credentials(c).client_certificate();
    REQUIRE(pair);
    CHECK(pair->first == "CERT");
    CHECK(pair->second == "KEY");
  }

  TEST_CASE("token file: trimmed, wins over the static token, re-read at most once a minute")
  {
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
    CHECK_FALSE(creds.invalidate()); // unchanged file: retrying would not help
  }

  TEST_CASE("token file never readable: static token, else an error")
  {
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

  TEST_CASE("RFC 3339 parsing and install hint sanitising")
  {
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

TEST_SUITE("util.process")
{
  TEST_CASE("argv, environment, stdin and exit status")
  {
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

  TEST_CASE("large output and input do not deadlock; a child ignoring stdin does not kill us")
  {
    util::ProcessSpec spec;
    spec.argv = {"sh", "-c", "cat; head -c 3000000 /dev/zero"};
    spec.stdin_mode = util::ProcessSpec::Stdin::text;
    spec.stdin_text = std::string(2'000'000, 'x');
    auto r = util::run_process(spec);
    CHECK(r.out.size() == 5'000'000);
    spec.argv = {"true"};
    r = util::run_process(spec); // EPIPE on stdin, not SIGPIPE
    CHECK(r.exit_code == 0);
  }

  TEST_CASE("captured stderr, signals, timeouts, spawn errors")
  {
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

    // With its own process group, a grandchild (that would hold the caller's stderr open) is
    // killed with the child at the deadline.
    spec.argv = {"sh", "-c", "sleep 10 & echo $!; wait"};
    spec.own_process_group = true;
    // Long enough for the shell to print the pid on a loaded machine (CI runs this under ASan
    // beside three other test shards on two cores: 200 ms was not always enough).
    spec.timeout = 3s;
    r = util::run_process(spec);
    CHECK(r.timed_out);
    REQUIRE_MESSAGE(!r.out.empty(), "the shell printed no pid before the deadline");
    const pid_t grandchild = std::stoi(r.out);
    const auto dead = [](pid_t pid) { // gone, or a zombie nobody has reaped yet
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      return !std::getline(stat, line) || line.substr(line.rfind(')') + 2, 1) == "Z";
    };
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
      gone = dead(grandchild);
      std::this_thread::sleep_for(10ms);
    }
    CHECK(gone);
    spec.own_process_group = false;

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
