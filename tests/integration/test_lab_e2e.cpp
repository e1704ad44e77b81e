// End to end on the real-daemon lab (tests/lab): the built plugin against the test API server,
// whose Kube-OVN pods run the real ovn-nbctl / ovs-vsctl / ovs-appctl inside the lab's OVN
// central and nodes. Assertions are on the parsed `-o json` output. Needs root and the lab's
// packages (.ci/install-deps); skips with a message otherwise.
#include "support/clock.hpp"
#include "support/init_sim.hpp"
#include "support/lab.hpp"
#include "support/plugin_run.hpp"
#include "support/testdata.hpp"

#include "pki/certificate_info.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>

using nlohmann::json;
using testsupport::LabCluster;
using testsupport::LabOptions;
using testsupport::RunResult;

namespace {

const std::string k_wait_timeout = "90s";

json
parse_output(const RunResult& r)
{
  const auto doc = json::parse(r.out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    FAIL("not a JSON object (exit " << r.exit_code << "):\n" << r.out << r.err);
  }
  return doc;
}

std::string
lab_node_name(int i)
{
  return "node" + std::to_string(i);
}

std::string
node_ip(int i)
{
  return "10.99.0." + std::to_string(10 + i);
}

// The lab's fixed chassis names (tests/lab/lib/common.sh): 11111111-aaaa-4000-8000-000000000001, ...
std::string
chassis(int i)
{
  const std::string digit = std::to_string(i);
  std::string name;
  for (int k = 0; k < 8; ++k) {
    name += digit;
  }
  name += "-" + std::string(4, static_cast<char>('a' + i - 1)) + "-4000-8000-0000000000" + (i < 10 ? "0" : "") + digit;
  return name;
}

// `tunnels -o json`'s node entry for `node`; fails the case when it is absent.
json
node_entry(const json& doc, const std::string& node)
{
  for (const auto& item : doc.value("nodes", json::array())) {
    if (item.value("node", "") == node) {
      return item;
    }
  }
  FAIL("no node " << node << " in " << doc.dump());
  return {};
}

// Node `i` of an `n`-node lab has exactly one CONFIGURED tunnel to each other node, with the
// addresses and chassis names the lab gave them, and misses none.
void
check_configured_mesh_of(const json& doc, int i, int n)
{
  const json item = node_entry(doc, lab_node_name(i));
  INFO("node " << lab_node_name(i) << ": " << item.dump());
  CHECK_FALSE(item.contains("error"));
  CHECK(item.value("chassis", "") == chassis(i));
  CHECK(item["missingPeers"].empty());
  std::set<std::string> peers;
  for (const auto& tunnel : item.value("tunnels", json::array())) {
    CHECK(tunnel.value("state", "") == "CONFIGURED");
    CHECK(tunnel.value("localIp", "") == node_ip(i));
    const std::string remote = tunnel.value("remoteNode", "");
    peers.insert(remote);
    for (int p = 1; p <= n; ++p) {
      if (lab_node_name(p) == remote) {
        CHECK(tunnel.value("remoteIp", "") == node_ip(p));
        CHECK(tunnel.value("remoteName", "") == chassis(p));
        CHECK(tunnel.value("interface", "") == "ovn-" + chassis(p).substr(0, 6) + "-0");
      }
    }
  }
  std::set<std::string> expected;
  for (int p = 1; p <= n; ++p) {
    if (p != i) {
      expected.insert(lab_node_name(p));
    }
  }
  CHECK(peers == expected);
  CHECK(item["tunnels"].size() == expected.size());
}

void
check_full_mesh(const RunResult& r, int n)
{
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  const json doc = parse_output(r);
  CHECK(doc["nodes"].size() == static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) {
    check_configured_mesh_of(doc, i, n);
  }
}

// Every node says "No tunnels configured with IPsec".
void
check_no_tunnels(const RunResult& r, int n)
{
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  const json doc = parse_output(r);
  REQUIRE(doc["nodes"].size() == static_cast<std::size_t>(n));
  for (const auto& item : doc["nodes"]) {
    INFO(item.dump());
    CHECK(item.value("noTunnels", false));
    CHECK(item["tunnels"].empty());
    CHECK_FALSE(item.contains("error"));
  }
}

// `status -o json`: its exit code, the one in its summary, and each node's health word.
std::map<std::string, std::string>
status_health(const LabCluster& cluster, int expected_exit)
{
  const RunResult r = cluster.plugin({"status", "-o", "json"});
  CHECK_MESSAGE(r.exit_code == expected_exit, r.out << r.err);
  const json doc = parse_output(r);
  CHECK(doc["summary"].value("exitCode", -1) == expected_exit);
  std::map<std::string, std::string> health;
  for (const auto& item : doc.value("nodes", json::array())) {
    health[item.value("node", "")] = item.value("health", "");
  }
  return health;
}

// The args of `container` in a Deployment's or DaemonSet's pod template, as the API server has it.
json
template_container(const json& workload, const std::string& container)
{
  for (const auto& c : workload["spec"]["template"]["spec"]["containers"]) {
    if (c.value("name", "") == container) {
      return c;
    }
  }
  FAIL("no container " << container << " in " << workload.dump());
  return {};
}

// Kube-OVN >= 1.13's switch on both workloads, read back from the API server: the flag (exactly
// one `--enable-ovn-ipsec…` argument) and, on kube-ovn-cni, the key directory's hostPath volume.
void
check_workloads_flag(const testsupport::TestApiServer& server, bool on)
{
  const std::string want = std::string("--enable-ovn-ipsec=") + (on ? "true" : "false");
  const json controller = server.control("GET", "/apis/apps/v1/namespaces/kube-system/deployments/kube-ovn-controller");
  const json cni = server.control("GET", "/apis/apps/v1/namespaces/kube-system/daemonsets/kube-ovn-cni");
  for (const auto& [workload, container] :
       {std::pair{controller, "kube-ovn-controller"}, std::pair{cni, "cni-server"}}) {
    std::vector<std::string> flags;
    for (const auto& arg : template_container(workload, container).value("args", json::array())) {
      if (arg.get<std::string>().starts_with("--enable-ovn-ipsec")) {
        flags.push_back(arg.get<std::string>());
      }
    }
    const std::string dumped = workload.dump(); // clang 14: no lambda capture of bindings
    CHECK_MESSAGE(flags == std::vector<std::string>{want}, dumped);
  }
  bool volume = false;
  for (const auto& v : cni["spec"]["template"]["spec"].value("volumes", json::array())) {
    volume = volume || (v.value("name", "") == "ovs-ipsec-keys" &&
                        v["hostPath"].value("path", "") == "/etc/origin/ovs_ipsec_keys");
  }
  bool mount = false;
  for (const auto& m : template_container(cni, "cni-server").value("volumeMounts", json::array())) {
    mount = mount || (m.value("name", "") == "ovs-ipsec-keys" && m.value("mountPath", "") == "/etc/ovs_ipsec_keys");
  }
  // The plugin's `off` keeps the key directory mounted, so the cni-server's cleanup reaches the
  // host's files (src/ipsec/kube_ovn_switch.cpp says why); `on` adds it.
  CHECK(volume);
  CHECK(mount);
  (void)on;
  // Rolled out: every pod is ready and from the new template.
  CHECK(cni["status"].value("updatedNumberScheduled", -1) == 3);
  CHECK(cni["status"].value("numberReady", -1) == 3);
  CHECK(controller["status"].value("updatedReplicas", -1) == 1);
  CHECK(controller["status"].value("readyReplicas", -1) == 1);
}

// The names of kube-system's pods, each followed by a space.
std::string
pod_names(const testsupport::TestApiServer& server)
{
  std::string names;
  const json list = server.control(
      "GET", "/api/v1/namespaces/kube-system/pods"); // named: a range-for over a temporary's member dangles
  for (const auto& p : list["items"]) {
    names += p["metadata"].value("name", "") + " ";
  }
  return names;
}

} // namespace

TEST_SUITE("integration-lab")
{
  TEST_CASE("lab e2e: on --wait configures every tunnel, a node added after on gets its own, off --wait removes them")
  {
    KOI_SKIP_WITHOUT_LAB();
    LabCluster cluster;

    check_no_tunnels(cluster.plugin({"tunnels", "-o", "json"}), 3);
    auto health = status_health(cluster, 3); // IPsec off and no tunnel left
    CHECK(health == std::map<std::string, std::string>{{"node1", "off"}, {"node2", "off"}, {"node3", "off"}});

    RunResult r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "NB_Global.ipsec=true (was false)"));
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);

    // IKE comes up with the lab's certificates, but the host kernel has no ESP: no SA is ever
    // installed, so `status` says "no SAs" and exits 1 (0 needs the UML lab).
    cluster.lab().command_ok({"trigger-ike"});
    health = status_health(cluster, 1);
    CHECK(health == std::map<std::string, std::string>{{"node1", "no SAs"}, {"node2", "no SAs"}, {"node3", "no SAs"}});

    // The proof on the wire: the control plane says IPsec is on, but with no ESP in this kernel
    // (and netdev Geneve built in userspace) every packet from ovn0 to a peer's ovn0 leaves as
    // cleartext Geneve. verify must say so for every pair and exit 1.
    const auto verify_start = std::chrono::steady_clock::now();
    r = cluster.plugin({"verify", "-o", "json"});
    MESSAGE("verify on 3 lab nodes: " << testsupport::seconds_since(verify_start) << " s");
    CHECK_MESSAGE(r.exit_code == 1, r.out << r.err);
    const json verified = parse_output(r);
    CHECK(verified["summary"] == "NOT verified: 0/6 node pairs encrypted; 6 not encrypted");
    REQUIRE(verified["pairs"].size() == 6);
    for (const auto& pair : verified["pairs"]) {
      INFO(pair.dump());
      CHECK(pair["verdict"] == "not encrypted");
      CHECK(pair["cleartext"]["packets"].get<int>() > 0);
      CHECK(pair["esp"]["wirePackets"] == 0);
      CHECK(pair["echo"]["replied"].get<int>() > 0); // the traffic really crossed the tunnel
      CHECK(pair["mtu"]["result"] == "ok");          // 1400 bytes with DF: Geneve alone fits 1500
    }
    // Nothing of the probe keeps running in a node.
    for (int i = 1; i <= 3; ++i) {
      CHECK(cluster.lab().command({"exec", "node" + std::to_string(i), "--", "pgrep", "-x", "tcpdump"}).exit_code == 1);
    }

    cluster.lab().command_ok({"add-node"});
    cluster.serve(); // the server reads the cluster description at start
    r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "IPsec is already on"));
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 4);
    // One node: the real ovn-sbctl's Chassis table names the other three (hostname = node name).
    r = cluster.plugin({"tunnels", "--node", "node2", "-o", "json", "-v", "1"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK_MESSAGE(testsupport::contains(r.err, "chassis names: 4 of 4 nodes from the Chassis table"), r.err);
    CHECK(parse_output(r)["nodes"].size() == 1);
    check_configured_mesh_of(parse_output(r), 2, 4);

    r = cluster.plugin({"off", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "NB_Global.ipsec=false (was true)"));
    check_no_tunnels(cluster.plugin({"tunnels", "-o", "json"}), 4);
    health = status_health(cluster, 3);
    CHECK(health.size() == 4);
    CHECK(health["node4"] == "off");
  }

  TEST_CASE("lab e2e: init on v1.12 pods without certificates or IPsec daemons; strongSwan accepts them: "
            "on --wait, IKE up, CERT ok; a restarted pod is flagged and healed alone")
  {
    KOI_SKIP_WITHOUT_LAB();
    // --no-certs: the nodes as Kube-OVN v1.12's start-ovs.sh leaves an ovs-ovn pod, with OVS and
    // OVN running and neither ovs-monitor-ipsec nor strongSwan.
    LabCluster cluster(LabOptions{3, "ovs-ovn", false, false, ""});
    const auto monitor_pid = [&cluster](int i) {
      return testsupport::read_file_or_empty(cluster.lab().dir() + "/nodes/" + lab_node_name(i) +
                                             "/run/openvswitch/ovs-monitor-ipsec.pid");
    };
    for (int i = 1; i <= 3; ++i) {
      CHECK(monitor_pid(i).empty());
    }

    const auto seed_start = std::chrono::steady_clock::now();
    RunResult r = cluster.plugin({"init"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "CA: Secret kube-system/ovn-ipsec-ca (created)"));
    CHECK(testsupport::contains(r.out, "3 node(s): 3 ok, 0 failed"));
    CHECK(testsupport::contains(r.out, "IPsec daemons started (service openvswitch-ipsec start, service ipsec start) "
                                       "on: node1, node2, node3\n"));
    for (int i = 1; i <= 3; ++i) {
      CHECK_FALSE(monitor_pid(i).empty());
    }
    for (int i = 1; i <= 3; ++i) {
      INFO(lab_node_name(i));
      CHECK(testsupport::contains(testsupport::line_starting(r.out, lab_node_name(i) + " "), chassis(i) + "   enroll"));
      // Written through the pod exec (nsenter into the node's mount namespace), the files are
      // the node's own: in its tree in the lab dir, and what its daemons read as /etc/ipsec.d.
      const std::string cert = "/etc/ipsec.d/certs/" + chassis(i) + "-cert.pem";
      const RunResult verify = cluster.lab().command(
          {"exec", lab_node_name(i), "--", "openssl", "verify", "-CAfile", "/etc/ipsec.d/cacerts/cacert.pem", cert});
      CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
      const RunResult in_tree =
          testsupport::run({"test", "-s", cluster.lab().dir() + "/nodes/" + lab_node_name(i) + cert});
      CHECK(in_tree.exit_code == 0);
      const std::string configured = cluster.lab().command_ok(
          {"exec", lab_node_name(i), "--", "ovs-vsctl", "get", "Open_vSwitch", ".", "other_config:certificate"});
      CHECK(configured == "\"" + cert + "\"\n");
    }

    r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    MESSAGE("seed flow on the lab (init on 3 v1.12 pods, then on --wait): " << testsupport::seconds_since(seed_start)
                                                                            << " s");
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);
    // trigger-ike waits until every node has an ESTABLISHED IKE_SA with each peer: strongSwan
    // authenticated both ends with init's certificates.
    cluster.lab().command_ok({"trigger-ike"});
    const RunResult status = cluster.plugin({"status", "-o", "json"});
    CHECK(status.exit_code == 1);          // no ESP in the host kernel: "no SAs"
    const json doc = parse_output(status); // named: a range-for over a temporary's member dangles
    REQUIRE(doc["nodes"].size() == 3);
    for (const auto& item : doc["nodes"]) {
      INFO(item.dump());
      CHECK(item["certificate"]["state"] == "ok");
      CHECK(item["certificate"]["fromCurrentCa"] == true);
      CHECK(item["health"] == "no SAs");
      // strongSwan runs and has its IKE_SAs; only the kernel's ESP is missing.
      CHECK(item.value("ike", "") == "running");
      CHECK(item.value("reason", "").starts_with("IKE has no SAs with 2 of 2 peers yet"));
    }

    r = cluster.plugin({"init"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::count(r.out, "   skip     valid for") == 3);

    // rotate certs: every node makes a new key and gets a new certificate from the same CA, and
    // the command waits until every tunnel is CONFIGURED again. Then every IKE_SA is taken down:
    // the new ones authenticate with the new certificates only.
    const auto fingerprint = [&](int i) {
      return cluster.lab()
          .command({"exec", lab_node_name(i), "--", "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                    "/etc/ipsec.d/certs/" + chassis(i) + "-cert.pem"})
          .out;
    };
    // Every IKE_SA of node i taken down: the next ones authenticate afresh.
    const auto take_down_ike = [&cluster](int i) {
      for (int peer = 1; peer <= 3; ++peer) {
        if (peer != i) {
          cluster.lab().command(
              {"exec", lab_node_name(i), "--", "ipsec", "down", "ovn-" + chassis(peer).substr(0, 6) + "-0-in-1"});
        }
      }
    };
    std::vector<std::string> before_rotation;
    for (int i = 1; i <= 3; ++i) {
      before_rotation.push_back(fingerprint(i));
    }
    const std::string ca_before_rotation = testsupport::stored_ca(cluster.server()).cert;
    r = cluster.plugin({"rotate", "certs", "--wait-timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::count(r.out, "reissue   --force   done") == 3);
    CHECK(testsupport::contains(r.out, "done: "));
    CHECK(testsupport::stored_ca(cluster.server()).cert == ca_before_rotation);
    for (int i = 1; i <= 3; ++i) {
      CHECK(fingerprint(i) != before_rotation[static_cast<size_t>(i - 1)]);
      const std::string cert = "/etc/ipsec.d/certs/" + chassis(i) + "-cert.pem";
      CHECK(cluster.lab()
                .command({"exec", lab_node_name(i), "--", "openssl", "verify", "-CAfile",
                          "/etc/ipsec.d/cacerts/cacert.pem", cert})
                .exit_code == 0);
      take_down_ike(i);
    }
    cluster.lab().command_ok({"trigger-ike"});
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);

    // rotate ca: a new CA in the Secret, every node's certificate from it, and strongSwan on every
    // node holding that CA only. Then every IKE_SA is taken down again: the new ones authenticate
    // with the new certificates against the new CA, the old one being gone from every node.
    const auto rotate_start = std::chrono::steady_clock::now();
    r = cluster.plugin({"rotate", "ca", "--wait-timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    MESSAGE("rotate ca on the lab (3 nodes): " << testsupport::seconds_since(rotate_start) << " s");
    CHECK(testsupport::count(r.out, "every tunnel CONFIGURED") == 3);
    CHECK(testsupport::contains(r.out, "Done: every node's certificate is from "));
    const std::string new_ca = testsupport::stored_ca(cluster.server()).cert;
    CHECK(new_ca != ca_before_rotation);
    for (int i = 1; i <= 3; ++i) {
      INFO(lab_node_name(i));
      const std::string cert = "/etc/ipsec.d/certs/" + chassis(i) + "-cert.pem";
      CHECK(cluster.lab().command_ok({"exec", lab_node_name(i), "--", "cat", "/etc/ipsec.d/cacerts/cacert.pem"}) ==
            new_ca);
      CHECK(cluster.lab().command_ok({"exec", lab_node_name(i), "--", "ls", "/etc/ipsec.d/cacerts"}) == "cacert.pem\n");
      CHECK(cluster.lab()
                .command({"exec", lab_node_name(i), "--", "openssl", "verify", "-CAfile",
                          "/etc/ipsec.d/cacerts/cacert.pem", cert})
                .exit_code == 0);
      const std::string listed = cluster.lab().command_ok({"exec", lab_node_name(i), "--", "ipsec", "listcacerts"});
      CHECK(testsupport::count(listed, "subject:") == 1);
      CHECK(testsupport::contains(listed, pki::inspect_certificate(new_ca, "CA").common_name));
      take_down_ike(i);
    }
    cluster.lab().command_ok({"trigger-ike"});
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);

    // node1's certificate and key replaced under the same names: once its IKE_SAs are gone, new
    // ones authenticate only if strongSwan loaded the new certificate (it kept the old one
    // before init ran `ipsec reload`, and the peers refused the new key's signatures).
    r = cluster.plugin({"init", "--force", "--node", "node1"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "reissue   --force   done"));
    for (const int peer : {2, 3}) {
      cluster.lab().command({"exec", "node1", "--", "ipsec", "down", "ovn-" + chassis(peer).substr(0, 6) + "-0-in-1"});
    }
    cluster.lab().command_ok({"trigger-ike"});

    // node2's pod restarts (rollout, reboot, OOM): its daemons and /etc/ipsec.d are gone, OVSDB
    // still names the files. Nothing brings its tunnels back by itself.
    const std::string pid1 = monitor_pid(1);
    const std::string pid3 = monitor_pid(3);
    cluster.lab().command_ok({"restart-pod", "node2"});
    const RunResult flagged = cluster.plugin({"status", "-o", "json"});
    CHECK(flagged.exit_code == 1);
    const json after = parse_output(flagged);
    const json node2 = node_entry(after, "node2");
    INFO(node2.dump());
    CHECK(node2["health"] != "no SAs");
    CHECK(node2["certificate"]["state"] == "file missing");
    CHECK(node2["health"] == "monitor down");
    CHECK(node2.value("ike", "") == "down");
    CHECK(node2.value("reason", "") == "pod restarted: ovs-monitor-ipsec is down and the certificate files OVSDB "
                                       "names are gone; run `kubectl ko ipsec init`");
    const RunResult flagged_table = cluster.plugin({"status"});
    CHECK(testsupport::contains(testsupport::line_starting(flagged_table.out, "node2 "), "pod restarted"));
    const auto heal_start = std::chrono::steady_clock::now();
    r = cluster.plugin({"init"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(testsupport::line_starting(r.out, "node2 "), "repair"));
    CHECK(testsupport::contains(r.out, "(existing)")); // the same CA, from Secret ovn-ipsec-ca
    CHECK(testsupport::contains(r.out, "IPsec daemons started (service openvswitch-ipsec start, service ipsec start) "
                                       "on: node2\n"));
    CHECK(monitor_pid(1) == pid1); // the healthy nodes' daemons were not restarted
    CHECK(monitor_pid(3) == pid3);
    r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);
    cluster.lab().command_ok({"trigger-ike"});
    MESSAGE("heal of a restarted pod (init, on --wait, IKE up again): " << testsupport::seconds_since(heal_start)
                                                                        << " s");

    // A node joins later, as a new v1.12 ovs-ovn pod: OVS and OVN only. status names it and the
    // fix; init enrolls it alone (the others are skipped, their daemons untouched).
    cluster.lab().command_ok({"add-node"});
    const auto ca = testsupport::stored_ca(cluster.server());
    cluster.serve(); // the server reads the cluster description at start, and forgets the Secret
    testsupport::put_ca_secret(cluster.server(), ca);
    const RunResult joined = cluster.plugin({"status", "-o", "json"});
    CHECK(joined.exit_code == 1);
    const json node4 = node_entry(parse_output(joined), "node4");
    CHECK(node4["health"] == "monitor down");
    CHECK(node4.value("reason", "") == "IPsec not set up on this node (no certificate, ovs-monitor-ipsec not running); "
                                       "run `kubectl ko ipsec init`");
    r = cluster.plugin({"init"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    INFO(r.out);
    for (const int i : {1, 2, 3}) {
      CHECK(testsupport::contains(testsupport::line_starting(r.out, lab_node_name(i) + " "), " skip "));
    }
    CHECK(testsupport::contains(testsupport::line_starting(r.out, "node4 "), " enroll "));
    CHECK(testsupport::contains(r.out, "IPsec daemons started (service openvswitch-ipsec start, service ipsec start) "
                                       "on: node4\n"));
    CHECK(monitor_pid(1) == pid1);
    r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 4);
  }

  TEST_CASE("lab e2e: Kube-OVN >= 1.13 with --enable-ovn-ipsec=true: its certificates read as valid, init "
            "changes nothing; a node whose daemons stop is a failed row, the others still listed")
  {
    KOI_SKIP_WITHOUT_LAB();
    // The nodes as Kube-OVN v1.13's kube-ovn-cni leaves them: keys in /etc/ovs_ipsec_keys (the
    // certificate as `openssl x509 -text` output), named in OVSDB, daemons running, NB ipsec=true.
    LabCluster cluster(LabOptions{3, "kube-ovn-cni", true, false, "true"});
    RunResult r;
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);

    const RunResult status = cluster.plugin({"status", "-o", "json"});
    const json doc_status = parse_output(status);
    REQUIRE(doc_status["nodes"].size() == 3);
    CHECK(doc_status["managedBy"]["enableOvnIpsec"] == true);
    for (const auto& item : doc_status["nodes"]) {
      INFO(item.dump());
      CHECK(item["certificate"]["state"] == "ok");
      CHECK(item["certificate"]["fromCurrentCa"] == true);       // Secret ovn-ipsec-ca, as the controller made it
      CHECK(item["certificate"]["daysLeft"].get<int>() >= 3648); // the signer's 10 years
      CHECK(item.value("reason", "").find("init") == std::string::npos);
    }

    // init refuses, and no key file or OVSDB key changes.
    const auto keys = [&cluster] {
      return cluster.lab().command_ok({"exec", "node1", "--", "sh", "-c",
                                       "md5sum /etc/ovs_ipsec_keys/*; ovs-vsctl get Open_vSwitch . other_config"});
    };
    const std::string keys_before = keys();
    r = cluster.plugin({"init"});
    CHECK(r.exit_code == 1);
    CHECK(testsupport::contains(r.err, "Kube-OVN >= 1.13 runs the IPsec certificates here"));
    r = cluster.plugin({"init", "--dry-run"});
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "kube-ovn-controller keeps the CA in Secret kube-system/ovn-ipsec-ca"));
    CHECK(keys() == keys_before);
    r = cluster.plugin({"rotate", "certs"});
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "rotate certs changes nothing"));
    CHECK(keys() == keys_before);
    std::set<std::string> containers;
    for (const auto& exec : testsupport::exec_requests(cluster.server())) {
      if (exec.value("argv", json::array()) == json{"ovs-appctl", "-t", "ovs-monitor-ipsec", "tunnels/show"}) {
        containers.insert(exec.value("container", ""));
      }
    }
    CHECK(containers == std::set<std::string>{"cni-server"});

    cluster.lab().command_ok({"stop-node", "node2"});
    r = cluster.plugin({"tunnels", "-o", "json"});
    CHECK_MESSAGE(r.exit_code == 1, r.out << r.err);
    const json doc = parse_output(r);
    REQUIRE(doc["nodes"].size() == 3);
    const json dead = node_entry(doc, "node2");
    CHECK_FALSE(dead.value("error", "").empty());
    for (const int alive : {1, 3}) {
      const json item = node_entry(doc, lab_node_name(alive));
      INFO(item.dump());
      CHECK_FALSE(item.contains("error"));
      // Its peers' chassis stay in the SB database: tunnels to both, node2's included, remain.
      CHECK(item["tunnels"].size() == 2);
      for (const auto& tunnel : item["tunnels"]) {
        CHECK(tunnel.value("state", "") == "CONFIGURED");
      }
    }

    r = cluster.plugin({"tunnels"});
    CHECK(r.exit_code == 1);
    CHECK(testsupport::contains(testsupport::line_starting(r.out, "node2 "), "ERROR"));
    CHECK(testsupport::count(r.out, "CONFIGURED") == 4);

    const auto health = status_health(cluster, 1);
    CHECK(health.at("node1") == "no SAs");
    CHECK(health.at("node3") == "no SAs");
    CHECK((health.at("node2") == "failed" || health.at("node2") == "monitor down"));
  }

  TEST_CASE("lab e2e: Kube-OVN >= 1.13 with --enable-ovn-ipsec=false: on --wait rolls both workloads and the new "
            "pods enroll every node for real; off --wait rolls them back and the nodes are cleared")
  {
    KOI_SKIP_WITHOUT_LAB();
    // v1.13's pods with the chart's default false: no IPsec daemons, no keys, no CA Secret. A
    // rollout of kube-ovn-controller / kube-ovn-cni runs, per new pod, what its container does at
    // start (tests/lab/lib/pod_hook.py, kubeovn_ipsec.sh: pkg/controller, pkg/daemon/ipsec.go).
    LabCluster cluster(LabOptions{3, "kube-ovn-cni", false, false, "false"});
    auto& lab = cluster.lab();
    const auto in_node = [&lab](int i, const std::string& script) {
      return lab.command({"exec", lab_node_name(i), "--", "sh", "-c", script});
    };
    const auto nb_ipsec = [&lab] {
      return lab.command_ok({"exec", "central", "--", "ovn-nbctl", "get", "NB_Global", ".", "ipsec"});
    };
    const auto secrets = [&cluster] {
      std::set<std::string> names;
      const json list = cluster.server().control("GET", "/api/v1/namespaces/kube-system/secrets");
      for (const auto& s : list["items"]) {
        names.insert(s["metadata"].value("name", ""));
      }
      return names;
    };
    const std::string pods_before = pod_names(cluster.server());
    CHECK(nb_ipsec() == "false\n");
    CHECK(secrets().count("ovn-ipsec-ca") == 0);
    for (int i = 1; i <= 3; ++i) {
      CHECK(in_node(i, "test -e /etc/ovs_ipsec_keys").exit_code == 1);
      CHECK(testsupport::contains(testsupport::line_starting(lab.command({"status"}).out, lab_node_name(i) + " "),
                                  "ovs-monitor-ipsec:STOPPED"));
    }

    auto start = std::chrono::steady_clock::now();
    RunResult r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    MESSAGE("on --wait (rollout of both workloads, 3 nodes enrolled): " << testsupport::seconds_since(start) << " s");
    CHECK(testsupport::contains(r.out, "IPsec turned on: --enable-ovn-ipsec=true on deployment/kube-ovn-controller "
                                       "(was false) and daemonset/kube-ovn-cni (was false)"));
    CHECK(testsupport::contains(r.out, "done: 3/3 nodes configured"));
    check_workloads_flag(cluster.server(), true);
    const std::string pods_on = pod_names(cluster.server());
    CHECK(testsupport::count(pods_on, "kube-ovn-cni-") == 3);
    for (const auto& old : {"kube-ovn-cni-", "kube-ovn-controller-"}) {
      INFO(pods_before << " -> " << pods_on);
      // every such pod is new (the rollout replaced them all)
      for (std::size_t at = pods_before.find(old); at != std::string::npos; at = pods_before.find(old, at + 1)) {
        const std::string name = pods_before.substr(at, pods_before.find(' ', at) - at);
        CHECK_FALSE(testsupport::contains(pods_on, name + " "));
      }
    }
    // The new kube-ovn-controller set NB and made the CA Secret through the API.
    CHECK(nb_ipsec() == "true\n");
    REQUIRE(secrets().count("ovn-ipsec-ca") == 1);
    const std::string ca = testsupport::stored_ca(cluster.server()).cert;
    for (int i = 1; i <= 3; ++i) {
      INFO(lab_node_name(i));
      // Kube-OVN's files, named in OVSDB, the certificate for the node's chassis from the Secret's CA.
      for (const auto& [key, file] :
           {std::pair{"certificate", "ipsec-cert.pem"}, std::pair{"private_key", "ipsec-privkey.pem"},
            std::pair{"ca_cert", "ipsec-cacert.pem"}}) {
        CHECK(lab.command_ok({"exec", lab_node_name(i), "--", "ovs-vsctl", "get", "Open_vSwitch", ".",
                              std::string("other_config:") + key}) ==
              "\"/etc/ovs_ipsec_keys/" + std::string(file) + "\"\n");
      }
      r = in_node(i,
                  "openssl verify -CAfile /etc/ovs_ipsec_keys/ipsec-cacert.pem /etc/ovs_ipsec_keys/ipsec-cert.pem && "
                  "openssl x509 -in /etc/ovs_ipsec_keys/ipsec-cert.pem -noout -subject");
      REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
      CHECK(testsupport::contains(r.out, "CN = " + chassis(i) + "\n"));
      const std::string cert_modulus =
          in_node(i, "openssl x509 -in /etc/ovs_ipsec_keys/ipsec-cert.pem -noout -modulus").out;
      CHECK(testsupport::contains(cert_modulus, "Modulus="));
      CHECK(in_node(i, "openssl rsa -in /etc/ovs_ipsec_keys/ipsec-privkey.pem -noout -modulus").out == cert_modulus);
      CHECK(testsupport::read_file_or_empty(lab.dir() + "/nodes/" + lab_node_name(i) +
                                            "/etc/ovs_ipsec_keys/ipsec-cacert.pem") == ca);
      CHECK(in_node(i, "test -L /etc/ipsec.d/cacerts/ipsec-cacert.pem").exit_code == 0);
      // The monitor itself: a CONFIGURED tunnel to each of the other two.
      const std::string shown =
          lab.command_ok({"exec", lab_node_name(i), "--", "ovs-appctl", "-t", "ovs-monitor-ipsec", "tunnels/show"});
      CHECK_MESSAGE(testsupport::count(shown, "(CONFIGURED)") == 2, shown);
    }
    check_full_mesh(cluster.plugin({"tunnels", "-o", "json"}), 3);
    // status: Kube-OVN's certificates valid; no ESP in the host kernel, so "no SAs" and exit 1
    // (exit 0 needs real SAs: the UML lab).
    r = cluster.plugin({"status", "-o", "json"});
    CHECK_MESSAGE(r.exit_code == 1, r.out << r.err);
    const json doc = parse_output(r);
    CHECK(doc["managedBy"]["enableOvnIpsec"] == true);
    REQUIRE(doc["nodes"].size() == 3);
    for (const auto& item : doc["nodes"]) {
      INFO(item.dump());
      CHECK(item["certificate"]["state"] == "ok");
      CHECK(item["certificate"]["fromCurrentCa"] == true);
      CHECK(item["health"] == "no SAs");
      CHECK(item.value("monitor", "") == "running");
    }
    CHECK(testsupport::contains(lab.command_ok({"status"}), "(--enable-ovn-ipsec=true)")); // lab.env follows

    start = std::chrono::steady_clock::now();
    r = cluster.plugin({"off", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    MESSAGE("off --wait (rollout of both workloads, 3 nodes cleared): " << testsupport::seconds_since(start) << " s");
    CHECK(testsupport::contains(r.out, "IPsec turned off: --enable-ovn-ipsec=false on deployment/kube-ovn-controller "
                                       "(was true) and daemonset/kube-ovn-cni (was true)"));
    check_workloads_flag(cluster.server(), false);
    CHECK(nb_ipsec() == "false\n"); // the new controller's SetOVNIPSec(false)
    const std::string lab_status = lab.command({"status"}).out;
    CHECK(testsupport::contains(lab_status, "(--enable-ovn-ipsec=false)"));
    for (int i = 1; i <= 3; ++i) {
      INFO(lab_node_name(i) << "\n" << lab_status);
      // StopAndClearIPSecResouce: daemons stopped, OVSDB keys and the CA link gone, xfrm flushed.
      CHECK(testsupport::contains(testsupport::line_starting(lab_status, lab_node_name(i) + " "),
                                  "ovs-monitor-ipsec:STOPPED starter.charon:STOPPED charon:STOPPED"));
      const std::string other_config =
          lab.command_ok({"exec", lab_node_name(i), "--", "ovs-vsctl", "get", "Open_vSwitch", ".", "other_config"});
      for (const auto& key : {"certificate", "private_key", "ca_cert"}) {
        CHECK_FALSE(testsupport::contains(other_config, std::string(key) + "="));
      }
      CHECK(in_node(i, "test -e /etc/ipsec.d/cacerts/ipsec-cacert.pem").exit_code == 1);
      CHECK(in_node(i, "ip xfrm policy; ip xfrm state").out.empty());
      // The volume stays mounted, so RemoveIPSecKeys removed the files from the host path too.
      CHECK(in_node(i, "test -d /etc/ovs_ipsec_keys").exit_code == 0);
      CHECK(testsupport::read_file_or_empty(lab.dir() + "/nodes/" + lab_node_name(i) +
                                            "/etc/ovs_ipsec_keys/ipsec-cert.pem")
                .empty());
    }
    // No monitor left to ask: tunnels fails per node, status reads it as off (exit 3).
    r = cluster.plugin({"tunnels", "-o", "json"});
    CHECK(r.exit_code == 1);
    const json gone = parse_output(r);
    REQUIRE(gone["nodes"].size() == 3);
    for (const auto& item : gone["nodes"]) {
      CHECK_MESSAGE(item.value("error", "").starts_with("ovs-monitor-ipsec is not running in this pod"), item.dump());
    }
    r = cluster.plugin({"status"});
    CHECK_MESSAGE(r.exit_code == 3, r.out << r.err); // off, and nothing left running

    // On again: every node enrolls afresh. Had the host kept the old certificate (the chart's
    // false unmounts the directory), v1.13's ManageIPSecKeys would keep it without naming it in
    // OVSDB and no tunnel would come up.
    start = std::chrono::steady_clock::now();
    r = cluster.plugin({"on", "--wait", "--timeout", k_wait_timeout});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    MESSAGE("on --wait again after off: " << testsupport::seconds_since(start) << " s");
    for (int i = 1; i <= 3; ++i) {
      const std::string other_config =
          lab.command_ok({"exec", lab_node_name(i), "--", "ovs-vsctl", "get", "Open_vSwitch", ".", "other_config"});
      CHECK(testsupport::contains(other_config, "certificate=\"/etc/ovs_ipsec_keys/ipsec-cert.pem\""));
      const std::string shown =
          lab.command_ok({"exec", lab_node_name(i), "--", "ovs-appctl", "-t", "ovs-monitor-ipsec", "tunnels/show"});
      CHECK(testsupport::count(shown, "(CONFIGURED)") == 2);
    }
  }
}
