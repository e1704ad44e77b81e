// `on`, `off` and `tunnels` end to end against the test API server's simulated Kube-OVN cluster
// (tests/apiserver/lib/sim.js): 3 and 50 nodes, both layouts, the exact argv every pod received,
// a dead node, a leader that moves during `on`, and the flag Kube-OVN owns. One server per
// cluster shape serves every case; /_test/reset restores it between cases.
#include "support/clock.hpp"
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>

using nlohmann::json;
using testsupport::contains;
using testsupport::count;
using testsupport::exec_requests;
using testsupport::line_starting;
using testsupport::run_plugin;
using testsupport::TestApiServer;

namespace {

// One cluster shape: how many nodes, which Kube-OVN layout, and anything else for "simulate".
struct Shape {
  int nodes;
  std::string layout; // "ovs-ovn" | "kube-ovn-cni"
  std::string extra;  // more "simulate" keys, as JSON members (",\"x\":1"), or ""

  std::string container() const { return layout == "ovs-ovn" ? "openvswitch" : "cni-server"; }
  std::string pod_prefix() const { return layout == "ovs-ovn" ? "ovs-ovn-" : "kube-ovn-cni-"; }
};

// `on`/`off ARGS` as the NB-flip cases run them: in the kube-ovn-cni layout (Kube-OVN >= 1.13,
// whose workloads always carry --enable-ovn-ipsec) only --force flips NB_Global.ipsec alone, the
// mechanics these cases test; the real switch there is the "(Kube-OVN >= 1.13)" cases below.
std::vector<std::string>
flip(const Shape& shape, std::vector<std::string> args)
{
  if (shape.layout == "kube-ovn-cni") {
    args.emplace_back("--force");
  }
  return args;
}

// What names every chassis (ops/sb_chassis).
const json k_sb_chassis_argv =
    json::array({"ovn-sbctl", "--no-leader-only", "--format=json", "--columns=name,hostname", "list", "Chassis"});

const std::vector<Shape> k_all_shapes{
    {3, "ovs-ovn", ""}, {3, "kube-ovn-cni", ""}, {50, "ovs-ovn", ""}, {50, "kube-ovn-cni", ""}};

// The running server for `shape` (started on first use, kept for the whole run), reset, then
// given `patch` through POST /_test/sim.
TestApiServer&
sim(const Shape& shape, const json& patch = json::object())
{
  static std::map<std::string, std::unique_ptr<TestApiServer>> servers;
  const std::string extra = R"({"simulate":{"layout":")" + shape.layout + "\"" + shape.extra + "}}";
  auto& slot = servers[std::to_string(shape.nodes) + extra];
  if (!slot) {
    slot = std::make_unique<TestApiServer>(
        testsupport::ApiServerOptions{shape.nodes == 50 ? "sim-50.json" : "sim-3.json", "server", extra});
    const size_t nodes = slot->control("GET", "/_test/sim")["nodes"].size();
    REQUIRE_MESSAGE(nodes == static_cast<size_t>(shape.nodes), "the shape needs a cluster file with that many nodes");
  }
  slot->control("POST", "/_test/reset");
  if (!patch.empty()) {
    slot->control("POST", "/_test/sim", patch.dump());
  }
  return *slot;
}

json
state(const TestApiServer& server)
{
  return server.control("GET", "/_test/sim");
}

void
tell(const TestApiServer& server, const json& patch)
{
  server.control("POST", "/_test/sim", patch.dump());
}

// The exec records from index `from` on that went to pods whose name starts with `prefix`.
std::vector<json>
execs_to(const TestApiServer& server, const std::string& prefix, size_t from = 0)
{
  std::vector<json> out;
  const auto all = exec_requests(server);
  for (size_t i = from; i < all.size(); ++i) {
    if (all[i]["pod"].get<std::string>().rfind(prefix, 0) == 0) {
      out.push_back(all[i]);
    }
  }
  return out;
}

// Checks one exec record: pod, container and exact argv.
void
check_exec(const json& exec, const std::string& pod, const std::string& container, const json& argv)
{
  CHECK(exec["pod"] == pod);
  CHECK(exec["container"] == container);
  CHECK(exec["argv"] == argv);
}

using testsupport::seconds_since;

// Removes the one SB Chassis read from `execs` and returns it (nullopt when there is not
// exactly one).
std::optional<json>
take_sb_chassis_read(std::vector<json>& execs)
{
  const auto is_read = [](const json& exec) { return exec["argv"] == k_sb_chassis_argv; };
  if (std::count_if(execs.begin(), execs.end(), is_read) != 1) {
    return std::nullopt;
  }
  const auto found = std::find_if(execs.begin(), execs.end(), is_read);
  json read = *found;
  execs.erase(found);
  return read;
}

std::string
sim_node_name(int index)
{
  return "node-" + std::string(index < 10 ? "0" : "") + std::to_string(index);
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("sim on/off: get+set, then get, on the NB leader only, with the exact argv; already on changes nothing")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : k_all_shapes) {
      CAPTURE(shape.nodes);
      CAPTURE(shape.layout);
      auto& server = sim(shape);
      const std::string leader = state(server)["leader"];

      auto r = run_plugin(server, flip(shape, {"on"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "IPsec turned on: NB_Global.ipsec=true (was false), set through kube-system/" + leader + "\n");
      auto execs = exec_requests(server); // every exec of the run: nothing on followers or nodes
      REQUIRE(execs.size() == 2);
      check_exec(execs[0], leader, "ovn-central", json(testsupport::k_swap_true));
      check_exec(execs[1], leader, "ovn-central", json(testsupport::k_get));
      CHECK(execs[0]["exitCode"] == 0);
      auto now = state(server);
      CHECK(now["ipsec"] == true);
      CHECK(now["sets"] == 1);
      CHECK(now["gets"] == 2);

      r = run_plugin(server, flip(shape, {"on"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "IPsec is already on (NB_Global.ipsec=true); nothing changed\n");
      execs = exec_requests(server);
      REQUIRE(execs.size() == 3);
      check_exec(execs[2], leader, "ovn-central", json(testsupport::k_swap_true));
      CHECK(state(server)["sets"] == 1);

      r = run_plugin(server, flip(shape, {"off"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "IPsec turned off: NB_Global.ipsec=false (was true), set through kube-system/" + leader + "\n");
      execs = exec_requests(server);
      REQUIRE(execs.size() == 5);
      check_exec(execs[3], leader, "ovn-central", json(testsupport::k_swap_false));
      check_exec(execs[4], leader, "ovn-central", json(testsupport::k_get));
      now = state(server);
      CHECK(now["ipsec"] == false);
      CHECK(now["sets"] == 2);
    }
  }

  TEST_CASE("sim on --wait / off --wait: return once every node shows (or drops) every tunnel")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : k_all_shapes) {
      CAPTURE(shape.nodes);
      CAPTURE(shape.layout);
      auto& server = sim(shape, {{"configureDelayMs", 1200}, {"configureJitterMs", 400}});
      const auto start = std::chrono::steady_clock::now();
      auto r = run_plugin(server, flip(shape, {"on", "--wait", "--timeout", "30s"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(seconds_since(start) >= 1.2);
      const std::string n = std::to_string(shape.nodes);
      CHECK(contains(r.out, "IPsec turned on: NB_Global.ipsec=true (was false)"));
      CHECK(contains(r.out, "done: " + n + "/" + n + " nodes configured, 0 item(s) pending\n"));
      const json on_state = state(server); // kept: the loop must not walk a temporary
      for (const auto& node : on_state["nodes"]) {
        CHECK(node["showsTunnels"] == true);
      }
      // Polled until configured: more than one round, each round every node's pod of the layout.
      const auto polled = execs_to(server, shape.pod_prefix());
      size_t shows = 0;
      std::set<std::string> pods;
      for (const auto& exec : polled) {
        CHECK(exec["container"] == shape.container());
        CHECK((exec["argv"] == json(testsupport::k_show) || exec["argv"] == json(testsupport::k_system_id)));
        shows += exec["argv"] == json(testsupport::k_show) ? 1 : 0;
        pods.insert(exec["pod"].get<std::string>());
      }
      CHECK(pods.size() == static_cast<size_t>(shape.nodes));
      CHECK(shows >= 2 * static_cast<size_t>(shape.nodes));
      CHECK(shows % static_cast<size_t>(shape.nodes) == 0);

      r = run_plugin(server, flip(shape, {"off", "--wait", "--timeout", "30s"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(contains(r.out, "IPsec turned off: NB_Global.ipsec=false (was true)"));
      CHECK(contains(r.out, "done: " + n + "/" + n + " nodes without IPsec tunnels, 0 item(s) pending\n"));
      const json off_state = state(server);
      for (const auto& node : off_state["nodes"]) {
        CHECK(node["showsTunnels"] == false);
      }
    }
  }

  TEST_CASE("sim on --wait: a node whose monitor stays down ends the wait early, named with the fix; exit 1")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : {k_all_shapes[0], k_all_shapes[1]}) {
      CAPTURE(shape.layout);
      auto& server = sim(shape, {{"stopMonitor", "node-02"}});
      const auto start = std::chrono::steady_clock::now();
      const auto r = run_plugin(server, flip(shape, {"on", "--wait", "--timeout", "5m"}));
      CHECK(seconds_since(start) < 60); // three polls a second apart, not the 5 minutes
      CHECK(r.exit_code == 1);
      CHECK(contains(r.out, "IPsec turned on"));
      const std::string advice = shape.layout == "ovs-ovn"
                                     ? "nothing in a Kube-OVN v1.10-1.12 ovs-ovn pod starts it: `kubectl ko ipsec "
                                       "init` starts the IPsec daemons there"
                                     : "kube-ovn-cni starts it only with --enable-ovn-ipsec=true";
      CHECK(contains(r.err, "stopped waiting: ovs-monitor-ipsec is not running on node-02 (3 polls in a row), and " +
                                advice + "; 2/3 nodes configured, 1 item(s) pending; still pending:\n"));
      CHECK_FALSE(contains(r.err, "timed out"));
      CHECK(contains(r.err, "  node-02: cannot read its tunnels: ovs-monitor-ipsec is not running in this pod ("));
      CHECK(contains(r.err, "ovs-monitor-ipsec.pid: open: No such file or directory"));
      CHECK_FALSE(contains(r.err, "  node-01:"));
      CHECK_FALSE(contains(r.err, "  node-03:"));
      CHECK(state(server)["ipsec"] == true);
    }
  }

  TEST_CASE("sim tunnels at 50 nodes: 50x49 tunnels, every remote resolved; a dead node is a row; exit 1")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : {k_all_shapes[2], k_all_shapes[3]}) {
      CAPTURE(shape.layout);
      auto& server = sim(shape, {{"ipsec", true}});
      auto r = run_plugin(server, {"tunnels", "-o", "json"});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      const auto doc = json::parse(r.out);
      REQUIRE(doc["nodes"].size() == 50);
      std::set<std::string> all;
      for (int i = 1; i <= 50; ++i) {
        all.insert(sim_node_name(i));
      }
      for (const auto& node : doc["nodes"]) {
        const std::string self = node["node"];
        CAPTURE(self);
        CHECK(node["missingPeers"].empty());
        REQUIRE(node["tunnels"].size() == 49);
        std::set<std::string> remotes;
        for (const auto& tunnel : node["tunnels"]) {
          CHECK(tunnel["state"] == "CONFIGURED");
          CHECK(tunnel["policies"].size() == 2); // printed twice each, collapsed
          remotes.insert(tunnel["remoteNode"].get<std::string>());
        }
        remotes.insert(self);
        CHECK(remotes == all);
      }
      // One SB Chassis read names every chassis (so each node prints as soon as the ones before
      // it have; it runs while the nodes' execs start), one tunnels/show per node and no
      // system-id read, in the layout's pod and container; the chassis are still the nodes'
      // system-ids.
      const auto state = server.control("GET", "/_test/sim");
      for (size_t i = 0; i < 50; ++i) {
        CHECK(doc["nodes"][i]["chassis"] == state["nodes"][i]["chassis"]);
      }
      auto execs = exec_requests(server);
      REQUIRE(execs.size() == 51);
      const auto sb_read = take_sb_chassis_read(execs);
      REQUIRE(sb_read.has_value());
      CHECK((*sb_read)["container"] == "ovn-central");
      std::map<std::string, std::vector<json>> by_pod;
      for (const auto& exec : execs) {
        CHECK(exec["pod"].get<std::string>().rfind(shape.pod_prefix(), 0) == 0);
        CHECK(exec["container"] == shape.container());
        by_pod[exec["pod"]].push_back(exec["argv"]);
      }
      CHECK(by_pod.size() == 50);
      for (const auto& item : by_pod) {
        const auto& pod = std::get<0>(item);
        const auto& argvs = std::get<1>(item); // clang 14: no lambda capture of bindings
        CAPTURE(pod);
        CHECK(argvs == std::vector<json>{json(testsupport::k_show)});
      }

      tell(server, {{"stopMonitor", "node-07"}});
      r = run_plugin(server, {"tunnels"});
      CHECK(r.exit_code == 1);
      const std::string dead = line_starting(r.out, "node-07 ");
      CHECK(contains(dead, "ERROR"));
      CHECK(contains(dead, "ovs-monitor-ipsec is not running in this pod"));
      CHECK(count(r.out, "CONFIGURED") == 49 * 49);

      // --summary: node-07's row and the count of the rest; exit code as the full listing.
      r = run_plugin(server, {"tunnels", "--summary"});
      CHECK(r.exit_code == 1);
      CHECK(count(r.out, "\n") == 4); // heading, node-07's ERROR row, a blank line, the counts
      CHECK(contains(line_starting(r.out, "node-07 "), "ovs-monitor-ipsec is not running in this pod"));
      CHECK(contains(r.out, "\n\n50 node(s), 2402 row(s): 2401 CONFIGURED, 1 ERROR; not right: the rows above\n"));
      CHECK(contains(r.err, "(2402 rows") == false); // the hint is for full listings only
      r = run_plugin(server, {"tunnels"});
      CHECK(contains(r.err, "(2402 rows: `tunnels --summary` lists only what is not right)"));
      r = run_plugin(server, {"tunnels", "--summary", "-o", "json"});
      CHECK(r.exit_code != 0);
      CHECK(contains(r.err, "--summary is for the table"));
    }
  }

  TEST_CASE("sim tunnels --node: one SB Chassis read names the other nodes; without it, each node is asked")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    const json k_sb_chassis = k_sb_chassis_argv;
    for (const std::string mode : {"ok", "fail", "garbage"}) {
      CAPTURE(mode);
      const Shape shape = k_all_shapes[3]; // 50 nodes, kube-ovn-cni
      auto& server = sim(shape, {{"ipsec", true}, {"sbChassis", mode}});
      const std::string leader = state(server)["leader"];
      auto r = run_plugin(server, {"tunnels", "--node", "node-07", "-o", "json", "-v", "1"});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      const auto doc = json::parse(r.out);
      REQUIRE(doc["nodes"].size() == 1);
      CHECK(doc["nodes"][0]["node"] == "node-07");
      CHECK(doc["nodes"][0]["missingPeers"].empty());
      REQUIRE(doc["nodes"][0]["tunnels"].size() == 49);
      std::set<std::string> remotes{"node-07"};
      for (const auto& tunnel : doc["nodes"][0]["tunnels"]) {
        remotes.insert(tunnel["remoteNode"].get<std::string>());
      }
      CHECK(remotes.size() == 50);
      CHECK(*remotes.rbegin() == "node-50"); // names, not chassis ids (those start with hex digits)

      auto execs = exec_requests(server);
      const auto sb_read = take_sb_chassis_read(execs);
      REQUIRE(sb_read.has_value());
      check_exec(*sb_read, leader, "ovn-central", k_sb_chassis);
      execs.push_back(*sb_read);
      size_t shows = 0;
      size_t system_ids = 0;
      for (const auto& exec : execs) {
        shows += exec["argv"] == json(testsupport::k_show) ? 1 : 0;
        system_ids += exec["argv"] == json(testsupport::k_system_id) ? 1 : 0;
      }
      CHECK(shows == 1);
      if (mode == "ok") {
        CHECK(execs.size() == 2); // the SB read and node-07's tunnels/show: no other node asked
        CHECK(contains(r.err, "chassis names: 50 of 50 nodes from the Chassis table"));
      } else {
        // The shortcut failed: every node's system-id, node-07's too (names are learnt before
        // any node's rows are made: with several --node, each names the others).
        CHECK(system_ids == 50);
        CHECK(contains(r.err, "asking each node for its system-id instead"));
      }
    }
  }

  TEST_CASE("sim tunnels: a NotReady node and a node without its pod are rows; the others print")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim({4, "ovs-ovn", R"(,"nodes":4,"ipsec":true,"notReadyNodes":[2],"missingPodNodes":["node-03"])"});
    auto r = run_plugin(server, {"tunnels"});
    CHECK(r.exit_code == 1);
    CHECK(contains(line_starting(r.out, "node-02 "), "is not ready"));
    CHECK(contains(line_starting(r.out, "node-03 "), "no ovs-ovn pod on this node"));
    CHECK(count(r.out, "CONFIGURED") == 6); // node-01 and node-04, a tunnel to each other node
    const std::string not_ready_row = line_starting(r.out, "node-02 ");
    for (const auto& exec : exec_requests(server)) {
      if (exec["argv"] == k_sb_chassis_argv) {
        continue; // names the chassis, in ovn-central
      }
      CHECK(exec["container"] == "openvswitch");
      CHECK_FALSE(contains(not_ready_row, exec["pod"].get<std::string>())); // nothing ran in the not-ready pod
    }

    // A monitor that answers junk: its expected tunnel (node-01, the other chassis known) is MISSING.
    tell(server, {{"garbageNodes", json::array({4})}});
    r = run_plugin(server, {"tunnels"});
    CHECK(r.exit_code == 1);
    CHECK(contains(line_starting(r.out, "node-04   node-01 "), "MISSING"));
    CHECK(contains(line_starting(r.out, "node-04 "), "UNKNOWN"));
    CHECK(count(r.out, "CONFIGURED") == 3);
  }

  TEST_CASE("sim tunnels at 60 nodes: -o wide within 200 columns; --no-headers, -o name, -o jsonpath, --sort-by")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim({60, "ovs-ovn", R"(,"nodes":60,"ipsec":true)"});
    auto r = run_plugin(server, {"tunnels", "-o", "wide"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    size_t widest = 0;
    for (const auto& line : testsupport::split_lines(r.out)) {
      widest = std::max(widest, line.size());
    }
    MESSAGE("tunnels -o wide at 60 nodes: the longest line has " << widest << " columns");
    CHECK(count(r.out, "\n") == 1 + 60 * 59);
    CHECK(widest <= 200);

    r = run_plugin(server, {"tunnels", "--no-headers", "--node", "node-60"});
    CHECK(count(r.out, "\n") == 59);
    CHECK(r.out.rfind("node-60   node-01 ", 0) == 0);
    r = run_plugin(server, {"tunnels", "-o", "name", "--node", "node-07"});
    CHECK(count(r.out, "\n") == 59);
    CHECK(r.out.rfind("tunnel/node-07/ovn-", 0) == 0);
    r = run_plugin(server, {"tunnels", "--node", "node-01", "--node", "node-02", "-o",
                            "jsonpath={range .nodes[*]}{.node}:{.tunnels[*].state}{\"\\n\"}{end}"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(count(r.out, "\n") == 2);
    CHECK(count(r.out, "CONFIGURED") == 2 * 59);
    CHECK(r.out.rfind("node-01:CONFIGURED CONFIGURED ", 0) == 0);
    // Sorted by a column over the nodes' rows: node-01's tunnel to node-02 after node-02's to node-01.
    r = run_plugin(server,
                   {"tunnels", "--node", "node-01", "--node", "node-02", "--sort-by", "{.remoteNode}", "--no-headers"});
    const auto rows = testsupport::split_lines(r.out);
    REQUIRE(rows.size() == 2 * 59);
    CHECK(rows[0].rfind("node-02   node-01 ", 0) == 0);
    CHECK(rows[1].rfind("node-01   node-02 ", 0) == 0);
    CHECK(rows[2].rfind("node-01   node-03 ", 0) == 0);
    CHECK(rows[3].rfind("node-02   node-03 ", 0) == 0);
  }

  TEST_CASE("sim tunnels: nodes that cannot be asked keep their names in the others' rows (Node annotation)")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // No Chassis table to read, node-02's pod not ready, node-03 without its pod: neither can be
    // asked for its system-id, and only their Nodes' ovn.kubernetes.io/chassis names them.
    auto& server =
        sim({4, "ovs-ovn",
             R"(,"nodes":4,"ipsec":true,"sbChassis":"fail","notReadyNodes":[2],"missingPodNodes":["node-03"])"});
    auto r = run_plugin(server, {"tunnels", "-v", "1"});
    CHECK(r.exit_code == 1);
    for (const char* node : {"node-01   ", "node-04   "}) {
      CAPTURE(node);
      for (const char* peer : {"node-02 ", "node-03 "}) {
        CAPTURE(peer);
        CHECK(contains(line_starting(r.out, std::string(node) + peer), "CONFIGURED"));
      }
    }
    CHECK(contains(r.err, "chassis names: 2 more from the Nodes' ovn.kubernetes.io/chassis annotation"));
    const auto doc = json::parse(run_plugin(server, {"tunnels", "-o", "json"}).out);
    for (const auto& node : doc["nodes"]) {
      for (const auto& tunnel : node.value("tunnels", json::array())) {
        CHECK(tunnel["remoteNode"].get<std::string>().rfind("node-", 0) == 0);
      }
    }
  }

  TEST_CASE("sim on: the NB leader moves during the set; the plugin finds the new one")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : {k_all_shapes[0], k_all_shapes[1]}) {
      CAPTURE(shape.layout);
      auto& server = sim(shape);
      const auto centrals = state(server)["centrals"];
      const std::string old_leader = centrals[0];
      const std::string new_leader = centrals[1];

      // The get+set is applied, then the labels move: the read-back hits a follower and fails,
      // and the redo on the new leader finds the flag already set.
      tell(server, {{"moveLeaderOnNextSet", "applied"}});
      auto r = run_plugin(server, flip(shape, {"on"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(r.out == "IPsec turned on: NB_Global.ipsec=true, set through kube-system/" + old_leader +
                         " and read back through kube-system/" + new_leader + " after the NB leader moved\n");
      auto now = state(server);
      CHECK(now["ipsec"] == true);
      CHECK(now["sets"] == 1);
      CHECK(now["leader"] == new_leader);
      auto execs = execs_to(server, "ovn-central-");
      REQUIRE(execs.size() == 3);
      check_exec(execs[0], old_leader, "ovn-central", json(testsupport::k_swap_true));
      check_exec(execs[1], old_leader, "ovn-central", json(testsupport::k_get));
      CHECK(execs[1]["exitCode"] == 1);
      check_exec(execs[2], new_leader, "ovn-central", json(testsupport::k_swap_true));

      // The leader steps down before the commit (and an election takes 1.5 s): the write is
      // lost, so the get+set and the read-back are redone on the new leader.
      sim(shape, {{"moveLeaderOnNextSet", {{"mode", "lost"}, {"gapMs", 1500}}}});
      const auto start = std::chrono::steady_clock::now();
      r = run_plugin(server, flip(shape, {"on"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(seconds_since(start) >= 1.5);
      CHECK(r.out == "IPsec turned on: NB_Global.ipsec=true (was false), set through kube-system/" + new_leader + "\n");
      now = state(server);
      CHECK(now["sets"] == 1);
      CHECK(now["setAttempts"] == 2);
      execs = execs_to(server, "ovn-central-");
      REQUIRE(execs.size() == 3);
      check_exec(execs[0], old_leader, "ovn-central", json(testsupport::k_swap_true));
      CHECK(execs[0]["exitCode"] == 1);
      check_exec(execs[1], new_leader, "ovn-central", json(testsupport::k_swap_true));
      check_exec(execs[2], new_leader, "ovn-central", json(testsupport::k_get));
    }
  }

  TEST_CASE("sim on (Kube-OVN >= 1.13): both workloads switched and rolled out, Kube-OVN enrolls every node, every "
            "tunnel CONFIGURED; init refuses; off undoes it")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // Each kube-ovn-cni looks at its CSR every 4 s: its monitor starts only after that, and the wait
    // must not mistake the enrolling nodes for ones whose monitor nothing will start.
    auto& server = sim({3, "kube-ovn-cni", R"(,"enableOvnIpsec":false,"startActions":true)"}, {{"csrPollMs", 4000}});
    auto r = run_plugin(server, {"on", "--wait", "--timeout", "2m"}, "admin", 300000);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "IPsec turned on: --enable-ovn-ipsec=true on deployment/kube-ovn-controller (was false) and "
                          "daemonset/kube-ovn-cni (was false); rolled out in "));
    CHECK(contains(r.out, "done: 3/3 nodes configured"));
    CHECK(contains(r.err, "rollout: kube-ovn-controller: 1/1 updated, 1/1 available, kube-ovn-cni: 3/3 updated, 3/3 "
                          "available\n"));
    auto now = state(server);
    CHECK(now["ipsec"] == true); // set by the simulated controller at its start, not by the plugin
    for (const auto& node : now["nodes"]) {
      INFO(node.dump());
      CHECK(node["cniFlag"] == true);
      CHECK(node["ipsecKeys"] == true);
    }
    const json cni = server.control("GET", "/apis/apps/v1/namespaces/kube-system/daemonsets/kube-ovn-cni");
    const auto& pod_spec = cni["spec"]["template"]["spec"];
    bool volume = false;
    for (const auto& v : pod_spec["volumes"]) {
      volume = volume || (v["name"] == "ovs-ipsec-keys" && v["hostPath"]["path"] == "/etc/origin/ovs_ipsec_keys");
    }
    CHECK(volume);

    // status reads Kube-OVN's certificates (/etc/ovs_ipsec_keys, named in OVSDB) as valid.
    r = run_plugin(server, {"status", "-o", "json"});
    const json doc = json::parse(r.out);
    CHECK(doc["managedBy"]["enableOvnIpsec"] == true);
    for (const auto& node : doc["nodes"]) {
      INFO(node.dump());
      CHECK(node["certificate"]["state"] == "ok");
      CHECK(node["certificate"]["fromCurrentCa"] == true);
      CHECK(node["certificate"]["renewInDays"].get<int>() >= 363); // v1.14: 365 days after issue
    }
    CHECK(contains(doc["certificates"].get<std::string>(), "kube-ovn-cni v1.14.4 renews them 365 days after issue"));
    r = run_plugin(server, {"init"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "Kube-OVN >= 1.13 runs the IPsec certificates here"));

    r = run_plugin(server, {"off", "--wait", "--timeout", "2m"}, "admin", 300000);
    INFO(r.err);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(contains(r.out, "IPsec turned off: --enable-ovn-ipsec=false on deployment/kube-ovn-controller (was true)"));
    now = state(server);
    CHECK(now["ipsec"] == false);
    for (const auto& node : now["nodes"]) {
      CHECK(node["ipsecKeys"] == false); // kube-ovn-cni started with false clears them
    }
    r = run_plugin(server, {"status"});
    CHECK_MESSAGE(r.exit_code == 3, r.out); // off and clean: the stopped daemons are Kube-OVN's doing
  }

  TEST_CASE("sim on (Kube-OVN >= 1.13): Helm-managed prints the helm command and changes nothing; RBAC refusal "
            "changes nothing")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& helm = sim({3, "kube-ovn-cni", R"(,"enableOvnIpsec":false,"helm":{"chart":"kube-ovn-v1.14.4"})"});
    auto r = run_plugin(helm, {"on"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "Kube-OVN is installed with Helm (release kube-ovn in namespace kube-system)"));
    CHECK(contains(r.out, "  helm upgrade kube-ovn kubeovn/kube-ovn -n kube-system --version v1.14.4 --reuse-values "
                          "--set func.ENABLE_OVN_IPSEC=true\n"));
    CHECK(state(helm)["kubeovn"]["controller"]["flag"] == false);

    auto& plain = sim({3, "kube-ovn-cni", R"(,"enableOvnIpsec":false,"startActions":true)"});
    r = run_plugin(plain, {"on"}, "viewer");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "error: cannot patch Deployment kube-system/kube-ovn-controller: Error from server "
                          "(Forbidden): deployments.apps "
                          "\"kube-ovn-controller\" is forbidden: User \"viewer\" cannot patch resource "
                          "\"deployments\" in API group \"apps\" in the namespace \"kube-system\""));
    const json deployment =
        plain.control("GET", "/apis/apps/v1/namespaces/kube-system/deployments/kube-ovn-controller");
    CHECK(contains(deployment.dump(), "--enable-ovn-ipsec=false"));
  }

  TEST_CASE("sim on --wait-established: done with installed SAs; the deadline without them")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : {k_all_shapes[0], k_all_shapes[1]}) {
      CAPTURE(shape.layout);
      auto& server = sim(shape, {{"sas", "installed"}});
      auto r = run_plugin(server, flip(shape, {"on", "--wait-established", "--timeout", "20s"}));
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      CHECK(contains(r.out, "done: 3/3 nodes established, 0 item(s) pending\n"));

      for (const std::string& sas : std::vector<std::string>{"none", "larval"}) {
        CAPTURE(sas);
        sim(shape, {{"sas", sas}});
        r = run_plugin(server, flip(shape, {"on", "--wait-established", "--timeout", "1s"}));
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(contains(r.err, "timed out after 1s: 0/3 nodes established, 6 item(s) pending"), r.err);
        const std::string why = sas == "none" ? "none" : "acquiring";
        CHECK(count(r.err, "has no established SAs yet (" + why + ")") == 6);
      }
    }
  }

  TEST_CASE("sim on --wait-established: a peer that is down is named by its Node, not by its chassis")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    // node-02's pod is not ready: its chassis is met only in the others' tunnels, and its Node's
    // ovn.kubernetes.io/chassis annotation says whose it is.
    auto& server = sim({4, "ovs-ovn", R"(,"nodes":4,"ipsec":true,"notReadyNodes":[2])"}, {{"sas", "none"}});
    const auto r = run_plugin(server, {"on", "--wait-established", "--timeout", "3s"});
    CHECK(r.exit_code == 1);
    for (const char* node : {"node-01", "node-03", "node-04"}) {
      CAPTURE(node);
      CHECK(count(r.err, std::string(node) + ": tunnel ") == 3); // one per peer, node-02 among them
    }
    CHECK_MESSAGE(count(r.err, " to node-02 (") == 3, r.err);
    CHECK(contains(r.err, "node-02: cannot read its tunnels"));
  }
}

TEST_SUITE("integration")
{
  TEST_CASE("sim status: up, no SAs yet, a monitor down, IPsec off — in every shape, read-only")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    for (const auto& shape : k_all_shapes) {
      CAPTURE(shape.nodes);
      CAPTURE(shape.layout);
      const size_t peers = static_cast<size_t>(shape.nodes - 1);
      auto& server = sim(shape, {{"ipsec", true}, {"sas", "installed"}});
      auto r = run_plugin(server, {"status", "-o", "json"});
      CHECK_MESSAGE(r.exit_code == 0, r.err);
      auto doc = json::parse(r.out);
      CHECK(doc["layout"] == shape.layout);
      CHECK(doc["ipsec"]["enabled"] == true);
      CHECK(doc["summary"]["healthy"] == shape.nodes);
      REQUIRE(doc["nodes"].size() == static_cast<size_t>(shape.nodes));
      for (const auto& node : doc["nodes"]) {
        CHECK(node["health"] == "up");
        CHECK(node["tunnels"]["expected"] == peers);
        CHECK(node["tunnels"]["configured"] == peers);
        CHECK(node["sas"]["established"] == peers);
      }
      // Read-only, and each pod asked exactly what the brief says.
      for (const auto& exec : execs_to(server, "ovn-central-")) {
        CHECK(exec["argv"] == json(testsupport::k_get));
      }
      std::map<std::string, std::vector<json>> per_pod;
      for (const auto& exec : execs_to(server, shape.pod_prefix())) {
        CHECK(exec["container"] == shape.container());
        per_pod[exec["pod"].get<std::string>()].push_back(exec["argv"]);
      }
      CHECK(per_pod.size() == static_cast<size_t>(shape.nodes));
      for (const auto& [pod, argvs] : per_pod) {
        REQUIRE(argvs.size() == 3);
        CHECK(argvs[0] == json(testsupport::k_system_id));
        CHECK(argvs[1] == json(testsupport::k_show));
        // The certificate look init also takes (files and other_config), read-only.
        CHECK(argvs[2][0] == "sh");
        CHECK(argvs[2].back() == "/etc/ipsec.d/cacerts/cacert.pem");
      }

      tell(server, {{"sas", "none"}});
      r = run_plugin(server, {"status"});
      CHECK(r.exit_code == 1);
      CHECK(contains(r.out, "IPsec is on: 0/" + std::to_string(shape.nodes) + " nodes up"));
      CHECK(contains(line_starting(r.out, "node-01 "), "no SAs"));

      tell(server, {{"sas", "installed"}, {"stopMonitor", "node-02"}});
      r = run_plugin(server, {"status"});
      CHECK(r.exit_code == 1);
      CHECK(contains(line_starting(r.out, "node-02 "), "monitor down"));
      // No init ran here: no certificate either. The row says so, and what fixes it.
      CHECK(contains(line_starting(r.out, "node-02 "), "IPsec not set up on this node (no certificate, "
                                                       "ovs-monitor-ipsec not running); run `kubectl ko ipsec init`"));
      CHECK(contains(line_starting(r.out, "node-01 "), " up"));
      CHECK(contains(r.out, "(node-02: monitor down)"));

      sim(shape); // reset: IPsec off, no tunnels anywhere
      r = run_plugin(server, {"status"});
      CHECK(r.exit_code == 3);
      CHECK(contains(r.out, "IPsec is off: no node has an IPsec tunnel"));
    }
  }

  TEST_CASE("sim status: Kube-OVN >= 1.13 managing the flag is named")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    auto& server = sim({3, "kube-ovn-cni", R"(,"enableOvnIpsec":true)"}, {{"ipsec", true}, {"sas", "installed"}});
    const auto r = run_plugin(server, {"status"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "Managed by:       kube-ovn-controller-"));
    CHECK(contains(r.out, "--enable-ovn-ipsec=true"));
  }
}
