// `tunnels --watch` through cli::run against the fake 3-node lab: one screen per poll on a
// terminal naming the tunnels that changed, only changed rows on a pipe, the last poll's exit
// code at Ctrl-C, and the checks it shares with `status --watch`.
#include "output/watch_view.hpp"
#include "support/fake_lab.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>

using namespace testsupport::fakelab;
using testsupport::contains;
using testsupport::count;

namespace {

kube::ExecResult
mesh_show(int node)
{
  return {0, mesh_tunnels_show(node, 3, true), ""};
}

} // namespace

TEST_CASE("cli tunnels --watch on a terminal: a screen per poll, the tunnels that changed, the last poll's code")
{
  Lab lab;
  lab.nb->store(true);
  lab.show_when_on = mesh_show;
  // "--interval 1" is seconds, as kubectl reads a bare number; the title says "1s". After the
  // first poll n2's monitor goes: its tunnels/show fails, its two tunnels' rows go
  // and one FAILED row comes; the other nodes' rows stay as they were.
  const auto r =
      run_cli(lab, {"tunnels", "--watch", "--interval", "1"}, watch_stop_after(lab, 3, true, [&lab](size_t round) {
                if (round == 1) {
                  lab.show_when_on = [](int node) {
                    return node == 2 ? kube::ExecResult{1, "", "ovs-appctl: cannot read pidfile"} : mesh_show(node);
                  };
                }
              }));
  INFO(r.out);
  CHECK(r.code == 1); // the last poll: n2 failed
  CHECK(count(r.out, "\033[H\033[2J") == 3);
  CHECK(count(r.out, "Every 1s: kubectl ko ipsec tunnels   elapsed ") == 3);
  CHECK(count(r.out, "NODE   REMOTE NODE   INTERFACE") == 3);
  CHECK(count(r.out, "3 node(s), 6 row(s): 6 CONFIGURED; nothing wrong") == 0); // the table, no summary line
  const auto changed = testsupport::line_starting(r.out, "Changed since the last poll: ");
  CHECK(changed.find("n2/-/-") != std::string::npos);
  CHECK(changed.find("gone: n2/n1/") != std::string::npos);
  CHECK(changed.find(" n1/") == std::string::npos); // n1's and n3's rows did not change
  CHECK(changed.find(" n3/") == std::string::npos);
  CHECK(count(r.out, "No change since the last poll.\n") == 1);
}

TEST_CASE("cli tunnels --watch on a pipe, with --summary: the first screen, then changed rows and the summary")
{
  Lab lab;
  lab.nb->store(true);
  lab.show_when_on = mesh_show;
  const auto r = run_cli(lab, {"tunnels", "--summary", "-w"}, watch_stop_after(lab, 4, false, [&lab](size_t round) {
                           if (round == 2) {
                             lab.nb->store(false); // IPsec off between the second and third poll
                             lab.tunnels_follow = false;
                           }
                         }));
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("\033[") == std::string::npos);
  CHECK(r.out.rfind("3 node(s), 6 row(s): 6 CONFIGURED; nothing wrong\n", 0) == 0); // nothing to list
  // No row is listed before or after IPsec goes off (every node says "No tunnels configured with
  // IPsec": a state, not a fault); the summary line says what changed.
  CHECK(count(r.out, "\n--- ") == 1); // round 2 had no change, round 4 neither
  CHECK(contains(r.out, "\n--- 0s: no listed row changed\n3 node(s), 3 row(s): 3 NO-TUNNELS; nothing wrong\n"));
}

TEST_CASE("cli tunnels --watch: the table only, an interval of 500 ms at least, --summary for the table only")
{
  Lab lab;
  auto r = run_cli(lab, {"tunnels", "--watch", "-o", "json"});
  CHECK(r.code == 1);
  CHECK(contains(r.err, "--watch redraws the table (-o wide too); for a script, poll `tunnels -o json`"));
  r = run_cli(lab, {"tunnels", "--watch", "--interval", "100ms"});
  CHECK(r.code == 1);
  CHECK(contains(r.err, "--interval must be at least 500ms"));

  // Each node shows a tunnel to 3,400 peers: 10,197 rows, more than a watch compares. With
  // --summary the same poll lists none and the watch goes on.
  lab.nb->store(true);
  lab.show_when_on = [](int node) { return kube::ExecResult{0, mesh_tunnels_show(node, 3400, true), ""}; };
  r = run_cli(lab, {"tunnels", "--watch"}, watch_stop_after(lab, 1, true));
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "error: tunnels --watch compares at most 10000 rows a poll, and this one listed 10197: watch "
                 "`tunnels --summary --watch`, or a few nodes with --node\n"
                 "See 'kubectl ko ipsec tunnels --help' for usage.\n");
  r = run_cli(lab, {"tunnels", "--watch", "--summary"}, watch_stop_after(lab, 2, false));
  CHECK(r.code == 0);
  CHECK(r.out == "3 node(s), 10197 row(s): 10197 CONFIGURED; nothing wrong\n");
}

TEST_CASE("output::WatchView: rows known by several cells, at most ten named a round")
{
  output::WatchView view(false, "Every 2s: kubectl ko ipsec tunnels", 3);
  std::vector<std::string> rows;
  for (int i = 0; i < 12; ++i) {
    rows.push_back(fmt::format("n1   n{:02}   ovn-{:02}-0   CONFIGURED   2/2", i, i));
  }
  CHECK(view.frame("screen\n", rows, "12 CONFIGURED", std::chrono::seconds(0)).text == "screen\n");
  rows[3] = "n1   n03   ovn-03-0   INIT   0/0";
  auto frame = view.frame("screen\n", rows, "11 CONFIGURED, 1 INIT", std::chrono::seconds(2));
  CHECK(frame.text == "\n--- 2s: n1/n03/ovn-03-0 changed\nn1   n03   ovn-03-0   INIT   0/0\n11 CONFIGURED, 1 INIT\n");
  // Every row but n03's changes (a wider first column realigns them all, which alone is no change).
  for (int i = 0; i < 12; ++i) {
    rows[i] = fmt::format("n1     n{:02}     ovn-{:02}-0     INIT   0/0", i, i);
  }
  frame = view.frame("screen\n", rows, "12 INIT", std::chrono::seconds(4));
  CHECK(contains(frame.text, "\n--- 4s: n1/n00/ovn-00-0, n1/n01/ovn-01-0, n1/n02/ovn-02-0, n1/n04/ovn-04-0, "));
  CHECK(contains(frame.text, "n1/n10/ovn-10-0 and 1 more changed\n"));
  CHECK(count(frame.text, "INIT   0/0\n") == 11);
  // Realigned alone: nothing to say.
  for (auto& row : rows) {
    row = "n1 " + row.substr(7);
  }
  CHECK(view.frame("screen\n", rows, "12 INIT", std::chrono::seconds(6)).text.empty());
}
