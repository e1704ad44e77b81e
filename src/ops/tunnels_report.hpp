#pragma once
// One poll of a wait: every node's `tunnels/show`, fetched on a bounded pool through the
// cluster seam and reduced, while it streams in, to what the wait judges (ipsec/wait_goal).

#include "ipsec/wait_goal.hpp"
#include "kube/cluster.hpp"
#include "ops/discovery.hpp"

#include <chrono>
#include <vector>

namespace ops {

// Every node reduced to an ipsec::WaitNode, in `found` order; its parsed tunnels are never kept,
// so a poll of N nodes holds O(N²) small numbers, not O(N²) tunnels. A node that fails is a
// WaitNode with its error.
std::vector<ipsec::WaitNode> collect_wait_nodes(kube::Cluster& cluster, const Discovery& found, ipsec::WaitGoal goal,
                                                ipsec::ChassisIds& ids, size_t concurrency,
                                                std::chrono::milliseconds timeout);

} // namespace ops
