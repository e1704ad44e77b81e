#include "ops/sb_chassis.hpp"

#include "ipsec/sb_chassis.hpp"
#include "ipsec/targets.hpp"
#include "ops/exec.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace ops {

std::vector<ipsec::Chassis>
read_sb_chassis(const Session& session, const std::vector<std::string>& nodes, std::chrono::milliseconds timeout)
{
  const std::string& ns = session.ns;
  const auto skip = [&](const std::string& why) {
    session.log(1, fmt::format("chassis names: {}; asking each node for its system-id instead", why));
    return std::vector<ipsec::Chassis>{};
  };
  try {
    const auto leader =
        ipsec::pick_central_leader(session.cluster.list_pods(ns, std::string(ipsec::k_sb_leader_selector), ""));
    if (!leader) {
      return skip(fmt::format("no ready OVN SB leader in namespace {}", ns));
    }
    const auto sb = ipsec::parse_sb_chassis(
        checked_output(session.cluster, *leader, ipsec::sb_chassis_command(), timeout, Wording::command));
    if (!sb) {
      return skip(fmt::format("unexpected output from ovn-sbctl in {}/{}", leader->ns, leader->pod));
    }
    auto chassis = ipsec::chassis_of_nodes(*sb, nodes);
    session.log(1, fmt::format("chassis names: {} of {} nodes from the Chassis table ({}/{})", chassis.size(),
                               nodes.size(), leader->ns, leader->pod));
    return chassis;
  } catch (const util::Error& e) {
    return skip(e.what());
  }
}

std::vector<ipsec::Chassis>
read_annotated_chassis(const Session& session, const std::set<std::string>& named)
{
  try {
    auto chassis = ipsec::chassis_from_annotations(session.cluster.list_nodes(), named);
    session.log(1, fmt::format("chassis names: {} more from the Nodes' {} annotation", chassis.size(),
                               ipsec::k_chassis_annotation));
    return chassis;
  } catch (const util::Error& e) {
    session.log(1, fmt::format("chassis names: cannot list Nodes ({}); those nodes stay unnamed", e.what()));
    return {};
  }
}

} // namespace ops
