#pragma once
// Nodes for `init` tests: a FakeCluster whose per-node pods run the plugin's real shell steps
// with the real openssl, each node's /etc/ipsec.d mapped into its own temp dir, and a stub
// ovs-vsctl keeping other_config in files. Commands and stdin are recorded by the fake.

#include "support/fake_cluster.hpp"
#include "support/fake_lab.hpp"
#include "support/test_apiserver.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace testsupport {

class PkiNodes {
public:
  PkiNodes();
  // Adds node `name` (pod ovs-ovn-<name>, container openvswitch) with system-id `id`.
  void add_node(const std::string& name, const std::string& id);

  // The node's file at `path` as the pod sees it ("/etc/ipsec.d/..."), "" when missing.
  std::string file(const std::string& name, const std::string& path) const;
  int file_mode(const std::string& name, const std::string& path) const; // -1 when missing
  void remove_file(const std::string& name, const std::string& path) const;
  // other_config:<key> as the stub ovsdb holds it, "" when unset.
  std::string other_config(const std::string& name, const std::string& key) const;
  // The next keygen on `name` fails as if openssl were broken there.
  void break_keygen(const std::string& name) { m_broken.push_back(name); }
  void repair_keygen() { m_broken.clear(); }
  // The next certificate install on `name` fails (a stream cut short), after its keygen ran.
  void break_install(const std::string& name) { m_broken_install.push_back(name); }
  // The next command on `name` whose argv, joined by spaces, contains `needle` exits 1 and does
  // nothing (a step failing half-way through a run).
  void fail_next(const std::string& name, const std::string& needle)
  {
    std::lock_guard lock(m_mutex);
    m_fail_next.emplace_back(name, needle);
  }
  // What strongSwan on `name` has loaded (`ipsec listcacerts`' subjkeyId lines, as key ids).
  std::vector<std::string> loaded_ca_ids(const std::string& name);

  fakelab::Lab lab; // its FakeCluster holds the pods; ovn-central answers the NB flag

private:
  std::string root(const std::string& name) const;
  kube::ExecResult run_in_node(const std::string& name, const kube::ExecRequest& request);

  TempDir m_dir;
  std::string m_stub_bin;
  std::vector<std::string> m_broken;
  std::vector<std::string> m_broken_install;
  std::vector<std::pair<std::string, std::string>> m_fail_next;
  std::mutex m_mutex; // m_fail_next: the fan-out runs nodes on several threads
};

} // namespace testsupport
