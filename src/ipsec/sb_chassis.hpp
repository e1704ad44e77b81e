#pragma once
// The OVN Southbound Chassis table as a chassis → node map. Kube-OVN registers each node's
// ovn-controller with `hostname` = the Kubernetes node name (kube-ovn-controller finds a node's
// chassis by that column), so one `ovn-sbctl list Chassis` in ovn-central names every chassis
// without asking each node for its system-id. Pure: command and parsing, no I/O.

#include "ipsec/tunnels_report.hpp"
#include "kube/types.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

// `ovn-sbctl --no-leader-only --format=json --columns=name,hostname list Chassis`: read-only, so
// any ovn-central replica may answer (no wait for an election to settle).
std::vector<std::string> sb_chassis_command();

// Its output, `{"data":[["<name>","<hostname>"],...],"headings":["name","hostname"]}`, as
// chassis (node = hostname, "" when unset); nullopt when it is not that document.
std::optional<std::vector<Chassis>> parse_sb_chassis(std::string_view output);

// The chassis of `nodes` only (by hostname), one per node: what reading each node's system-id
// would have found. A node with several chassis (a stale one left by a reinstall) keeps none,
// since which one is live cannot be told from the table.
std::vector<Chassis> chassis_of_nodes(const std::vector<Chassis>& sb, const std::vector<std::string>& nodes);

// Kube-OVN's Node annotation naming the node's chassis: kube-ovn-cni writes it at start from the
// node's /etc/openvswitch/system-id.conf (cmd/daemon/cniserver.go initChassisAnno, v1.10-v1.15).
inline constexpr std::string_view k_chassis_annotation = "ovn.kubernetes.io/chassis";

// The chassis of every node but the `named` ones as its annotation names it: for a node that is
// down (its pod cannot be asked, its ovn-controller may have left the Chassis table), the last
// chassis it had.
std::vector<Chassis> chassis_from_annotations(const std::vector<kube::Node>& nodes, const std::set<std::string>& named);

} // namespace ipsec
