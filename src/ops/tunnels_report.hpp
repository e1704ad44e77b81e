#pragma once
// Gathers the `tunnels` report: each node's chassis name and `tunnels/show`, fetched on a
// bounded pool through the cluster seam, parsed by ipsec/.

#include "ipsec/tunnels_report.hpp"
#include "kube/cluster.hpp"
#include "ops/discovery.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

// `only_nodes` limits the nodes reported (all when empty); every other node's chassis is still
// read so remote chassis show as node names, unless `known_chassis` (read_sb_chassis) names it
// already. A node that fails is a result with an error.
ipsec::TunnelsReport collect_tunnels(kube::Cluster& cluster, const Discovery& found,
                                     const std::vector<std::string>& only_nodes, size_t concurrency,
                                     std::chrono::milliseconds timeout,
                                     const std::vector<ipsec::Chassis>& known_chassis = {});

// The whole `tunnels` report: discovery, the SB chassis names when `only_nodes` is set, and
// collect_tunnels. The report's warnings go to the -v log.
ipsec::TunnelsReport read_tunnels(const Session& session, const std::vector<std::string>& only_nodes,
                                  size_t concurrency, std::chrono::milliseconds timeout);

} // namespace ops
