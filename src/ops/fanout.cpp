#include "ops/fanout.hpp"

#include "ops/exec.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

namespace ops {

std::vector<NodeExec>
exec_on_nodes(kube::Cluster& cluster, const std::vector<ipsec::NodeTarget>& targets,
              const std::vector<std::string>& argv, size_t concurrency, std::chrono::milliseconds timeout)
{
  std::vector<NodeExec> results(targets.size());
  util::parallel_for(targets.size(), concurrency, [&](size_t i) {
    const auto& target = targets[i];
    NodeExec& slot = results[i];
    slot.node = target.node;
    if (!target.target) {
      slot.error = target.problem;
      return;
    }
    try {
      slot.result = exec_in(cluster, *target.target, argv, timeout);
    } catch (const util::Error& e) {
      slot.error = e.what();
    }
  });
  return results;
}

} // namespace ops
