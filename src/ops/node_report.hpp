#pragma once
// Gathers the `nodes` report: each node's Kube-OVN pod and the chassis name its OVS reports.

#include "ipsec/node_report.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

// `only_nodes` limits the nodes (all when empty). A node that fails is a row with an error.
ipsec::NodeReport read_nodes(const Session& session, const std::vector<std::string>& only_nodes, size_t concurrency,
                             std::chrono::milliseconds timeout);

} // namespace ops
