// `status --watch` and status's kubectl output options through cli::run against the fake 3-node
// lab: the screens round after round (terminal and pipe), the exit code of the last poll when
// Ctrl-C comes, --no-headers, -o name, -o jsonpath, --sort-by.
#include "output/watch_view.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>

#include <atomic>

using namespace testsupport::fakelab;

namespace {

void
watch_lab_all_sas(Lab& lab)
{
  lab.show_when_on = [](int node) { return kube::ExecResult{0, mesh_tunnels_show(node, 3, true), ""}; };
}

size_t
watch_occurrences(const std::string& text, const std::string& needle)
{
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

} // namespace

TEST_CASE("cli status --watch on a terminal: one screen redrawn per poll, what changed, the last poll's exit code")
{
  Lab lab;
  lab.nb->store(true);
  watch_lab_all_sas(lab);
  // After the first poll node n2's monitor goes (its tunnels/show fails).
  const auto r =
      run_cli(lab, {"status", "--watch", "--interval", "1s"}, watch_stop_after(lab, 3, true, [&lab](size_t round) {
                if (round == 1) {
                  lab.show_when_on = [](int node) {
                    return node == 2 ? kube::ExecResult{1, "",
                                                        "2026-12-06T00:00:00Z|ovs-appctl|WARN|"
                                                        "cannot read pidfile"}
                                     : kube::ExecResult{0, mesh_tunnels_show(node, 3, true), ""};
                  };
                }
              }));
  INFO(r.out);
  CHECK(r.code == 1); // the last poll: n2 is down
  CHECK(watch_occurrences(r.out, "\033[H\033[2J") == 3);
  CHECK(watch_occurrences(r.out, "Every 1s: kubectl ko ipsec status   elapsed ") == 3);
  CHECK(watch_occurrences(r.out, "NODE   MONITOR") >= 3);
  CHECK(watch_occurrences(r.out, "Changed since the last poll: n2\n") == 1);
  CHECK(watch_occurrences(r.out, "No change since the last poll.\n") == 1);
  CHECK(r.out.find("IPsec is on: 3/3 nodes up\n") != std::string::npos);
  CHECK(r.out.rfind("IPsec is on: 2/3 nodes up") > r.out.rfind("\033[H\033[2J"));
}

TEST_CASE("cli status --watch on a pipe: the first screen, then only changed rows after a line saying when")
{
  Lab lab;
  lab.nb->store(true);
  watch_lab_all_sas(lab);
  const auto r = run_cli(lab, {"status", "-w"}, watch_stop_after(lab, 4, false, [&lab](size_t round) {
                           if (round == 2) {
                             lab.nb->store(false); // IPsec turned off between the second and third poll
                             lab.tunnels_follow = false;
                           }
                         }));
  CHECK(r.code == 3);                              // the last poll: IPsec off, no tunnel left
  CHECK(r.out.find("\033[") == std::string::npos); // no control sequence on a pipe
  CHECK(r.out.rfind("NB_Global.ipsec:  true", 0) == 0);
  CHECK(watch_occurrences(r.out, "NODE   MONITOR") == 1); // one screen, then appended changes
  CHECK(watch_occurrences(r.out, "\n--- ") == 1);         // round 2 had no change, round 4 neither
  CHECK(watch_occurrences(r.out, "n1, n2, n3 changed\n") == 1);
  CHECK(r.out.find("IPsec is off") != std::string::npos);
}

TEST_CASE("cli status --watch: refused with a document printer; --interval has a floor")
{
  Lab lab;
  auto r = run_cli(lab, {"status", "--watch", "-o", "json"});
  CHECK(r.code == 1);
  CHECK(r.err.find("--watch redraws the table") != std::string::npos);
  r = run_cli(lab, {"status", "--watch", "--interval", "10ms"});
  CHECK(r.code == 1);
  CHECK(r.err.find("--interval must be at least 500ms") != std::string::npos);
}

TEST_CASE("cli status: --no-headers, -o name, -o jsonpath, --sort-by; a printer it lacks is refused")
{
  Lab lab;
  lab.nb->store(true);
  watch_lab_all_sas(lab);
  auto r = run_cli(lab, {"status", "--no-headers"});
  CHECK(r.code == 0);
  CHECK(r.out == "n1   running   2/2   2/2   none   up   -\n"
                 "n2   running   2/2   2/2   none   up   -\n"
                 "n3   running   2/2   2/2   none   up   -\n");
  r = run_cli(lab, {"status", "-o", "name"});
  CHECK(r.out == "node/n1\nnode/n2\nnode/n3\n");
  r = run_cli(lab, {"status", "-o", "jsonpath={range .nodes[*]}{.node}={.health}{\"\\n\"}{end}"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out == "n1=up\nn2=up\nn3=up\n");
  r = run_cli(lab, {"status", "-o", "jsonpath={.summary.text}"});
  CHECK(r.out == "IPsec is on: 3/3 nodes up");
  r = run_cli(lab, {"status", "--no-headers", "--sort-by", "{.node}"});
  CHECK(r.out.rfind("n1 ", 0) == 0);
  r = run_cli(lab, {"status", "-o", "custom-columns=NAME:.node"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: unable to match a printer suitable for the output format \"custom-columns=NAME:.node\", "
                 "allowed formats are: json,jsonpath,name,wide,yaml\n"
                 "See 'kubectl ko ipsec status --help' for usage.\n");
  r = run_cli(lab, {"nodes", "-o", "wide"});
  CHECK(r.code == 1);
  CHECK(r.err.find("allowed formats are: json,jsonpath,name,yaml\n") != std::string::npos);
  r = run_cli(lab, {"status", "--sort-by", ".nope"});
  CHECK(r.code == 1);
  CHECK(r.err.find("couldn't find any field with path \".nope\"") != std::string::npos);
}

TEST_CASE("cli status --watch: a failed poll is said and the watch goes on; a first poll failing ends it")
{
  output::WatchView pipe(false, "Every 2s: kubectl ko ipsec status");
  CHECK_FALSE(pipe.shown_any());
  CHECK(pipe.failed("pods is forbidden", std::chrono::seconds(65)).text ==
        "\n--- 1m05s: this poll failed: pods is forbidden\n");
  pipe.frame("screen\n", {"n1 up"}, "all up", std::chrono::seconds(0));
  CHECK(pipe.shown_any());
  output::WatchView terminal(true, "Every 2s: kubectl ko ipsec status");
  const auto frame = terminal.failed("pods is forbidden", std::chrono::seconds(3));
  CHECK(frame.clear_screen);
  CHECK(frame.text ==
        "Every 2s: kubectl ko ipsec status   elapsed 3s   Ctrl-C to stop\n\nThis poll failed: pods is forbidden\n");

  // No Kube-OVN node pod at all: the first poll fails and the watch ends there, as `status` would.
  Lab lab;
  for (int i = 1; i <= 3; ++i) {
    lab.fake.remove_pod("ovs-ovn-" + std::to_string(i));
  }
  const auto r =
      run_cli(lab, {"status", "--watch"}, [](cli::AppContext& ctx) { ctx.interrupted = [] { return false; }; });
  CHECK(r.code == 1);
  CHECK(r.err.rfind("error: ", 0) == 0);
  CHECK(r.out.find("poll failed") == std::string::npos);
}
