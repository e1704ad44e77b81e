#pragma once
// NB_Global.ipsec: the one switch that makes ovn-controller put every tunnel under IPsec.
// Which commands read and set it, what their output means, and whether Kube-OVN owns it.

#include "ipsec/targets.hpp"
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
// The value of an --enable-ovn-ipsec argument: bare means true (Go's flag package); nullopt when
// `arg` is another flag.
std::optional<bool> flag_value(std::string_view arg);

struct FlagOwner {
  std::string pod; // the pod whose container carries the flag
  std::string container;
  bool value = false; // what the controller will set
};

// The first kube-ovn-controller (preferred) or kube-ovn-cni pod with an --enable-ovn-ipsec flag.
std::optional<FlagOwner> find_flag_owner(const std::vector<kube::Pod>& controller_pods,
                                         const std::vector<kube::Pod>& cni_pods);

// The refusal `on`/`off` print when Kube-OVN owns the flag and --force was not given.
std::string owned_flag_message(const FlagOwner& owner, bool wanted, std::string_view ns);

// How `on`/`off` left NB_Global.ipsec, as far as the NB leader's read-back says.
enum class FlipOutcome {
  already,           // it had the value: read in the transaction that would have changed it
  turned,            // set, then read back through the same leader
  turned_after_move, // set through a leader that then failed; the new leader reads the value
  is_after_move,     // the first get+set failed (landed or not); the new leader reads the value
};

struct FlipResult {
  bool on = false; // the value asked for
  FlipOutcome outcome = FlipOutcome::already;
  bool was = false;        // the value before the set (turned)
  std::string ns;          // Kube-OVN's namespace, where set_through ran
  std::string set_through; // the pod the set went to before its leader failed
  PodTarget leader;        // the leader that read the value last
};

} // namespace ipsec
