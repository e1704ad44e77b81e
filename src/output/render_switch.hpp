#pragma once
// What `on`/`off` print: how NB_Global.ipsec was left, and how a --wait ended.

#include "ipsec/kube_ovn_switch.hpp"
#include "ipsec/nb_flag.hpp"
#include "ipsec/wait_goal.hpp"

#include <string>
#include <string_view>

namespace output {

// The one line on stdout after the flag was set or found set.
std::string render_flip(const ipsec::FlipResult& result);

// Kube-OVN >= 1.13: what happened to --enable-ovn-ipsec on its workloads, or, when Helm manages
// them, the helm command to run (nothing was changed).
std::string render_kube_ovn_switch(const ipsec::KubeOvnSwitch& result);

// "done: <summary>", on stdout, when every node reached the goal.
std::string render_wait_done(const ipsec::WaitResult& result);

// The block on stderr when the wait ran out of time: the summary and every pending line;
// `timeout` is --timeout as the user gave it.
std::string render_wait_timeout(const ipsec::WaitResult& result, std::string_view timeout);

} // namespace output
