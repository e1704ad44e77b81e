// `on` / `off` through cli::run with a FakeCluster that keeps NB_Global.ipsec and answers
// tunnels/show with the lab captures, so every command each pod received can be checked.
#include "cli/app.hpp"
#include "kube/errors.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

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

namespace {

// Kube-OVN >= 1.13's two workloads as its chart renders them (charts/kube-ovn v1.14), with the flag.
nlohmann::json
kube_ovn_workload(const std::string& kind, const std::string& name, const std::string& container, bool flag)
{
  nlohmann::json c{{"name", container},
                   {"image", "docker.io/kubeovn/kube-ovn:v1.14.10"},
                   {"args",
                    {"--default-cidr=10.16.0.0/16", fmt::format("--enable-ovn-ipsec={}", flag),
                     "--log_file=/var/log/kube-ovn/x.log"}},
                   {"volumeMounts", {{{"name", "host-run-ovs"}, {"mountPath", "/run/openvswitch"}}}}};
  nlohmann::json volumes = {{{"name", "host-run-ovs"}, {"hostPath", {{"path", "/run/openvswitch"}}}}};
  if (flag && kind == "DaemonSet") {
    c["volumeMounts"].push_back({{"name", "ovs-ipsec-keys"}, {"mountPath", "/etc/ovs_ipsec_keys"}});
    volumes.push_back({{"name", "ovs-ipsec-keys"}, {"hostPath", {{"path", "/etc/origin/ovs_ipsec_keys"}}}});
  }
  nlohmann::json status =
      kind == "DaemonSet" ? nlohmann::json{{"observedGeneration", 1},
                                           {"desiredNumberScheduled", 3},
                                           {"updatedNumberScheduled", 3},
                                           {"numberAvailable", 3}}
                          : nlohmann::json{{"observedGeneration", 1}, {"updatedReplicas", 1}, {"availableReplicas", 1}};
  return {{"apiVersion", "apps/v1"},
          {"kind", kind},
          {"metadata", {{"namespace", "kube-system"}, {"name", name}, {"generation", 1}, {"labels", {{"app", name}}}}},
          {"spec", {{"replicas", 1}, {"template", {{"spec", {{"containers", {c}}, {"volumes", volumes}}}}}}},
          {"status", status}};
}

// A v1.13+ cluster with the flag at `flag` whose rollouts finish as soon as they start.
void
add_kube_ovn_workloads(Lab& lab, bool flag, bool rollouts_finish = true)
{
  lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                            "kube-ovn-controller", {fmt::format("--enable-ovn-ipsec={}", flag)}));
  lab.fake.add_workload(kube_ovn_workload("Deployment", "kube-ovn-controller", "kube-ovn-controller", flag));
  lab.fake.add_workload(kube_ovn_workload("DaemonSet", "kube-ovn-cni", "cni-server", flag));
  if (rollouts_finish) {
    lab.fake.after_patch = [](nlohmann::json& object) {
      object["status"]["observedGeneration"] = object["metadata"]["generation"];
    };
  } else {
    lab.fake.after_patch = [](nlohmann::json& object) {
      object["status"]["observedGeneration"] = object["metadata"]["generation"];
      object["status"][object["kind"] == "DaemonSet" ? "updatedNumberScheduled" : "updatedReplicas"] = 0;
    };
  }
}

std::vector<std::string>
workload_args(const Lab& lab, const std::string& kind, const std::string& name)
{
  return lab.fake.workload_json(kind, "kube-system", name)["spec"]["template"]["spec"]["containers"][0]["args"];
}

} // namespace

TEST_CASE("cli on: Kube-OVN >= 1.13: --enable-ovn-ipsec on both workloads is the switch, with the key volume")
{
  Lab lab;
  add_kube_ovn_workloads(lab, false);
  auto r = run_cli(lab, {"on"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out == "IPsec turned on: --enable-ovn-ipsec=true on deployment/kube-ovn-controller (was false) and "
                 "daemonset/kube-ovn-cni (was false); rolled out in 0 s\n");
  CHECK(r.err.find("setting --enable-ovn-ipsec=true on deployment/kube-ovn-controller and daemonset/kube-ovn-cni") ==
        0);
  CHECK(r.err.find("rollout: kube-ovn-controller: 1/1 updated, 1/1 available, kube-ovn-cni: 3/3 updated, 3/3 "
                   "available\n") != std::string::npos);
  const std::vector<std::string> on_args{"--default-cidr=10.16.0.0/16", "--enable-ovn-ipsec=true",
                                         "--log_file=/var/log/kube-ovn/x.log"};
  CHECK(workload_args(lab, "Deployment", "kube-ovn-controller") == on_args);
  CHECK(workload_args(lab, "DaemonSet", "kube-ovn-cni") == on_args);
  const auto cni = lab.fake.workload_json("DaemonSet", "kube-system", "kube-ovn-cni");
  CHECK(cni["spec"]["template"]["spec"]["volumes"][1] ==
        nlohmann::json{{"name", "ovs-ipsec-keys"},
                       {"hostPath", {{"path", "/etc/origin/ovs_ipsec_keys"}, {"type", "DirectoryOrCreate"}}}});
  CHECK(cni["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][1] ==
        nlohmann::json{{"name", "ovs-ipsec-keys"}, {"mountPath", "/etc/ovs_ipsec_keys"}});
  CHECK(lab.commands_in("ovn-central-a").empty()); // NB_Global.ipsec is the controller's to set

  // Again: nothing to patch.
  lab.fake.remove_pod("kube-ovn-controller-x");
  lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-y", "n1", {{"app", "kube-ovn-controller"}},
                            "kube-ovn-controller", {"--enable-ovn-ipsec=true"}));
  const auto patches = lab.fake.patches().size();
  r = run_cli(lab, {"on"});
  CHECK(r.code == 0);
  CHECK(r.out == "IPsec is already on: --enable-ovn-ipsec=true on deployment/kube-ovn-controller and "
                 "daemonset/kube-ovn-cni; nothing changed\n");
  CHECK(lab.fake.patches().size() == patches);
  // A DaemonSet not fully available (a NotReady node) does not hold an `on` that changes nothing.
  auto degraded = lab.fake.workload_json("DaemonSet", "kube-system", "kube-ovn-cni");
  degraded["status"]["numberAvailable"] = 2;
  lab.fake.add_workload(degraded);
  r = run_cli(lab, {"on"});
  CHECK(r.code == 0);
  CHECK(r.sleeps == 0);
  degraded["status"]["numberAvailable"] = 3;
  lab.fake.add_workload(degraded);

  // off: the flag false; the key volume stays, so Kube-OVN's cleanup reaches the host's files.
  r = run_cli(lab, {"off"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(workload_args(lab, "DaemonSet", "kube-ovn-cni")[1] == "--enable-ovn-ipsec=false");
  CHECK(lab.fake.workload_json("DaemonSet", "kube-system", "kube-ovn-cni")["spec"]["template"]["spec"]["volumes"]
            .size() == 2);
}

TEST_CASE("cli on: Kube-OVN >= 1.13 installed with Helm: the helm command, nothing changed")
{
  Lab lab;
  add_kube_ovn_workloads(lab, false);
  auto deployment = lab.fake.workload_json("Deployment", "kube-system", "kube-ovn-controller");
  deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm";
  deployment["metadata"]["labels"]["helm.sh/chart"] = "kube-ovn-v1.14.10";
  deployment["metadata"]["annotations"] = {{"meta.helm.sh/release-name", "kube-ovn"},
                                           {"meta.helm.sh/release-namespace", "kube-system"}};
  lab.fake.add_workload(deployment);
  const auto r = run_cli(lab, {"on"});
  CHECK(r.code == 1);
  CHECK(r.out == "Kube-OVN is installed with Helm (release kube-ovn in namespace kube-system): a change to its "
                 "workloads would be undone by the next helm upgrade, so nothing was changed. Turn IPsec on with:\n"
                 "  helm upgrade kube-ovn kubeovn/kube-ovn -n kube-system --version v1.14.10 --reuse-values --set "
                 "func.ENABLE_OVN_IPSEC=true\n");
  CHECK(lab.fake.patches().empty());
}

TEST_CASE("cli on: Kube-OVN >= 1.13: a refused patch undoes the first; a stalled rollout times out")
{
  Lab lab;
  add_kube_ovn_workloads(lab, false);
  lab.fake.refuse_patch.emplace(
      "DaemonSet kube-system/kube-ovn-cni",
      kube::ApiError(403, "Forbidden",
                     "daemonsets.apps \"kube-ovn-cni\" is forbidden: User \"viewer\" cannot patch resource "
                     "\"daemonsets\" in API group \"apps\" in the namespace \"kube-system\""));
  auto r = run_cli(lab, {"on"});
  CHECK(r.code == 1);
  CHECK(r.err.find("error: cannot patch DaemonSet kube-system/kube-ovn-cni: daemonsets.apps \"kube-ovn-cni\" is "
                   "forbidden: User \"viewer\" cannot patch resource \"daemonsets\"") != std::string::npos);
  CHECK(r.err.find("the change to Deployment kube-system/kube-ovn-controller was undone, nothing is changed") !=
        std::string::npos);
  CHECK(workload_args(lab, "Deployment", "kube-ovn-controller")[1] == "--enable-ovn-ipsec=false");

  Lab stalled;
  add_kube_ovn_workloads(stalled, false, false);
  r = run_cli(stalled, {"on", "--timeout", "3s"});
  CHECK(r.code == 1);
  CHECK(r.err.find("error: the rollout did not finish within 3 s (kube-ovn-controller: 0/1 updated") !=
        std::string::npos);
  CHECK(r.sleeps == 3);
}

TEST_CASE("cli on --force: Kube-OVN >= 1.13's NB_Global.ipsec flipped alone, with a warning")
{
  Lab lab;
  add_kube_ovn_workloads(lab, false);
  const auto r = run_cli(lab, {"on", "--force"});
  CHECK(r.code == 0);
  CHECK(r.err == "warning: --force: kube-ovn-controller will set NB_Global.ipsec back to false when it restarts\n");
  CHECK(lab.nb->load());
  CHECK(lab.fake.patches().empty());
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

TEST_CASE("cli on --timeout: a leader that never answers costs --timeout once, not 20 s per attempt")
{
  Lab lab;
  std::vector<std::chrono::milliseconds> given; // each exec's timeout, as the leader got it
  // The leader hangs: the exec ends at its timeout (at most 2 s here, so the old 20 s fails fast).
  lab.fake.on_exec_first("ovn-central-a", [&given](const kube::ExecRequest& request) -> kube::ExecResult {
    given.push_back(request.timeout);
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(request.timeout, std::chrono::seconds(2)));
    throw kube::TransportError(fmt::format("exec in kube-system/ovn-central-a timed out"), true);
  });
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_cli(lab, {"on", "--wait", "--timeout", "800ms"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "error: timed out after 800ms (--timeout) waiting for NB_Global.ipsec=true to be set through "
                 "kube-system/ovn-central-a\n");
  REQUIRE(given.size() == 1); // no second attempt: nothing was left for it
  CHECK(given[0] > std::chrono::milliseconds(0));
  CHECK(given[0] <= std::chrono::milliseconds(800));
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
