#include "ipsec/node_report.hpp"
#include "ipsec/targets.hpp"
#include "support/fake_cluster.hpp"

#include <doctest/doctest.h>

using testsupport::make_pod;

namespace {

kube::Pod
central(const std::string& name, bool ready = true, const std::string& phase = "Running")
{
  auto pod =
      make_pod("kube-system", name, "master", {{"app", "ovn-central"}, {"ovn-nb-leader", "true"}}, "ovn-central");
  pod.ready = ready;
  pod.phase = phase;
  return pod;
}

} // namespace

TEST_CASE("ipsec::pick_central_leader takes a ready ovn-central pod")
{
  SUBCASE("one ready leader")
  {
    const auto leader = ipsec::pick_central_leader({central("ovn-central-abc")});
    REQUIRE(leader);
    CHECK(leader->pod == "ovn-central-abc");
    CHECK(leader->container == "ovn-central");
    CHECK(leader->ns == "kube-system");
  }
  SUBCASE("not ready, pending and terminating pods are skipped")
  {
    auto terminating = central("ovn-central-t");
    terminating.terminating = true;
    CHECK_FALSE(ipsec::pick_central_leader(
        {central("ovn-central-a", false), central("ovn-central-b", true, "Pending"), terminating}));
    const auto why = ipsec::describe_leader_candidates(
        {central("ovn-central-a", false), central("ovn-central-b", true, "Pending"), terminating});
    CHECK(why == "pods matching app=ovn-central,ovn-nb-leader=true: pod ovn-central-a is not ready; "
                 "pod ovn-central-b is not running (Pending); pod ovn-central-t is terminating");
  }
  SUBCASE("a pod that is not ovn-central is ignored, as kubectl-ko does")
  {
    CHECK_FALSE(ipsec::pick_central_leader({central("ovn-ic-server-x")}));
  }
  SUBCASE("two leaders during an election: the choice is stable")
  {
    CHECK(ipsec::pick_central_leader({central("ovn-central-z"), central("ovn-central-b")})->pod == "ovn-central-b");
  }
  SUBCASE("no candidates")
  {
    CHECK(ipsec::describe_leader_candidates({}) == "no pod matches app=ovn-central,ovn-nb-leader=true");
  }
}

TEST_CASE("ipsec::detect_layout")
{
  const auto ovs = make_pod("kube-system", "ovs-ovn-1", "n1", {{"app", "ovs"}}, "openvswitch");
  const auto cni_old = make_pod("kube-system", "kube-ovn-cni-1", "n1", {{"app", "kube-ovn-cni"}}, "cni-server",
                                {"--enable-mirror=false"});
  const auto cni_new = make_pod("kube-system", "kube-ovn-cni-1", "n1", {{"app", "kube-ovn-cni"}}, "cni-server",
                                {"--enable-ovn-ipsec=false"});
  CHECK(ipsec::detect_layout({cni_old}, {ovs}) == ipsec::Layout::ovs_ovn);
  CHECK(ipsec::detect_layout({cni_new}, {ovs}) == ipsec::Layout::kube_ovn_cni);
  CHECK(ipsec::detect_layout({cni_old}, {}) == ipsec::Layout::kube_ovn_cni);
  CHECK(ipsec::detect_layout({}, {}) == ipsec::Layout::ovs_ovn);
}

TEST_CASE("ipsec::node_targets picks each node's pod and says why not")
{
  auto not_ready = make_pod("kube-system", "ovs-ovn-2", "n2", {{"app", "ovs"}}, "openvswitch");
  not_ready.ready = false;
  const std::vector<kube::Pod> ovs{make_pod("kube-system", "ovs-ovn-3", "n3", {{"app", "ovs"}}, "openvswitch"),
                                   make_pod("kube-system", "ovs-ovn-1", "n1", {{"app", "ovs"}}, "openvswitch"),
                                   not_ready};
  const std::vector<kube::Pod> cni{
      make_pod("kube-system", "kube-ovn-cni-4", "n4", {{"app", "kube-ovn-cni"}}, "cni-server")};

  const auto targets = ipsec::node_targets(ipsec::Layout::ovs_ovn, ovs, cni, {});
  REQUIRE(targets.size() == 4);
  CHECK(targets[0].node == "n1");
  CHECK(targets[0].target->pod == "ovs-ovn-1");
  CHECK(targets[0].target->container == "openvswitch");
  CHECK(targets[1].problem == "pod ovs-ovn-2 is not ready");
  CHECK_FALSE(targets[1].target);
  CHECK(targets[2].target->pod == "ovs-ovn-3");
  CHECK(targets[3].problem == "no ovs-ovn pod on this node");

  SUBCASE("--node limits, and a named node without pods is reported")
  {
    const auto only = ipsec::node_targets(ipsec::Layout::kube_ovn_cni, ovs, cni, {"n4", "ghost"});
    REQUIRE(only.size() == 2);
    CHECK(only[0].node == "ghost");
    CHECK(only[0].problem == "no kube-ovn-cni pod on this node");
    CHECK(only[1].target->container == "cni-server");
  }
  SUBCASE("a rollout leaves an old pod beside a new one: the usable one wins")
  {
    auto old_pod = make_pod("kube-system", "ovs-ovn-old", "n1", {{"app", "ovs"}}, "openvswitch");
    old_pod.terminating = true;
    const auto picked = ipsec::node_targets(ipsec::Layout::ovs_ovn, {old_pod, ovs[1]}, {}, {});
    CHECK(picked[0].target->pod == "ovs-ovn-1");
  }
}

TEST_CASE("ipsec::parse_system_id")
{
  CHECK(ipsec::parse_system_id("\"8aebd9df-46ef-47b9-85e3-73e9a765296d\"\n") == "8aebd9df-46ef-47b9-85e3-73e9a765296d");
  CHECK(ipsec::parse_system_id("node-1\n") == "node-1");
  CHECK_FALSE(ipsec::parse_system_id(""));
  CHECK_FALSE(ipsec::parse_system_id("\"\"\n"));
  CHECK_FALSE(ipsec::parse_system_id("ovs-vsctl: no key \"system-id\" in Open_vSwitch record"));
}

TEST_CASE("ipsec::node_row")
{
  ipsec::NodeTarget target{"n1", ipsec::PodTarget{"kube-system", "ovs-ovn-1", "openvswitch", "n1"}, ""};
  CHECK(ipsec::node_row(target, kube::ExecResult{0, "\"abc\"\n", ""}, "").chassis == "abc");
  CHECK(ipsec::node_row(target,
                        kube::ExecResult{1, "",
                                         "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database "
                                         "connection failed\n"},
                        "")
            .error == "ovs-vsctl exited with code 1: ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection "
                      "failed");
  CHECK(ipsec::node_row(target, std::nullopt, "exec timed out").error == "exec timed out");
  CHECK(ipsec::node_row(ipsec::NodeTarget{"n2", std::nullopt, "no ovs-ovn pod on this node"}, std::nullopt, "").error ==
        "no ovs-ovn pod on this node");
}
