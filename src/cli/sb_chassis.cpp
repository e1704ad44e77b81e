#include "cli/sb_chassis.hpp"

#include "cli/nb_leader.hpp"
#include "ipsec/sb_chassis.hpp"
#include "ipsec/targets.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace cli {

std::vector<ipsec::Chassis>
read_sb_chassis(kube::Cluster& cluster, const AppContext& ctx, const std::string& ns,
                const std::vector<std::string>& nodes, std::chrono::milliseconds timeout)
{
  const auto skip = [&](const std::string& why) {
    ctx.log(1, fmt::format("chassis names: {}; asking each node for its system-id instead", why));
    return std::vector<ipsec::Chassis>{};
  };
  try {
    const auto leader =
        ipsec::pick_central_leader(cluster.list_pods(ns, std::string(ipsec::k_sb_leader_selector), ""));
    if (!leader) {
      return skip(fmt::format("no ready OVN SB leader in namespace {}", ns));
    }
    const auto sb = ipsec::parse_sb_chassis(central_command(cluster, *leader, ipsec::sb_chassis_command(), timeout));
    if (!sb) {
      return skip(fmt::format("unexpected output from ovn-sbctl in {}/{}", leader->ns, leader->pod));
    }
    auto chassis = ipsec::chassis_of_nodes(*sb, nodes);
    ctx.log(1, fmt::format("chassis names: {} of {} nodes from the Chassis table ({}/{})", chassis.size(),
                           nodes.size(), leader->ns, leader->pod));
    return chassis;
  } catch (const util::Error& e) {
    return skip(e.what());
  }
}

} // namespace cli
