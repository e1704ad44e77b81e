// End to end on the User-Mode Linux lab (`tests/lab/lab --uml`): the same real daemons as the
// host lab, but in a guest kernel with ESP, so IKE installs real CHILD_SAs. The built plugin talks
// to the test API server, whose exec goes through the guest's file queue. Slow (a guest boot and a
// bring-up under UML: minutes); needs root and user-mode-linux; KOI_SKIP_UML=1 skips it.
#include "support/clock.hpp"
#include "support/lab.hpp"
#include "support/plugin_run.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

using nlohmann::json;
using testsupport::LabCluster;
using testsupport::LabOptions;
using testsupport::RunResult;

namespace {

constexpr int k_uml_nodes = 3;
// Per exec: a command through the queue takes seconds under UML, more on a loaded machine.
const std::string k_exec_timeout = "180s";
constexpr auto k_sa_deadline = std::chrono::minutes(5);

using testsupport::seconds_since;

json
json_of(const RunResult& r)
{
  const auto doc = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE((!doc.is_discarded() && doc.is_object()), "no JSON object (exit " << r.exit_code << "):\n"
                                                                                    << r.out << r.err);
  return doc;
}

// Every node lists one tunnel per peer, each CONFIGURED with its ESP SAs installed (none still
// acquiring) — the state the host kernel can never reach.
bool
every_tunnel_has_sas(const json& doc)
{
  if (doc.value("nodes", json::array()).size() != k_uml_nodes) {
    return false;
  }
  for (const auto& node : doc["nodes"]) {
    const json tunnels = node.value("tunnels", json::array());
    if (node.contains("error") || tunnels.size() != k_uml_nodes - 1) {
      return false;
    }
    for (const auto& t : tunnels) {
      const json counts = t.value("saCounts", json::object());
      if (t.value("state", "") != "CONFIGURED" || t.value("saStatus", "") != "established" ||
          counts.value("installed", 0) == 0 || counts.value("acquiring", -1) != 0) {
        return false;
      }
    }
  }
  return true;
}

} // namespace

TEST_SUITE("integration-uml")
{
  TEST_CASE("uml lab e2e: on --wait, trigger-ike, every tunnel gets real ESP SAs, status up, off --wait")
  {
    KOI_SKIP_WITHOUT_UML_LAB();
    const auto start = std::chrono::steady_clock::now();
    LabOptions options;
    options.nodes = k_uml_nodes;
    options.uml = true;
    LabCluster cluster(options);
    MESSAGE("UML lab up (boot + bring-up) in " << seconds_since(start) << " s");

    RunResult r = cluster.plugin({"on", "--wait", "--timeout", "8m", "--concurrency", "3"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "NB_Global.ipsec=true (was false)"));
    cluster.lab().command_ok({"trigger-ike"});
    MESSAGE("on --wait + trigger-ike done at " << seconds_since(start) << " s");

    // IKE is up; the CHILD_SAs follow within seconds, so poll (a tunnel can show 2 of its SAs).
    // Each of a tunnel's two CHILD_SAs is negotiated when a packet hits its trap policy; on a
    // loaded machine the guest can drop that acquire, and the lab's only traffic is trigger-ike's
    // datagrams, so they are sent again while a tunnel still lacks SAs (a real node's Geneve
    // traffic does the same).
    json doc;
    const auto sa_deadline = std::chrono::steady_clock::now() + k_sa_deadline;
    do {
      r = cluster.plugin({"tunnels", "-o", "json", "--timeout", k_exec_timeout});
      doc = json_of(r);
      if (r.exit_code == 0 && every_tunnel_has_sas(doc)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::seconds(5));
      cluster.lab().command({"trigger-ike"});
    } while (std::chrono::steady_clock::now() < sa_deadline);
    {
      INFO("tunnels -o json: " << doc.dump());
      CHECK(r.exit_code == 0);
      CHECK(every_tunnel_has_sas(doc));
    }
    MESSAGE("every tunnel has its SAs at " << seconds_since(start) << " s");

    // The kernel itself holds the SAs: AES-GCM ESP states, which the host kernel cannot create.
    const std::string xfrm = cluster.lab().command_ok({"exec", "node1", "--", "ip", "xfrm", "state"});
    CHECK(testsupport::contains(xfrm, "proto esp spi 0x"));
    CHECK(testsupport::contains(xfrm, "aead rfc4106(gcm(aes))"));

    r = cluster.plugin({"status", "-o", "json", "--timeout", k_exec_timeout});
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    doc = json_of(r);
    CHECK(doc.value("summary", json::object()).value("exitCode", -1) == 0);
    REQUIRE(doc["nodes"].size() == k_uml_nodes);
    for (const auto& node : doc["nodes"]) {
      INFO(node.dump());
      CHECK(node.value("health", "") == "up");
    }

    // Proof on the wire: with the lab's kernel (conntrack zones, kernel datapath) Geneve goes
    // through xfrm, so every pair's probe is ESP with no cleartext and 1400 bytes with DF cross.
    const auto verify_start = std::chrono::steady_clock::now();
    r = cluster.plugin({"verify", "-o", "json", "--timeout", "8m", "--concurrency", "3"});
    MESSAGE("verify on 3 UML nodes: " << seconds_since(verify_start) << " s");
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    doc = json_of(r);
    REQUIRE(doc["pairs"].size() == 6);
    for (const auto& pair : doc["pairs"]) {
      INFO(pair.dump());
      CHECK(pair["verdict"] == "encrypted");
      CHECK(pair["esp"]["wirePackets"].get<int>() > 0);
      CHECK(pair["esp"]["saPackets"].get<int>() > 0);
      CHECK(pair["cleartext"]["packets"] == 0);
    }

    r = cluster.plugin({"off", "--wait", "--timeout", "8m", "--concurrency", "3"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(testsupport::contains(r.out, "NB_Global.ipsec=false (was true)"));
    doc = json_of(cluster.plugin({"tunnels", "-o", "json", "--timeout", k_exec_timeout}));
    REQUIRE(doc["nodes"].size() == k_uml_nodes);
    for (const auto& node : doc["nodes"]) {
      INFO(node.dump());
      CHECK(node.value("noTunnels", false));
    }
    MESSAGE("UML e2e done in " << seconds_since(start) << " s (the guest powers off next)");
  }
}
