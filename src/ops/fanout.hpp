#pragma once
// Runs one command on many nodes' pods through the cluster seam, on a bounded pool.
// Results come back per node, in the order of `targets`; a failure stays with its node.

#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ops {

struct NodeExec {
  std::string node;
  std::optional<kube::ExecResult> result; // set when the command ran (any exit code)
  std::string error;                      // why it did not run or did not finish
};

std::vector<NodeExec> exec_on_nodes(kube::Cluster& cluster, const std::vector<ipsec::NodeTarget>& targets,
                                    const std::vector<std::string>& argv, size_t concurrency,
                                    std::chrono::milliseconds timeout);

} // namespace ops
