#pragma once
// A 3-node ovs-ovn cluster in a FakeCluster for CLI tests: NB_Global.ipsec kept in memory by
// the ovn-central pod, each ovs-ovn pod answering its system-id and tunnels/show (by default
// the lab captures), and a runner that calls cli::run against it.

#include "cli/app.hpp"
#include "kube/cluster.hpp"
#include "support/commands.hpp"
#include "support/fake_cluster.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace testsupport::fakelab {

using testsupport::FakeCluster;
using testsupport::k_get;
using testsupport::k_show;
using testsupport::k_swap_false;
using testsupport::k_swap_true;
using testsupport::k_system_id;
using testsupport::make_pod;

extern const std::vector<std::string> k_chassis; // node i (1-based) has k_chassis[i - 1]

// tests/testdata/tunnels-show/<name>.
std::string capture(const std::string& name);

// tunnels/show of node `node` (1-based) in a full mesh of `nodes` with k_chassis-style names
// (generated for any count), every tunnel CONFIGURED, with all four SAs installed or none.
std::string mesh_tunnels_show(int node, int nodes, bool sas_installed);

// Forwards to a FakeCluster the test keeps, since the factory must hand out ownership.
class Borrowed : public kube::Cluster {
public:
  explicit Borrowed(FakeCluster& fake) : m_fake(fake) {}
  std::vector<kube::Pod> list_pods(const std::string& ns, const std::string& l, const std::string& f) override;
  kube::ExecResult exec(const kube::ExecRequest& r) override;
  std::optional<kube::Secret> get_secret(const std::string& ns, const std::string& n) override;
  kube::Secret create_secret(const kube::Secret& s) override;
  kube::Secret update_secret(const kube::Secret& s) override;
  std::vector<kube::Node> list_nodes() override;
  std::vector<kube::CertificateSigningRequest> list_csrs() override;
  std::optional<kube::Workload> get_workload(const std::string& kind, const std::string& ns,
                                             const std::string& name) override;
  kube::Workload patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                                const std::string& ops) override;

private:
  FakeCluster& m_fake;
};

struct Lab {
  FakeCluster fake;
  std::shared_ptr<std::atomic<bool>> nb = std::make_shared<std::atomic<bool>>(false);
  bool set_sticks = true;        // false: `set` answers 0 but the flag does not change
  bool tunnels_follow = true;    // false: no node ever shows a tunnel
  bool answer_cert_probe = true; // init's certificate look answers "no certificate"
  bool ike_running = true;       // `ipsec status` exits 0 (strongSwan up)
  // What node i's tunnels/show answers when the flag is on (and tunnels_follow); default:
  // the state C lab capture of that node.
  std::function<kube::ExecResult(int node)> show_when_on;

  Lab();
  kube::ExecResult nbctl(const kube::ExecRequest& r);
  std::vector<std::vector<std::string>> commands_in(const std::string& pod) const;
};

struct Run {
  int code;
  std::string out;
  std::string err;
  int sleeps;
};

// cli::run(args + --kubeconfig <a throwaway file>) with the lab's cluster and no real sleeps;
// `tweak` may change the context first (a terminal, Ctrl-C).
Run run_cli(Lab& lab, std::vector<std::string> args, const std::function<void(cli::AppContext&)>& tweak = {});

// A run_cli tweak for `--watch`: the output is a terminal or not, Ctrl-C comes after `rounds`
// polls, and `between(round)` changes the lab after a round (1-based). A poll is counted by its
// tunnels/show in every node's pod.
std::function<void(cli::AppContext&)> watch_stop_after(Lab& lab, size_t rounds, bool terminal,
                                                       std::function<void(size_t)> between = {});

} // namespace testsupport::fakelab
