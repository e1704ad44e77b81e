#pragma once
// Gathers every node's `tunnels/show` and chassis name into one report, fetched on a bounded
// pool through the cluster seam, parsed by ipsec/.

#include "ipsec/tunnels_report.hpp"
#include "kube/cluster.hpp"
#include "ops/discovery.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

// Every node's tunnels/show and chassis, all kept (on --wait needs every node at once; `tunnels`
// prints as it goes with ops::stream_tunnels). A node that fails is a result with an error.
ipsec::TunnelsReport collect_tunnels(kube::Cluster& cluster, const Discovery& found, size_t concurrency,
                                     std::chrono::milliseconds timeout);

} // namespace ops
