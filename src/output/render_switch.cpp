#include "output/render_switch.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace output {

std::string
render_flip(const ipsec::FlipResult& result)
{
  const char* state = result.on ? "on" : "off";
  const char* word = result.on ? "true" : "false";
  const auto& leader = result.leader;
  switch (result.outcome) {
  case ipsec::FlipOutcome::turned_after_move:
    return fmt::format("IPsec turned {}: NB_Global.ipsec={}, set through {}/{} and read back through {}/{} "
                       "after the NB leader moved\n",
                       state, word, result.ns, result.set_through, leader.ns, leader.pod);
  case ipsec::FlipOutcome::is_after_move:
    return fmt::format("IPsec is {} (NB_Global.ipsec={}), read through {}/{} after the NB leader moved\n", state, word,
                       leader.ns, leader.pod);
  case ipsec::FlipOutcome::already:
    return fmt::format("IPsec is already {} (NB_Global.ipsec={}); nothing changed\n", state, word);
  case ipsec::FlipOutcome::turned:
    break;
  }
  return fmt::format("IPsec turned {}: NB_Global.ipsec={} (was {}), set through {}/{}\n", state, word,
                     result.was ? "true" : "false", leader.ns, leader.pod);
}

std::string
render_kube_ovn_switch(const ipsec::KubeOvnSwitch& result)
{
  const char* word = result.on ? "true" : "false";
  if (result.helm) {
    return fmt::format("Kube-OVN is installed with Helm (release {} in namespace {}): a change to its workloads would "
                       "be undone by the next helm upgrade, so nothing was changed. Turn IPsec {} with:\n  {}\n",
                       result.helm->name, result.helm->ns, result.on ? "on" : "off",
                       ipsec::helm_command(*result.helm, result.on));
  }
  std::vector<std::string> changed;
  std::vector<std::string> names;
  for (const auto& workload : result.workloads) {
    names.push_back(fmt::format("{}/{}", workload.kind == "DaemonSet" ? "daemonset" : "deployment", workload.name));
    if (workload.patched) {
      changed.push_back(
          fmt::format("{} (was {})", names.back(), workload.before ? (*workload.before ? "true" : "false") : "unset"));
    }
  }
  if (changed.empty()) {
    return fmt::format("IPsec is already {}: --enable-ovn-ipsec={} on {}; nothing changed\n", result.on ? "on" : "off",
                       word, fmt::join(names, " and "));
  }
  return fmt::format("IPsec turned {}: --enable-ovn-ipsec={} on {}; rolled out in {} s\n", result.on ? "on" : "off",
                     word, fmt::join(changed, " and "), result.rollout_seconds);
}

std::string
render_wait_done(const ipsec::WaitResult& result)
{
  return "done: " + result.summary + "\n";
}

std::string
render_wait_timeout(const ipsec::WaitResult& result, std::string_view timeout)
{
  std::string text;
  if (!result.monitor_down.empty()) {
    text = fmt::format("stopped waiting: ovs-monitor-ipsec is not running on {} ({} polls in a row), and {}; "
                       "{}; still pending:\n",
                       fmt::join(result.monitor_down, ", "), ipsec::k_monitor_down_polls,
                       result.layout_ovs_ovn
                           ? "nothing in a Kube-OVN v1.10-1.12 ovs-ovn pod starts it: `kubectl ko ipsec init` "
                             "starts the IPsec daemons there"
                           : "kube-ovn-cni starts it only with --enable-ovn-ipsec=true",
                       result.summary);
  } else {
    text = fmt::format("timed out after {}: {}; still pending:\n", timeout, result.summary);
  }
  for (const auto& line : result.pending) {
    text += "  " + line + "\n";
  }
  return text;
}

} // namespace output
