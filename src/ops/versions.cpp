#include "ops/versions.hpp"

#include "ipsec/targets.hpp"
#include "ipsec/versions.hpp"
#include "ops/discovery.hpp"
#include "ops/exec.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace ops {

namespace {

// One `--version` exec in `pod`, parsed by `parse`.
VersionPart
exec_version(const Session& session, const ipsec::PodTarget& pod, const std::vector<std::string>& command,
             std::optional<std::string> (*parse)(std::string_view), std::chrono::milliseconds timeout)
{
  const std::string where = fmt::format("{}/{}", pod.ns, pod.pod);
  try {
    const auto result = exec_in(session.cluster, pod, command, timeout);
    if (result.exit_code == 0) {
      if (auto version = parse(result.out)) {
        return {*version, where};
      }
    }
    return {"", fmt::format("unexpected answer from `{}` in {}", fmt::join(command, " "), where)};
  } catch (const util::Error& e) {
    return {"", e.what()};
  }
}

} // namespace

ClusterVersions
read_cluster_versions(const Session& session, std::chrono::milliseconds timeout)
{
  ClusterVersions out;
  const auto found = discover_nodes(session, {}, /*log_layout=*/false);
  const std::string tags = ipsec::image_tags(found.cni_pods, ipsec::k_cni_container);
  out.kube_ovn = tags.empty()
                     ? VersionPart{"", "no kube-ovn-cni pod with a tagged image"}
                     : VersionPart{tags, fmt::format("image tag of the kube-ovn-cni pods ({})", found.cni_pods.size())};
  const auto centrals = session.cluster.list_pods(session.ns, "app=ovn-central", "");
  if (const auto central = ipsec::pick_central_leader(centrals)) {
    out.ovn = exec_version(session, *central, ipsec::ovn_version_command(), ipsec::parse_ovn_version, timeout);
  } else {
    out.ovn = {"", fmt::format("no ready ovn-central pod in namespace {}", session.ns)};
  }
  out.openvswitch = {"", "no ready Kube-OVN node pod"};
  for (const auto& node : found.nodes) {
    if (node.target) {
      out.openvswitch =
          exec_version(session, *node.target, ipsec::ovs_version_command(), ipsec::parse_ovs_version, timeout);
      break;
    }
  }
  return out;
}

} // namespace ops
