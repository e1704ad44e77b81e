#pragma once
// `init` on one node, as Kube-OVN knowledge: where the node's key, certificate and CA file
// live, the commands that look at them, make a key and request, install the signed result and
// point OVS at it, and the decision whether a node needs a certificate at all. Pure.

#include "ipsec/nb_flag.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

inline constexpr std::string_view k_ipsec_dir = "/etc/ipsec.d";

// `sh -c SCRIPT sh ARGS...`: paths and names travel as arguments, never spliced into the script.
std::vector<std::string> shell_command(std::string_view script, std::vector<std::string> args);

// Kube-OVN's (ipsec.sh) paths: <dir>/private/<id>-privkey.pem, <dir>/certs/<id>-cert.pem,
// <dir>/cacerts/cacert.pem.
struct NodePaths {
  std::string key;
  std::string cert;
  std::string ca;
};
NodePaths node_paths(std::string_view system_id, std::string_view dir = k_ipsec_dir);

// The subject a node requests: /C=CN/O=kubeovn/OU=kube-ovn/CN=<id>, as Kube-OVN >= 1.13 does.
std::string node_subject(std::string_view system_id);

// Prints other_config's certificate/private_key/ca_cert, whether the key file exists, and the
// certificate file; read with parse_probe().
std::vector<std::string> probe_command(const NodePaths& paths);

struct NodeProbe {
  std::map<std::string, std::string> other_config; // certificate, private_key, ca_cert ("" when unset)
  bool key_present = false;
  bool ca_present = false;
  std::string cert_pem; // "" when the file is missing or empty
};
// nullopt when `output` is not what probe_command prints.
std::optional<NodeProbe> parse_probe(std::string_view output);

// Makes a new key (mode 0600) next to the current one as <key>.new and prints a request for it;
// the current key stays in use until install_cert_command() swaps both.
std::vector<std::string> keygen_command(const NodePaths& paths, std::string_view subject, int bits);

// Writes stdin to the CA file (0644) through a temporary file, only when it parses as a
// certificate (exit 1 and nothing changed otherwise).
std::vector<std::string> install_ca_command(const NodePaths& paths);

// Removes <key>.new and <cert>.new: what keygen_command() left when the certificate could not
// be made or installed (the current key and certificate stay as they were).
std::vector<std::string> discard_new_command(const NodePaths& paths);

// Writes stdin as <cert>.new and, only when it is a certificate for <key>.new's key, moves
// <key>.new and <cert>.new into place together (exit 1 and nothing changed otherwise).
std::vector<std::string> install_cert_command(const NodePaths& paths);

// `ipsec rereadcacerts`: a running strongSwan reads /etc/ipsec.d/cacerts only at start or when
// told, so without this it cannot trust the peers' certificates from a CA file written later.
std::vector<std::string> reread_ca_command();

// Has a running strongSwan use a node's new key and certificate, written where it already reads
// them: `ipsec rereadsecrets` loads the key (ipsec.secrets names the file), `ipsec reload` the
// certificate (loaded when a connection is added, and reload re-adds every connection; `ipsec
// update` re-adds only changed ones, so a certificate replaced at the same path would stay
// unused and the new key would not match it). Established IKE and CHILD SAs stay, so traffic goes
// on over them until their next re-key.
// Then, in the pod's background (the exec returns at once), 3 s and 10 s later: `ipsec up` for every
// connection ovs-monitor-ipsec routed that has no INSTALLED CHILD_SA. On demand such a connection
// comes back only with a packet's ACQUIRE, and in the UML lab a flow whose SAs were gone stayed
// without them for the whole of `rotate ca` (an acquire that fails leaves a larval state that
// blocks the next ones: docs/reference/lab.md §8-9), while `ipsec up` brought it back at once.
// Not `ovs-appctl -t ovs-monitor-ipsec refresh`: with strongSwan its refresh() takes every
// established connection for outdated (the greedy regex of get_active_conns, OVS 2.x-3.x,
// ovs-issues #355) and runs `ipsec stroke down-nb` on it. Measured in the UML lab, refresh and
// then reload lost 12-14 s of traffic per node; this loses none beyond a re-key.
std::vector<std::string> reload_credentials_command();

// ovs-vsctl set Open_vSwitch . other_config:certificate=... private_key=... ca_cert=...
std::vector<std::string> configure_command(const NodePaths& paths);

// Whether the IPsec daemons run in a v1.10-1.12 ovs-ovn pod. Nothing in that pod starts them:
// Kube-OVN's start-ovs.sh (v1.12.35) runs ovsdb-server, ovs-vswitchd and ovn-controller only,
// and its ipsec.sh init ends with `service openvswitch-ipsec restart` and `service ipsec
// restart` in every pod. /etc/ipsec.d and the daemons live in the container, so after a pod
// restart (rollout, reboot, OOM) both are gone again while OVSDB (a host path) keeps the paths.
// `ovs-appctl -t ovs-monitor-ipsec version` (exit 0 when the monitor's control socket answers)
// and `ipsec status` (exit 0 when strongSwan's charon answers).
std::vector<std::string> monitor_alive_command();
std::vector<std::string> ike_alive_command();
// The image's service scripts in ipsec.sh's order: openvswitch-ipsec (OVS's Debian init script:
// ovs-ctl start-ovs-ipsec, i.e. ovs-monitor-ipsec, which restarts strongSwan itself), then
// strongSwan's `ipsec`. `start`, where ipsec.sh says `restart`: only nodes whose daemons are
// down are started, and the init script's restart sleeps 10 s (DODTIME) and re-keys every tunnel.
// Each runs as `sh -c SCRIPT sh SERVICE` with the script's output in a temporary file, printed
// afterwards: the daemons it starts inherit that file, not the exec's stdout, which would
// otherwise stay open (and the exec unfinished) for as long as they run.
std::vector<std::vector<std::string>> start_daemons_commands();

enum class NodeAction {
  skip,      // valid certificate from this CA, configured, far from expiry
  configure, // files are fine but OVS does not point at them (or the CA file is missing)
  enroll,    // no certificate yet
  repair,    // OVS points at a certificate whose file is gone (the pod restarted)
  renew,     // expires within --renew-before
  reissue,   // another CA, wrong name, unreadable, key missing, or --force
};
std::string_view to_string(NodeAction action);
bool needs_certificate(NodeAction action);

struct NodeDecision {
  NodeAction action = NodeAction::enroll;
  std::string reason; // one line: "valid for 700 more days", "issued by another CA", ...
};

struct DecisionInput {
  const NodeProbe& probe;
  const NodePaths& paths;
  std::string_view system_id;
  std::string_view ca_cert_pem;
  std::chrono::system_clock::time_point now;
  int renew_before_days = 30;
  bool force = false;
};
NodeDecision decide(const DecisionInput& input);

// What `init` did on one node.
struct InitNodeResult {
  std::string node;
  std::string chassis;
  NodeAction action = NodeAction::enroll;
  bool decided = false; // the node was looked at (action/reason are meaningful)
  std::string reason;
  std::string error;   // "" when the node ended as it should
  std::string note;    // extra line (e.g. the monitor could not be refreshed)
  std::string daemons; // "started", "would start" (--dry-run), or "" when they ran already
};

// What `init` did (or, with --dry-run, would do): the CA it signed with and every node's result.
struct InitReport {
  std::string command = "init"; // or "rotate certs": the words the report is printed with
  // Kube-OVN >= 1.13 owns the PKI (--enable-ovn-ipsec on its workloads): `init --dry-run` then
  // says what Kube-OVN does (kube_ovn_pki.hpp) and nothing else is filled in.
  std::optional<FlagOwner> kube_ovn_owner;
  std::vector<std::string> kube_ovn_steps;
  std::string ca_ref;    // "Secret kube-system/ovn-ipsec-ca"
  std::string ca_origin; // existing / created / imported / would create / would import
  std::string ca_subject;
  bool dry_run = false;
  std::vector<InitNodeResult> nodes;
};

} // namespace ipsec
