// `status` through cli::run against the fake 3-node lab: the screen, exit codes, failures,
// and the exact (read-only) commands each pod received.
#include "support/fake_lab.hpp"

#include "kube/errors.hpp"

#include <algorithm>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace testsupport::fakelab;

namespace {

void
all_sas_installed(Lab& lab)
{
  lab.show_when_on = [](int node) { return kube::ExecResult{0, mesh_tunnels_show(node, 3, true), ""}; };
}

} // namespace

TEST_CASE("cli status: IPsec on and every tunnel established exits 0")
{
  Lab lab;
  lab.nb->store(true);
  all_sas_installed(lab);
  const auto r = run_cli(lab, {"status"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out ==
        "NB_Global.ipsec:  true (read from kube-system/ovn-central-a)\n"
        "Layout:           ovs-ovn (Kube-OVN <= 1.12)\n"
        "Certificates:     no Secret kube-system/ovn-ipsec-ca: certificates not checked against a CA (run init)\n"
        "\n"
        "NODE   MONITOR   TUNNELS   SAS   CERT   STATUS   REASON\n"
        "n1     running   2/2       2/2   none   up       -\n"
        "n2     running   2/2       2/2   none   up       -\n"
        "n3     running   2/2       2/2   none   up       -\n"
        "\n"
        "IPsec is on: 3/3 nodes up\n");
  // Read-only: the leader is only asked, never set.
  CHECK(lab.commands_in("ovn-central-a") == std::vector<std::vector<std::string>>{k_get});
  // Each pod list once: discovery's kube-ovn-cni list also answers who owns the flag.
  const auto lists = lab.fake.list_calls();
  CHECK(std::count_if(lists.begin(), lists.end(),
                      [](const std::string& call) { return call.find("app=kube-ovn-cni") != std::string::npos; }) == 1);
  for (int i = 1; i <= 3; ++i) {
    const auto commands = lab.commands_in("ovs-ovn-" + std::to_string(i));
    REQUIRE(commands.size() == 3);
    CHECK(commands[0] == k_system_id);
    CHECK(commands[1] == k_show);
    CHECK(commands[2][0] == "sh"); // the certificate look, read-only
  }
}

TEST_CASE("cli status: tunnels configured but IKE has installed no SA is not up")
{
  Lab lab;
  lab.nb->store(true);
  const auto r = run_cli(lab, {"status"});
  INFO(r.out);
  CHECK(r.code == 1);
  // The fake's nodes have no certificate: that, not IKE, is what the row blames, with the fix.
  CHECK(r.out.find("n1     running   2/2       0/2 (2 negotiating)   none   no SAs   no IPsec certificate on this "
                   "node; run `kubectl ko ipsec init`\n") != std::string::npos);
  CHECK(r.out.find("n3     running   2/2       0/2                   none   no SAs   no IPsec") != std::string::npos);
  // strongSwan is asked on nodes that are not up (it can explain them), and only there.
  CHECK(lab.commands_in("ovs-ovn-1").back() == std::vector<std::string>{"ipsec", "status"});
  CHECK(r.out.find("IPsec is on: 0/3 nodes up (n1: no SAs, n2: no SAs, n3: no SAs)\n") != std::string::npos);
}

TEST_CASE("cli status: IPsec off with no tunnel left exits 3")
{
  Lab lab;
  const auto r = run_cli(lab, {"status"});
  INFO(r.out);
  CHECK(r.code == 3);
  CHECK(r.out.find("NB_Global.ipsec:  false (read from kube-system/ovn-central-a)\n") == 0);
  CHECK(r.out.find("n2     running   0         -     none   off      -\n") != std::string::npos);
  CHECK(r.out.find("IPsec is off: no node has an IPsec tunnel\n") != std::string::npos);
}

TEST_CASE("cli status: a node whose monitor is down and a node whose pod is gone; the rest still shown")
{
  Lab lab;
  lab.nb->store(true);
  all_sas_installed(lab);
  lab.show_when_on = [](int node) {
    if (node == 2) {
      return kube::ExecResult{1, "",
                              "2026-11-27T10:00:00Z|00001|daemon_unix|WARN|/var/run/openvswitch/ovs-monitor-ipsec.pid: "
                              "open: No such file or directory\novs-appctl: cannot read pidfile "
                              "\"/var/run/openvswitch/ovs-monitor-ipsec.pid\" (No such file or directory)\n"};
    }
    if (node == 3) { // deleted after its chassis was read
      throw kube::ApiError(404, "NotFound", "Error from server (NotFound): pods \"ovs-ovn-3\" not found");
    }
    return kube::ExecResult{0, mesh_tunnels_show(node, 3, true), ""};
  };
  const auto r = run_cli(lab, {"status"});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("n1     running   2/2       2/2   none   up             -\n") != std::string::npos);
  CHECK(r.out.find("n2     down      -         -     none   monitor down   IPsec not set up on this node (no "
                   "certificate, ovs-monitor-ipsec not running); run `kubectl ko ipsec init`\n") != std::string::npos);
  CHECK(r.out.find("n3     unknown   -         -     none   failed         Error from server (NotFound): pods "
                   "\"ovs-ovn-3\" not found\n") != std::string::npos);
  // Only the node whose monitor is down is asked about strongSwan.
  CHECK(lab.commands_in("ovs-ovn-2").back() == std::vector<std::string>{"ipsec", "status"});
  CHECK(lab.commands_in("ovs-ovn-1").back() != std::vector<std::string>{"ipsec", "status"});
  CHECK(r.out.find("IPsec is on: 1/3 nodes up (n2: monitor down, n3: failed)\n") != std::string::npos);
}

TEST_CASE("cli status: without an NB leader the nodes are still shown, and it exits 1")
{
  Lab lab;
  lab.nb->store(true);
  all_sas_installed(lab);
  lab.fake.remove_pod("ovn-central-a");
  const auto r = run_cli(lab, {"status"});
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.sleeps == 2); // three looks, one second apart, while an election might settle
  CHECK(r.out.find("NB_Global.ipsec:  unknown: no ready OVN NB leader in namespace kube-system after 3 tries") == 0);
  CHECK(r.out.find("n2     running   2/2       2/2   none   up       -\n") != std::string::npos);
}

TEST_CASE("cli status: --node limits the rows, not the peers expected")
{
  Lab lab;
  lab.nb->store(true);
  all_sas_installed(lab);
  const auto r = run_cli(lab, {"status", "--node", "n2", "-o", "json"});
  CHECK_MESSAGE(r.code == 0, r.err);
  const auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["nodes"].size() == 1);
  const auto& node = doc["nodes"][0];
  CHECK(node["node"] == "n2");
  CHECK(node["chassis"] == k_chassis[1]);
  CHECK(node["health"] == "up");
  CHECK(node["tunnels"]["expected"] == 2);
  CHECK(node["tunnels"]["configured"] == 2);
  CHECK(node["sas"]["established"] == 2);
  CHECK(doc["ipsec"]["enabled"] == true);
  CHECK(doc["ipsec"]["source"] == "kube-system/ovn-central-a");
  CHECK(doc["layout"] == "ovs-ovn");
  CHECK(doc["managedBy"].is_null());
  CHECK(doc["summary"]["exitCode"] == 0);
  // Every node's chassis is read (to know the peers); only n2's tunnels are.
  CHECK(lab.commands_in("ovs-ovn-1") == std::vector<std::vector<std::string>>{k_system_id});

  const auto unknown = run_cli(lab, {"status", "--node", "nope"});
  CHECK(unknown.code == 1);
  CHECK(unknown.out.find("nope   unknown   -         -     -      failed   no Kube-OVN pod on this node") !=
        std::string::npos);
}

TEST_CASE("cli status: Kube-OVN >= 1.13 owning the flag is shown; -o wide and yaml")
{
  Lab lab;
  lab.nb->store(true);
  all_sas_installed(lab);
  lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                            "kube-ovn-controller", {"--enable-ovn-ipsec=true"}));
  auto r = run_cli(lab, {"status", "-o", "wide"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(
      r.out.find("Managed by:       kube-ovn-controller-x (container kube-ovn-controller) --enable-ovn-ipsec=true\n") !=
      std::string::npos);
  CHECK(
      r.out.find(
          "NODE   POD         CHASSIS                                MONITOR   TUNNELS   SAS   CERT   NOT CONFIGURED   "
          "UNKNOWN PEERS   WARNINGS   CSR   CERT SUBJECT   STATUS   REASON\n") != std::string::npos);
  CHECK(r.out.find("n1     ovs-ovn-1   " + k_chassis[0] +
                   "   running   2/2       2/2   none   0                0               0"
                   "          -     -              up       -\n") != std::string::npos);

  r = run_cli(lab, {"status", "-o", "yaml"});
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find(
            "managedBy:\n  container: kube-ovn-controller\n  enableOvnIpsec: true\n  pod: kube-ovn-controller-x\n") !=
        std::string::npos);
  CHECK(r.out.find("  text: \"IPsec is on: 3/3 nodes up\"\n") != std::string::npos);

  r = run_cli(lab, {"status", "-o", "xml"});
  CHECK(r.code == 1);
}

TEST_CASE("cli: a namespace without Kube-OVN's node pods is an error naming it, for every command")
{
  Lab lab;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status"}, {"nodes"}, {"tunnels"}, {"init", "--dry-run"}}) {
    auto with_ns = args;
    with_ns.insert(with_ns.end(), {"-n", "nosuchns"});
    const auto r = run_cli(lab, with_ns);
    CAPTURE(args[0]);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("error: no Kube-OVN pods in namespace nosuchns (neither app=ovs nor app=kube-ovn-cni)") == 0);
  }
}
