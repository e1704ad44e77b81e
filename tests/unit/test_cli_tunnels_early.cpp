// `tunnels` on a big mesh: the tunnels a node parses before the chassis names are read wait in
// memory, so only as many nodes start their exec before the SB read is done as
// ops::nodes_before_names allows; the others start once the names are in.
#include "ops/tunnels_stream.hpp"
#include "support/fake_lab.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace testsupport::fakelab;

TEST_CASE("ops::nodes_before_names: 8 MiB of tunnels parsed before the names, at least 4 nodes")
{
  CHECK(ops::nodes_before_names(3) >= 3); // a small cluster: every node at once
  CHECK(ops::nodes_before_names(60) >= 60);
  CHECK(ops::nodes_before_names(200) == 27);
  CHECK(ops::nodes_before_names(1000) == 5);
  CHECK(ops::nodes_before_names(5000) == 4);
  for (const size_t nodes : {100, 300, 700, 1000, 2000}) {
    const size_t early = ops::nodes_before_names(nodes);
    CHECK((early == 4 || early * nodes * ops::k_early_bytes_per_tunnel <= 8 * 1024 * 1024));
  }
}

TEST_CASE("cli tunnels: on a 200-node mesh 27 nodes are read before the chassis names, the rest after")
{
  constexpr int k_nodes = 200;
  Lab lab;
  std::atomic<int> shows{0};
  std::atomic<int> shows_before_names{-1};
  for (int i = 4; i <= k_nodes; ++i) {
    const std::string pod = "ovs-ovn-" + std::to_string(i);
    lab.fake.add_pod(make_pod("kube-system", pod, "n" + std::to_string(i), {{"app", "ovs"}}, "openvswitch"));
    lab.fake.on_exec(pod, k_system_id, kube::ExecResult{0, "\"chassis-" + std::to_string(i) + "\"\n", ""});
  }
  for (int i = 1; i <= k_nodes; ++i) {
    lab.fake.on_exec_first("ovs-ovn-" + std::to_string(i), [&shows](const kube::ExecRequest& r) -> kube::ExecResult {
      if (r.command != k_show) {
        throw std::out_of_range("not tunnels/show");
      }
      ++shows;
      return {0, "No tunnels configured with IPsec\n", ""};
    });
  }
  // The SB read answers after 300 ms, when the nodes allowed to start early have long started.
  lab.fake.add_pod(make_pod("kube-system", "ovn-central-sb", "n1", {{"app", "ovn-central"}, {"ovn-sb-leader", "true"}},
                            "ovn-central"));
  lab.fake.on_exec("ovn-central-sb", [&](const kube::ExecRequest&) -> kube::ExecResult {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    shows_before_names = shows.load();
    return {1, "", "ovn-sbctl: no SB here"}; // the names then come from each node's system-id
  });

  const auto r = run_cli(lab, {"tunnels", "--summary"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(shows.load() == k_nodes);
  // Without the limit, the 64 nodes read at once would all have started.
  CHECK(shows_before_names.load() >= 1);
  CHECK(shows_before_names.load() <= static_cast<int>(ops::nodes_before_names(k_nodes)));
  CHECK(r.out.find("200 node(s)") != std::string::npos);
}
