// `verify` through cli::run against the fake 3-node lab: its pods answer the facts and probe
// commands as a node with (or without) working IPsec would, so these cases check the wiring:
// who is asked what, the verdict per pair, the exit code, a node that is down.
#include "ipsec/verify_probe.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace testsupport::fakelab;

namespace {

std::string
encap_of(int node)
{
  return "10.99.0.1" + std::to_string(node);
}

std::string
ovn0_of(int node)
{
  return "100.64.0." + std::to_string(node + 1);
}

bool
is_facts(const kube::ExecRequest& r)
{
  return r.command == ipsec::verify_facts_command();
}

bool
is_probe(const kube::ExecRequest& r)
{
  return r.command.size() > 4 && r.command[0] == "sh" && r.command[3] == "koi-verify";
}

// What node `self`'s probe prints when IPsec works (`encrypted`) or Geneve goes out in the clear.
std::string
probe_answer(const std::vector<std::string>& peer_ips, bool encrypted, int mtu_passing)
{
  std::string sa_before = "@sa-before\nsa-rc 0\n";
  std::string sa_after = "@sa-after\nsa-rc 0\n";
  std::string echo = "@echo\n";
  std::string capture = "@capture 0\n";
  for (const auto& ip : peer_ips) {
    const int peer = std::stoi(ip.substr(ip.rfind('.') + 1)) - 1;
    echo += "echo " + ip + " 10 10\n";
    echo += "mtu " + ip + " 1400 " + (mtu_passing >= 1400 ? "ok 1400" : "lost " + std::to_string(mtu_passing)) + "\n";
    if (encrypted) {
      sa_before += "sa 10.99.0.1 " + encap_of(peer) + " 0xc000000" + std::to_string(peer) + " 100 1\n";
      sa_after += "sa 10.99.0.1 " + encap_of(peer) + " 0xc000000" + std::to_string(peer) + " 1500 12\n";
      capture += "esp " + encap_of(peer) + " 11\n";
    } else {
      capture += "clear " + encap_of(peer) + " 11\n";
      capture += "example " + encap_of(peer) + " eth0  Out IP x > " + encap_of(peer) + ".6081: Geneve\n";
    }
  }
  return sa_before + echo + capture + "capture-stderr listening on any\n" + sa_after + "@done\n";
}

struct VerifyLab : Lab {
  std::shared_ptr<std::atomic<int>> mtu_passing = std::make_shared<std::atomic<int>>(1400);
  std::shared_ptr<std::atomic<int>> gone = std::make_shared<std::atomic<int>>(0); // this node's pod is gone

  VerifyLab()
  {
    for (int i = 1; i <= 3; ++i) {
      fake.on_exec("ovs-ovn-" + std::to_string(i), [this, i](const kube::ExecRequest& r) -> kube::ExecResult {
        if (gone->load() == i && (is_facts(r) || is_probe(r))) {
          throw kube::ApiError(404, "NotFound", "Error from server (NotFound): pods \"ovs-ovn-3\" not found");
        }
        if (is_facts(r)) {
          return {0,
                  "encap-ip \"" + encap_of(i) + "\"\novn0 7: ovn0    inet " + ovn0_of(i) +
                      "/16 brd 100.64.255.255 scope global ovn0\nmtu 1400\n",
                  ""};
        }
        if (is_probe(r)) {
          return {0,
                  probe_answer(std::vector<std::string>(r.command.begin() + 10, r.command.end()), nb->load(),
                               mtu_passing->load()),
                  ""};
        }
        throw std::out_of_range("not verify");
      });
    }
  }

  std::vector<std::string> probed_peers(int node) const
  {
    for (const auto& e : fake.execs()) {
      if (e.pod == "ovs-ovn-" + std::to_string(node) && e.command.size() > 10 && e.command[3] == "koi-verify") {
        return std::vector<std::string>(e.command.begin() + 10, e.command.end());
      }
    }
    return {};
  }
};

} // namespace

TEST_CASE("cli verify: every pair encrypted exits 0 and says so first")
{
  VerifyLab lab;
  lab.nb->store(true);
  const auto r = run_cli(lab, {"verify"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out ==
        "verified: 6/6 node pairs encrypted (ESP on the wire, no Geneve in the clear, full-MTU packets cross)\n"
        "\n"
        "FROM   TO   ESP   CLEARTEXT   MTU       VERDICT     REASON\n"
        "n1     n2   11    0           1400 ok   encrypted   -\n"
        "n1     n3   11    0           1400 ok   encrypted   -\n"
        "n2     n1   11    0           1400 ok   encrypted   -\n"
        "n2     n3   11    0           1400 ok   encrypted   -\n"
        "n3     n1   11    0           1400 ok   encrypted   -\n"
        "n3     n2   11    0           1400 ok   encrypted   -\n");
  // One probe per sender, towards every peer's ovn0, with ovn0's MTU and the default window.
  CHECK(lab.probed_peers(1) == std::vector<std::string>{ovn0_of(2), ovn0_of(3)});
  for (const auto& e : lab.fake.execs()) {
    if (e.command.size() > 10 && e.command[3] == "koi-verify") {
      CHECK(e.command[7] == "2.0");
      CHECK(e.command[9] == "1400");
    }
  }
}

TEST_CASE("cli verify: Geneve in the clear fails every pair, naming it")
{
  VerifyLab lab;
  const auto r = run_cli(lab, {"verify", "-o", "json"});
  CHECK(r.code == 1);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["passed"] == false);
  CHECK(doc["summary"] == "NOT verified: 0/6 node pairs encrypted; 6 not encrypted");
  CHECK(doc["pairs"][0]["verdict"] == "not encrypted");
  CHECK(doc["pairs"][0]["reason"] == "11 Geneve packets to n2 left in the clear, no ESP SA to it");
  CHECK(doc["pairs"][0]["cleartext"]["example"] == "eth0  Out IP x > 10.99.0.12.6081: Geneve");
}

TEST_CASE("cli verify: a node that is down makes its pairs unknown; the others are still measured")
{
  VerifyLab lab;
  lab.nb->store(true);
  lab.gone->store(3);
  const auto r = run_cli(lab, {"verify"});
  CHECK(r.code == 1);
  CHECK(r.out.rfind("NOT verified: 2/6 node pairs encrypted; 4 unknown\n", 0) == 0);
  CHECK(r.out.find("n1     n2   11    0           1400 ok   encrypted") != std::string::npos);
  CHECK(r.out.find("n2     n1   11    0           1400 ok   encrypted") != std::string::npos);
  CHECK(r.out.find("n1     n3   -     -           -         unknown     n3: ") != std::string::npos);
  CHECK(r.out.find("n3     n1   -     -           -         unknown     n3: ") != std::string::npos);
  CHECK(r.out.find("pods \"ovs-ovn-3\" not found") != std::string::npos);
  CHECK(lab.probed_peers(1) == std::vector<std::string>{ovn0_of(2)}); // nothing sent to a node that is gone
}

TEST_CASE("cli verify: --node limits the pairs; an MTU that does not cross fails an encrypted pair")
{
  VerifyLab lab;
  lab.nb->store(true);
  lab.mtu_passing->store(1352);
  const auto r = run_cli(lab, {"verify", "--node", "n2"});
  CHECK(r.code == 1);
  CHECK(r.out.rfind("NOT verified: 4/4 node pairs encrypted; 4 encrypted pairs drop full-MTU packets\n", 0) == 0);
  CHECK(r.out.find("1400 FAIL (max 1352)") != std::string::npos);
  CHECK(lab.probed_peers(1) == std::vector<std::string>{ovn0_of(2)});
  CHECK(lab.probed_peers(2) == std::vector<std::string>{ovn0_of(1), ovn0_of(3)});
  const auto unknown = run_cli(lab, {"verify", "--node", "n9"});
  CHECK(unknown.code == 1);
  CHECK(unknown.err.find("no Kube-OVN pod on node n9") != std::string::npos);
}
