#pragma once
// Every chassis → node name from the OVN Southbound, in one exec, for `tunnels --node X`: the
// other nodes then need not be asked for their system-id (1000 execs at 1000 nodes).

#include "ipsec/tunnels_report.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace ops {

// The chassis of `nodes` as the SB leader's Chassis table names them. Empty when that cannot
// be read (no SB leader, exec failed, unexpected output): the caller then asks the nodes, so
// this is a shortcut, never a new way to fail. -v says which happened.
std::vector<ipsec::Chassis> read_sb_chassis(const Session& session, const std::vector<std::string>& nodes,
                                            std::chrono::milliseconds timeout);

// The chassis of every Node but the `named` ones from its ovn.kubernetes.io/chassis annotation,
// for nodes that neither the Chassis table nor their own pod could name (a node that is down, or
// without a Kube-OVN pod at all). One list of Nodes; empty when it cannot be read (no RBAC for
// nodes, say): -v says so.
std::vector<ipsec::Chassis> read_annotated_chassis(const Session& session, const std::set<std::string>& named);

} // namespace ops
