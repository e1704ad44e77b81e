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
