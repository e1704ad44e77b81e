#pragma once
// `on`/`off` on Kube-OVN >= 1.13: the real switch is --enable-ovn-ipsec on Deployment
// kube-ovn-controller and DaemonSet kube-ovn-cni (the controller sets NB_Global.ipsec from it at
// every start, so flipping NB alone is undone). Pure: workloads in, JSON patches and verdicts out.
// Facts: kubeovn/kube-ovn v1.13-v1.16 charts/kube-ovn (templates/controller-deploy.yaml,
// ovncni-ds.yaml: `--enable-ovn-ipsec={{ .Values.func.ENABLE_OVN_IPSEC }}` on both, and with
// true a hostPath volume OVN_IPSEC_KEY_DIR (default /etc/origin/ovs_ipsec_keys) mounted at
// /etc/ovs_ipsec_keys in cni-server); the v2 chart's value is features.enableOvnIpsec.

#include "kube/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

struct WorkloadRef {
  std::string_view kind;      // "Deployment" / "DaemonSet"
  std::string_view name;      // in Kube-OVN's namespace
  std::string_view container; // the one carrying the flag
};
inline constexpr WorkloadRef k_controller_workload{"Deployment", "kube-ovn-controller", "kube-ovn-controller"};
inline constexpr WorkloadRef k_cni_workload{"DaemonSet", "kube-ovn-cni", "cni-server"};

inline constexpr std::string_view k_keys_volume = "ovs-ipsec-keys";
inline constexpr std::string_view k_keys_host_path = "/etc/origin/ovs_ipsec_keys";
inline constexpr std::string_view k_keys_mount_path = "/etc/ovs_ipsec_keys";

// The Helm release that owns a workload (label app.kubernetes.io/managed-by=Helm, annotations
// meta.helm.sh/release-name and -namespace, label helm.sh/chart "<chart>-<version>").
struct HelmRelease {
  std::string name;
  std::string ns;
  std::string chart;   // "kube-ovn", "kube-ovn-v2"; "" when the label is missing
  std::string version; // "v1.14.10"; "" when unknown
};
std::optional<HelmRelease> helm_release(const kube::Workload& workload);

// `helm upgrade <release> kubeovn/<chart> -n <ns> [--version V] --reuse-values --set <value>=<on>`.
std::string helm_command(const HelmRelease& release, bool on);

// --enable-ovn-ipsec in `container`'s args (bare means true, as Go's flag package reads it);
// nullopt when the container or the flag is absent.
std::optional<bool> workload_flag(const kube::Workload& workload, std::string_view container);

// An RFC 6902 patch (JSON text) setting the flag to `on` in `container` as the chart renders it:
// the args replaced after a `test` that they are still what was read (a concurrent change makes
// it fail and change nothing); with `keys_volume` (kube-ovn-cni) the key directory's volume and
// mount added for true and removed for false. "" when the workload already is that way.
std::string flag_patch(const kube::Workload& workload, std::string_view container, bool on, bool keys_volume);

// Rolled out: the controller saw the newest spec and every replica runs it and is available.
bool rollout_complete(const kube::Workload& workload);
// "kube-ovn-cni: 2/3 updated, 1/3 available".
std::string rollout_progress(const kube::Workload& workload);

// What `on`/`off` did on Kube-OVN >= 1.13.
struct WorkloadChange {
  std::string kind;
  std::string name;
  std::optional<bool> before; // the flag as read
  bool patched = false;
};
struct KubeOvnSwitch {
  bool on = false;
  std::optional<HelmRelease> helm; // set: nothing was changed, helm_command says what to run
  std::vector<WorkloadChange> workloads;
  bool rolled_out = false;
  long rollout_seconds = 0;
};

} // namespace ipsec
