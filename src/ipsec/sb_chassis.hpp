#pragma once
// The OVN Southbound Chassis table as a chassis → node map. Kube-OVN registers each node's
// ovn-controller with `hostname` = the Kubernetes node name (kube-ovn-controller finds a node's
// chassis by that column), so one `ovn-sbctl list Chassis` in ovn-central names every chassis
// without asking each node for its system-id. Pure: command and parsing, no I/O.

#include "ipsec/tunnels_report.hpp"

#include <optional>
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

} // namespace ipsec
