#pragma once
// `status`: what each node's ovs-monitor-ipsec says, reduced to counters as its tunnels/show is
// parsed, so memory stays O(nodes) however large the mesh (a full mesh is O(nodes²) of text).
// Pure: tunnels in, counters and verdicts out.

#include "ipsec/nb_flag.hpp"
#include "ipsec/node_cert.hpp"
#include "ipsec/targets.hpp"
#include "ipsec/tunnel_model.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ipsec {

// Every chassis of the cluster by name, numbered so a node can mark the peers it has seen in a
// bit vector instead of a set of names. `unresolved` counts nodes whose system-id could not be
// read: they are still peers every other node should have a tunnel to.
class ChassisIndex {
public:
  explicit ChassisIndex(const std::vector<std::string>& names, std::size_t unresolved = 0);

  std::size_t size() const { return m_index.size(); }
  std::size_t unresolved() const { return m_unresolved; }
  // The number of `name`, nullopt when it is not a chassis of this cluster.
  std::optional<std::size_t> find(std::string_view name) const;

private:
  std::unordered_map<std::string, std::size_t> m_index;
  std::size_t m_unresolved = 0;
};

// One node's verdict, worst first.
enum class NodeHealth {
  failed,       // the node could not be read: no pod, pod not ready, exec failed
  monitor_down, // the pod answered but ovs-monitor-ipsec did not
  unreadable,   // tunnels/show said something this plugin cannot read
  incomplete,   // IPsec on: some expected tunnel is missing or not CONFIGURED
  stale,        // IPsec off: IPsec tunnels remain
  no_sas,       // every tunnel CONFIGURED, but IKE has not installed every SA yet
  up,           // IPsec on: every expected tunnel CONFIGURED with its SAs
  off,          // IPsec off and no IPsec tunnel: as it should be
};

// "failed", "monitor down", "unreadable", "incomplete", "tunnels remain", "no SAs", "up", "off".
std::string_view to_string(NodeHealth health);

struct NodeStatus {
  std::string node;
  std::string pod;
  std::string container;
  std::string chassis;            // own system-id, "" when unknown
  std::string error;              // failed / monitor_down: why, one line
  bool reached = false;           // the pod ran a command (its system-id was asked)
  bool monitor_answered = false;  // tunnels/show exited 0
  bool no_tunnels_line = false;   // "No tunnels configured with IPsec"
  std::size_t expected = 0;       // peers it should have a tunnel to (every other chassis)
  std::size_t tunnels = 0;        // tunnel blocks shown
  std::size_t configured = 0;     // distinct expected peers with a CONFIGURED tunnel
  std::size_t not_configured = 0; // tunnels in INIT, INVALID, REMOVED or an unknown state
  std::size_t unknown_peer = 0;   // distinct peers of CONFIGURED tunnels that are no chassis of this cluster
  std::size_t established = 0;    // CONFIGURED tunnels to expected peers whose SAs are all installed
  std::size_t negotiating = 0;    // ... with only larval or part of their SAs
  std::size_t warnings = 0;       // lines the parser could not place
  std::string first_warning;
  CertView cert;                   // its IPsec certificate, as init would judge it
  std::optional<bool> ike_running; // `ipsec status` exited 0; nullopt when not asked (wants_ike_check)
  // Kube-OVN >= 1.13: its CSR ovn-ipsec-<node> ("Pending", "Approved", "Denied", "Failed", "Issued";
  // "" when there is none, as after a finished enrollment: kube-ovn-cni deletes it) and its age.
  std::string csr_state;
  long csr_age_seconds = 0;
  NodeHealth health = NodeHealth::failed;
  std::string reason; // why it is not up / clean, with the fix (explain); "" when it is
};

// Counts one node's tunnels as the parser finishes them. Each peer is counted once even when
// tunnels/show lists it twice.
class TunnelTally {
public:
  TunnelTally(const ChassisIndex& chassis, std::string_view own_chassis);

  void add(const Tunnel& tunnel);
  // Copies the counts into `status` (expected, tunnels, configured, ...).
  void fill(NodeStatus& status) const;

private:
  const ChassisIndex& m_chassis;
  std::optional<std::size_t> m_own;
  std::vector<bool> m_configured; // by chassis number
  std::vector<bool> m_established;
  std::vector<bool> m_negotiating;
  std::size_t m_tunnels = 0;
  std::size_t m_not_configured = 0;
  // CONFIGURED tunnels to chassis not in the index: peers whose system-id was unreadable, or
  // strangers. Distinct names; at most one entry per tunnel shown, so O(nodes).
  std::unordered_map<std::string, bool> m_unknown_peers; // name -> SAs established
};

// The verdict for a node whose counters are filled; `ipsec_on` is NB_Global.ipsec (unknown
// counts as on: tunnels are then what tells).
NodeHealth judge(const NodeStatus& status, std::optional<bool> ipsec_on);

struct StatusReport {
  std::optional<bool> ipsec_on; // NB_Global.ipsec; nullopt when it could not be read
  std::string flag_source;      // "ns/pod" of the NB leader it was read from
  std::string flag_error;       // why it could not be read
  Layout layout = Layout::ovs_ovn;
  std::optional<FlagOwner> owner; // Kube-OVN >= 1.13's --enable-ovn-ipsec, when present
  std::string ca_note; // why certificates could not be checked against the CA, or (>= 1.13) how Kube-OVN issues them
  bool ca_secret_missing = false; // no Secret ovn-ipsec-ca (as opposed to one that could not be read)
  std::string upgrade_note;
  std::string csr_note; // why Kube-OVN's CSRs could not be listed, "" when they were (or were not asked)       //
                        // Kube-OVN >= 1.13 with the flag false and a CA Secret: what `on` does
  std::vector<NodeStatus> nodes; // sorted by node name
};

// 0: IPsec on and every node up; 3: IPsec off and no node has an IPsec tunnel left;
// 1: anything else (a node not up, a node failed, the flag unreadable).
int status_exit_code(const StatusReport& report);

// Certificates are warned about from this many days before they expire.
inline constexpr long k_cert_warn_days = 30;

// One line per node whose certificate expires within k_cert_warn_days (or has expired), with
// what renews it: `rotate certs` where this plugin issued it, kube-ovn-cni on Kube-OVN >= 1.13.
// Exit codes do not change: an expiring certificate still works.
std::vector<std::string> certificate_warnings(const StatusReport& report);

// One line: "IPsec is on: 3/3 nodes up" / "IPsec is on: 2/3 nodes up (node2: monitor down)" ...
std::string status_summary(const StatusReport& report);

} // namespace ipsec
