#pragma once
// Which Kube-OVN pods the plugin talks to, and with which commands. Pure: it reasons about
// pod lists the caller fetched; it does no I/O.
//
// Kube-OVN layouts (see the project README, "How it finds the pods"):
//  - <= 1.12: ovs-monitor-ipsec runs in the ovs-ovn DaemonSet pods (app=ovs, container openvswitch);
//  - >= 1.13: it runs in the kube-ovn-cni pods (app=kube-ovn-cni, container cni-server), and the
//    cni-server takes an --enable-ovn-ipsec flag.

#include "kube/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

inline constexpr std::string_view k_nb_leader_selector = "app=ovn-central,ovn-nb-leader=true";
inline constexpr std::string_view k_sb_leader_selector = "app=ovn-central,ovn-sb-leader=true";
inline constexpr std::string_view k_central_container = "ovn-central";
inline constexpr std::string_view k_ovs_selector = "app=ovs";
inline constexpr std::string_view k_ovs_container = "openvswitch";
inline constexpr std::string_view k_cni_selector = "app=kube-ovn-cni";
inline constexpr std::string_view k_cni_container = "cni-server";

enum class Layout { ovs_ovn, kube_ovn_cni };

// "ovs-ovn (Kube-OVN <= 1.12)" / "kube-ovn-cni (Kube-OVN >= 1.13)".
std::string describe(Layout layout);

struct PodTarget {
  std::string ns;
  std::string pod;
  std::string container;
  std::string node;
};

// The NB (or SB) leader: a Running, Ready, not terminating pod from the k_nb_leader_selector
// (k_sb_leader_selector) list whose name starts with "ovn-central" (as kubectl-ko does);
// nullopt when there is none.
std::optional<PodTarget> pick_central_leader(const std::vector<kube::Pod>& candidates);

// One line naming the pods seen and why none qualified, for the "no NB leader" error.
std::string describe_leader_candidates(const std::vector<kube::Pod>& candidates);

// >= 1.13 when any kube-ovn-cni pod's cni-server has an --enable-ovn-ipsec flag; else <= 1.12
// when ovs-ovn pods exist. With neither, kube_ovn_cni if cni pods exist, else ovs_ovn.
Layout detect_layout(const std::vector<kube::Pod>& cni_pods, const std::vector<kube::Pod>& ovs_pods);

// Per node: the pod where ovs-monitor-ipsec runs for `layout`, or why there is none.
struct NodeTarget {
  std::string node;
  std::optional<PodTarget> target;
  std::string problem; // "no kube-ovn-cni pod", "pod x is not ready (Pending)", ...
};

// One entry per node that has a Kube-OVN pod of either kind, sorted by node name; limited to
// `only_nodes` when not empty (a named node without pods gets an entry with a problem).
std::vector<NodeTarget> node_targets(Layout layout, const std::vector<kube::Pod>& ovs_pods,
                                     const std::vector<kube::Pod>& cni_pods,
                                     const std::vector<std::string>& only_nodes);

// `ovs-appctl -t ovs-monitor-ipsec tunnels/show`: the monitor's view of every IPsec tunnel.
std::vector<std::string> tunnels_show_command();
// Why a failed ovs-appctl call to the monitor failed, in one line ("ovs-monitor-ipsec is not
// running in this pod (...)" when its pidfile is missing).
std::string describe_monitor_failure(const kube::ExecResult& result);
inline constexpr std::string_view k_monitor_not_running = "ovs-monitor-ipsec is not running in this pod";

// The OVS chassis name (= OVN chassis name) of a node.
std::vector<std::string> system_id_command();
// The output of system_id_command(): `"8aebd9df-..."\n` → 8aebd9df-...; nullopt when it is not one.
std::optional<std::string> parse_system_id(std::string_view output);

} // namespace ipsec
