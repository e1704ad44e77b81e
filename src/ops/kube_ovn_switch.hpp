#pragma once
// `on`/`off` on Kube-OVN >= 1.13: --enable-ovn-ipsec on Deployment kube-ovn-controller and
// DaemonSet kube-ovn-cni, patched as the chart renders it, then both rollouts waited for.

#include "ipsec/kube_ovn_switch.hpp"
#include "ops/session.hpp"

#include <chrono>

namespace ops {

struct KubeOvnSwitchRequest {
  bool on = true;
  std::chrono::milliseconds rollout_timeout{std::chrono::minutes(5)};
};

// Helm-managed workloads: nothing is changed and the report carries the release (the command to
// run is ipsec::helm_command). Otherwise both workloads are patched (controller first: it signs
// the CSRs the new kube-ovn-cni pods make); when the second patch fails the first is undone.
// Progress lines go to session.err. Throws util::Error naming the workload and what failed, or
// when a rollout does not finish in time (the change then stays, and the message says so).
ipsec::KubeOvnSwitch switch_kube_ovn(const Session& session, const KubeOvnSwitchRequest& request);

} // namespace ops
