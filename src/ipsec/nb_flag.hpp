#pragma once
// NB_Global.ipsec: the one switch that makes ovn-controller put every tunnel under IPsec.
// Which commands read and set it, what their output means, and whether Kube-OVN owns it.

#include "kube/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

inline constexpr std::string_view k_controller_selector = "app=kube-ovn-controller";

// `ovn-nbctl get NB_Global . ipsec`.
std::vector<std::string> nb_get_ipsec_command();
// `ovn-nbctl get NB_Global . ipsec -- set NB_Global . ipsec=<on>`: one transaction that prints
// the value it replaces, so reading and changing the flag cost one exec and cannot interleave
// with another writer. Setting the value it already has writes nothing (the IDL drops it).
std::vector<std::string> nb_get_then_set_ipsec_command(bool on);

// "true\n" / "false\n" → the flag; nullopt for anything else.
std::optional<bool> parse_ipsec_flag(std::string_view output);

// Kube-OVN >= 1.13 sets NB_Global.ipsec from its --enable-ovn-ipsec flag whenever
// kube-ovn-controller starts, so a change made by hand is undone at the next restart.
struct FlagOwner {
  std::string pod;        // the pod whose container carries the flag
  std::string container;
  bool value = false;     // what the controller will set
};

// The first kube-ovn-controller (preferred) or kube-ovn-cni pod with an --enable-ovn-ipsec flag.
std::optional<FlagOwner> find_flag_owner(const std::vector<kube::Pod>& controller_pods,
                                         const std::vector<kube::Pod>& cni_pods);

// The refusal `on`/`off` print when Kube-OVN owns the flag and --force was not given.
std::string owned_flag_message(const FlagOwner& owner, bool wanted, std::string_view ns);

} // namespace ipsec
