// The plugin at a terminal (a pseudo-terminal, as a user's): `status --watch` redraws one screen
// and ends at Ctrl-C with the last poll's exit code; `on --wait` shows one progress line with
// the elapsed time, erased before the result, which is printed once.
#include "support/plugin_run.hpp"
#include "support/pty_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>

using nlohmann::json;
using testsupport::contains;
using testsupport::count;

namespace {

testsupport::TestApiServer&
tty_cluster(bool ipsec)
{
  static std::unique_ptr<testsupport::TestApiServer> server;
  if (!server) {
    server = std::make_unique<testsupport::TestApiServer>(testsupport::ApiServerOptions{
        "sim-3.json", "server", R"({"simulate":{"nodes":3,"layout":"ovs-ovn","configureDelayMs":1500}})"});
  }
  server->control("POST", "/_test/reset");
  if (ipsec) {
    REQUIRE(testsupport::run_plugin(*server, {"on", "--wait"}).exit_code == 0);
  }
  return *server;
}

testsupport::PtyRun
plugin_in_pty(const testsupport::TestApiServer& server, std::vector<std::string> args,
              const std::function<std::string(const std::string&)>& drive = {})
{
  args.insert(args.begin(), KOI_PLUGIN_BINARY);
  return testsupport::run_in_pty(args, {"KUBECONFIG=" + server.write_kubeconfig("admin"), "KUBE_OVN_NS="}, drive);
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("tty: status --watch redraws one screen and ends at Ctrl-C with the last poll's exit code")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = tty_cluster(false);
    const int expected = testsupport::run_plugin(server, {"status"}).exit_code; // IPsec off: 3
    CHECK(expected == 3);
    bool typed = false;
    const auto r = plugin_in_pty(server, {"status", "--watch", "--interval", "500ms"}, [&](const std::string& out) {
      if (!typed && count(out, "Ctrl-C to stop") >= 3) {
        typed = true;
        return std::string("\x03");
      }
      return std::string();
    });
    CHECK_FALSE(r.timed_out);
    CHECK(typed);
    CHECK(r.exit_code == expected);
    CHECK(count(r.out, "\x1b[H\x1b[2J") >= 3); // each poll one screen, redrawn in place
    CHECK(contains(r.out, "Every 500ms: kubectl ko ipsec status   elapsed "));
    CHECK(contains(r.out, "No change since the last poll."));
    CHECK(contains(r.out, "IPsec is off"));
  }

  TEST_CASE("tty: on --wait shows one progress line with elapsed time, erased before the result, printed once")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = tty_cluster(false);
    const auto r = plugin_in_pty(server, {"on", "--wait", "--timeout", "60s"});
    CHECK_FALSE(r.timed_out);
    CHECK_MESSAGE(r.exit_code == 0, r.out);
    CHECK(contains(r.out, "] waiting for every tunnel CONFIGURED: "));
    CHECK(contains(r.out, "s)"));                    // the elapsed time, e.g. "(1s)"
    const auto last_erase = r.out.rfind("\r\x1b[K"); // the progress line erased ...
    REQUIRE(last_erase != std::string::npos);
    const std::string after = r.out.substr(last_erase + 4); // ... then only the result
    CHECK(after.rfind("done: 3/3 nodes configured", 0) == 0);
    CHECK(count(r.out, "done: 3/3 nodes configured") == 1);
    CHECK_FALSE(contains(after, "waiting for"));
  }

  TEST_CASE("tty: no progress and no control sequences on a pipe")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = tty_cluster(false);
    const auto r = testsupport::run_plugin(server, {"on", "--wait", "--timeout", "60s"});
    CHECK(r.exit_code == 0);
    CHECK_FALSE(contains(r.out + r.err, "\x1b["));
    CHECK_FALSE(contains(r.err, "waiting for"));
  }
}
