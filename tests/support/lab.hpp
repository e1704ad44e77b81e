#pragma once
// The real-daemon lab (tests/lab/lab: OVN, OVS and strongSwan in network namespaces) for the
// end-to-end tests, and the test API server serving it. See tests/lab/README.md.

#include "support/skip.hpp"

#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"

#include <memory>
#include <string>
#include <vector>

namespace testsupport {

// Why lab tests must skip on this machine ("" when they can run): the test API server cannot
// run, this process is not root, or a package is missing (as `tests/lab/lab check` says).
std::string lab_unavailable_reason();

// Why UML lab tests (`lab --uml`) must skip ("" when they can run): KOI_SKIP_UML=1 is set, the
// test API server cannot run, not root, or `tests/lab/lab --uml check` fails (no `linux`, /dev/shm
// too small, a package missing).
std::string uml_lab_unavailable_reason();

// In a doctest case: ends the case with "skipped: <why>" when the lab cannot run here.
#define KOI_SKIP_WITHOUT_LAB() KOI_SKIP_IF_REASON(::testsupport::lab_unavailable_reason())
// The same for the User-Mode Linux lab.
// KOI_SKIP_UML=1 leaves it out on purpose (a skip by design); any other reason is the install's.
#define KOI_SKIP_WITHOUT_UML_LAB()                                                                                     \
  do {                                                                                                                 \
    const std::string koi_uml_why = ::testsupport::uml_lab_unavailable_reason();                                       \
    KOI_SKIP_IF_REASON_AS(koi_uml_why, koi_uml_why == "KOI_SKIP_UML=1" ? ::testsupport::SkipKind::by_design            \
                                                                       : ::testsupport::SkipKind::install_provides);   \
  } while (false)

struct LabOptions {
  int nodes = 3;
  std::string layout = "ovs-ovn"; // or "kube-ovn-cni": which Kube-OVN pods the cluster description has
  bool certs = true;              // false: `up --no-certs`
  bool uml = false;               // true: the lab inside a User-Mode Linux guest (`lab --uml`), with real ESP SAs
  // Layout kube-ovn-cni only: `up --enable-ovn-ipsec V` ("true": nodes enrolled as Kube-OVN >= 1.13's
  // own daemons leave them; "" leaves the lab's default, false).
  std::string enable_ovn_ipsec;
};

// One running lab in the tests' own directory and namespace prefix (never the demo's). Holds an
// exclusive lock for its lifetime, so concurrent test runs wait for each other instead of clashing.
// With `uml`, every command goes to `lab --uml` (own directory; the guest is powered off at the end).
class Lab {
public:
  // Takes the lock (waits up to 10 min), removes a lab a crashed run left, then `lab up`;
  // throws with the lab's output when that fails.
  explicit Lab(const LabOptions& options = {});
  ~Lab(); // `lab down`, whatever state the test left the lab in
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Runs `tests/lab/lab [--uml] --dir <dir> ARGS…` (time limit 3 min, UML 20 min: the machine may be busy).
  RunResult command(const std::vector<std::string>& args) const;
  // The same, but throws with the command's output unless it exits 0; returns its stdout.
  std::string command_ok(const std::vector<std::string>& args) const;
  // Writes the cluster description for `layout` ("" = the lab's own) and returns its path.
  std::string cluster_file(const std::string& layout = "") const;
  const std::string& dir() const;

  bool uml() const;

private:
  std::string m_dir;
  bool m_uml = false;
  int m_lock_fd = -1;
};

// A lab and the test API server serving it.
class LabCluster {
public:
  explicit LabCluster(const LabOptions& options = {});

  // (Re)starts the server on the lab's current cluster description: after add-node, or to
  // serve the other layout of the same lab.
  void serve(const std::string& layout = "");
  Lab& lab();
  const TestApiServer& server() const;
  // Runs the built plugin with `args` against the server (admin token); time limit 2 min (UML 10 min).
  RunResult plugin(const std::vector<std::string>& args) const;

private:
  Lab m_lab;
  std::unique_ptr<TestApiServer> m_server;
};

} // namespace testsupport
