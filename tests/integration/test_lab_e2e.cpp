// End to end on the real-daemon lab (tests/lab): the built plugin against the test API server,
// whose Kube-OVN pods run the real ovn-nbctl / ovs-vsctl / ovs-appctl inside the lab's OVN
// central and nodes. Assertions are on the parsed `-o json` output. Needs root and the lab's
// packages (.ci/install-deps); skips with a message otherwise.
#include "support/clock.hpp"
#include "support/init_sim.hpp"
#include "support/lab.hpp"
#include "support/plugin_run.hpp"
#include "support/testdata.hpp"

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
}
