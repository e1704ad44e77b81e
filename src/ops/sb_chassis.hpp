#pragma once
// Every chassis → node name from the OVN Southbound, in one exec, for `tunnels --node X`: the
// other nodes then need not be asked for their system-id (1000 execs at 1000 nodes).

#include "ipsec/tunnels_report.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

// The chassis of `nodes` as the SB leader's Chassis table names them. Empty when that cannot
// be read (no SB leader, exec failed, unexpected output): the caller then asks the nodes, so
// this is a shortcut, never a new way to fail. -v says which happened.
std::vector<ipsec::Chassis> read_sb_chassis(const Session& session, const std::vector<std::string>& nodes,
                                            std::chrono::milliseconds timeout);

} // namespace ops
