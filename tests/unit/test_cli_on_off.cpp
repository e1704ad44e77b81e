// `on` / `off` through cli::run with a FakeCluster that keeps NB_Global.ipsec and answers
// tunnels/show with the lab captures, so every command each pod received can be checked.
#include "cli/app.hpp"
#include "kube/errors.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <sstream>

using namespace testsupport::fakelab;

TEST_CASE("cli on: read and set in one transaction, then read back, through the NB leader")
{
  Lab lab;
  const auto r = run_cli(lab, {"on"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out == "IPsec turned on: NB_Global.ipsec=true (was false), set through kube-system/ovn-central-a\n");
  CHECK(lab.commands_in("ovn-central-a") == std::vector<std::vector<std::string>>{k_swap_true, k_get});
  for (const auto& e : lab.fake.execs()) {
    CHECK(e.container == "ovn-central");
  }
}

TEST_CASE("cli on: already on changes nothing; off turns it off")
{
  Lab lab;
  lab.nb->store(true);
  auto r = run_cli(lab, {"on"});
  CHECK(r.code == 0);
  CHECK(r.out == "IPsec is already on (NB_Global.ipsec=true); nothing changed\n");
  CHECK(lab.commands_in("ovn-central-a") == std::vector<std::vector<std::string>>{k_swap_true});

  r = run_cli(lab, {"off"});
  CHECK(r.code == 0);
  CHECK(r.out == "IPsec turned off: NB_Global.ipsec=false (was true), set through kube-system/ovn-central-a\n");
  CHECK_FALSE(lab.nb->load());
}

TEST_CASE("cli on: a flag that does not stick is an error, not a success")
{
  Lab lab;
  lab.set_sticks = false;
  const auto r = run_cli(lab, {"on"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "error: NB_Global.ipsec still reads false after setting it through kube-system/ovn-central-a\n");
}

TEST_CASE("cli on: Kube-OVN >= 1.13 owns the flag unless --force")
{
  Lab lab;
  lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                            "kube-ovn-controller", {"--enable-ovn-ipsec=false"}));
  auto r = run_cli(lab, {"on"});
  CHECK(r.code == 1);
  CHECK(r.err.find("pod kube-system/kube-ovn-controller-x (container kube-ovn-controller) runs with "
                   "--enable-ovn-ipsec=false") != std::string::npos);
  CHECK(r.err.find("Pass --force") != std::string::npos);
  CHECK(lab.commands_in("ovn-central-a").empty()); // nothing was run, let alone changed

  r = run_cli(lab, {"on", "--force"});
  CHECK(r.code == 0);
  CHECK(r.err == "warning: --force: kube-ovn-controller will set NB_Global.ipsec back to false when it restarts\n");
  CHECK(lab.nb->load());
}

TEST_CASE("cli on: no NB leader after the retries names the pods it saw")
{
  Lab lab;
  auto lone =
      make_pod("kube-ovn", "ovn-central-b", "n2", {{"app", "ovn-central"}, {"ovn-nb-leader", "true"}}, "ovn-central");
  lone.ready = false;
  lab.fake.add_pod(lone);
  const auto r = run_cli(lab, {"on", "-n", "kube-ovn"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: no ready OVN NB leader in namespace kube-ovn after 10 tries: pods matching "
                 "app=ovn-central,ovn-nb-leader=true: pod ovn-central-b is not ready\n");
  CHECK(r.sleeps == 9);
}

TEST_CASE("cli on: the leader moving mid-command is followed")
{
  Lab lab;
  // ovn-central-0 sorts first, so it is the leader picked first; its pod is gone by the time
  // the command runs there, and ovn-central-a has taken over.
  lab.fake.add_pod(make_pod("kube-system", "ovn-central-0", "n3", {{"app", "ovn-central"}, {"ovn-nb-leader", "true"}},
                            "ovn-central"));
  lab.fake.on_exec("ovn-central-0", [&lab](const kube::ExecRequest&) -> kube::ExecResult {
    lab.fake.remove_pod("ovn-central-0");
    throw kube::ApiError(404, "NotFound", "Error from server (NotFound): pods \"ovn-central-0\" not found");
  });
  const auto r = run_cli(lab, {"on", "-v", "1"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.err.find("NB leader ovn-central-0 failed") != std::string::npos);
  CHECK(r.out == "IPsec turned on: NB_Global.ipsec=true (was false), set through kube-system/ovn-central-a\n");
  CHECK(lab.commands_in("ovn-central-0") == std::vector<std::vector<std::string>>{k_swap_true});
  CHECK(lab.commands_in("ovn-central-a") == std::vector<std::vector<std::string>>{k_swap_true, k_get});
}

TEST_CASE("cli on: a get+set whose answer is lost claims neither change nor no-change")
{
  Lab lab;
  lab.fake.add_pod(make_pod("kube-system", "ovn-central-0", "n3", {{"app", "ovn-central"}, {"ovn-nb-leader", "true"}},
                            "ovn-central"));
  // The write commits, then the old leader's pod goes before it answers.
  lab.fake.on_exec("ovn-central-0", [&lab](const kube::ExecRequest&) -> kube::ExecResult {
    lab.nb->store(true);
    lab.fake.remove_pod("ovn-central-0");
    throw kube::ApiError(404, "NotFound", "Error from server (NotFound): pods \"ovn-central-0\" not found");
  });
  const auto r = run_cli(lab, {"on"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out ==
        "IPsec is on (NB_Global.ipsec=true), read through kube-system/ovn-central-a after the NB leader moved\n");
  CHECK(lab.commands_in("ovn-central-a") == std::vector<std::vector<std::string>>{k_swap_true});
}

TEST_CASE("cli on --wait: until every node has a CONFIGURED tunnel to every other")
{
  Lab lab;
  const auto r = run_cli(lab, {"on", "--wait"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("done: 3/3 nodes configured, 0 item(s) pending") != std::string::npos);
  CHECK(lab.commands_in("ovs-ovn-2").back() == k_show);
}

TEST_CASE("cli on --wait: at the deadline it lists what is missing and exits 1")
{
  Lab lab;
  lab.tunnels_follow = false;
  const auto r = run_cli(lab, {"on", "--wait", "--timeout", "300ms"});
  CHECK(r.code == 1);
  CHECK(r.err.find("timed out after 300ms: 0/3 nodes configured, 6 item(s) pending; still pending:") !=
        std::string::npos);
  CHECK(r.err.find("  n1: no CONFIGURED tunnel to n2 (22222222-bbbb-4000-8000-000000000002)") != std::string::npos);
}

TEST_CASE("cli off --wait: until no IPsec tunnel remains")
{
  Lab lab;
  lab.nb->store(true);
  const auto r = run_cli(lab, {"off", "--wait"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("done: 3/3 nodes without IPsec tunnels") != std::string::npos);
}
