#include "cli/ipsec_switch.hpp"

#include "cli/collect_tunnels.hpp"
#include "cli/discovery.hpp"
#include "cli/nb_leader.hpp"
#include "ipsec/nb_flag.hpp"
#include "ipsec/targets.hpp"
#include "ipsec/wait_goal.hpp"
#include "kube/cluster.hpp"
#include "kube/errors.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <ostream>

namespace cli {

namespace {

using namespace std::chrono_literals;

// kubectl-ko waits up to 10 s for a leader; an election normally settles well within that.
constexpr int k_leader_attempts = 10;
constexpr auto k_wait_poll = 1s;

// Sets NB_Global.ipsec (reading the old value in the same transaction), then reads it back in a
// second exec: success is only ever reported from that read. When the leader changes under us
// (its pod is gone or refuses), the whole step is redone once against the new leader.
void
flip_flag(kube::Cluster& cluster, const AppContext& ctx, bool on, std::chrono::milliseconds timeout)
{
  const std::string ns = ctx.plugin_namespace();
  const char* word = on ? "true" : "false";
  std::string set_through;   // the pod a `set` went to before its leader failed, "" if none did
  for (int attempt = 1;; ++attempt) {
    const auto leader = find_leader(cluster, ctx, ns, k_leader_attempts);
    try {
      const bool was = swap_flag(cluster, leader, on, timeout);
      if (was == on && !set_through.empty()) {
        // The set landed before the old leader stepped down; the new one confirms it.
        ctx.out << fmt::format("IPsec turned {}: NB_Global.ipsec={}, set through {}/{} and read back through {}/{} "
                               "after the NB leader moved\n",
                               on ? "on" : "off", word, ns, set_through, leader.ns, leader.pod);
        return;
      }
      if (was == on && attempt > 1) {
        // The first get+set failed: it may or may not have landed, so claim neither.
        ctx.out << fmt::format("IPsec is {} (NB_Global.ipsec={}), read through {}/{} after the NB leader moved\n",
                               on ? "on" : "off", word, leader.ns, leader.pod);
        return;
      }
      if (was == on) {
        // Read in the transaction that would have changed it: it had the value, nothing was written.
        ctx.out << fmt::format("IPsec is already {} (NB_Global.ipsec={}); nothing changed\n", on ? "on" : "off", word);
        return;
      }
      set_through = leader.pod;
      if (read_flag(cluster, leader, timeout) != on) {
        throw util::Error(fmt::format("NB_Global.ipsec still reads {} after setting it through {}/{}",
                                      on ? "false" : "true", leader.ns, leader.pod));
      }
      ctx.out << fmt::format("IPsec turned {}: NB_Global.ipsec={} (was {}), set through {}/{}\n", on ? "on" : "off",
                             word, was ? "true" : "false", leader.ns, leader.pod);
      return;
    } catch (const util::Error& e) {
      if (attempt >= 2) {
        throw;
      }
      ctx.log(1, fmt::format("NB leader {} failed ({}); looking for the leader again", leader.pod, e.what()));
    }
  }
}

void
wait_for_nodes(kube::Cluster& cluster, const AppContext& ctx, ipsec::WaitGoal goal, const SwitchOptions& options)
{
  const auto deadline = std::chrono::steady_clock::now() + util::parse_duration(options.timeout, "--timeout");
  const std::string ns = ctx.plugin_namespace();
  while (true) {
    const auto found = discover_nodes(cluster, ns, {}, {});
    const auto report = collect_tunnels(cluster, found, {}, options.concurrency, options.exec_timeout);
    const auto pending = ipsec::pending_for(report, goal);
    const std::string summary = ipsec::progress_summary(report, pending, goal);
    if (ctx.err_is_terminal) {
      ctx.err << "\r\033[K" << summary << std::flush;
    }
    if (pending.empty()) {
      if (ctx.err_is_terminal) {
        ctx.err << "\n";
      }
      ctx.out << "done: " << summary << "\n";
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (ctx.err_is_terminal) {
        ctx.err << "\n";
      }
      ctx.err << fmt::format("timed out after {}: {}; still pending:\n", options.timeout, summary);
      for (const auto& line : pending) {
        ctx.err << "  " << line << "\n";
      }
      throw util::ExitStatus(1);
    }
    ctx.sleep(k_wait_poll);
  }
}

} // namespace

void
add_switch_options(CLI::App* sub, SwitchOptions& options, bool on)
{
  sub->add_flag("--force", options.force, "Change NB_Global.ipsec even where Kube-OVN's --enable-ovn-ipsec owns it");
  sub->add_flag("--wait", options.wait,
                on ? "Wait until every node has a CONFIGURED IPsec tunnel to every other node"
                   : "Wait until no node has an IPsec tunnel left");
  if (on) {
    sub->add_flag("--wait-established", options.wait_established,
                  "Wait until every tunnel also has its kernel security associations installed (implies --wait)");
  }
  sub->add_option("--timeout", options.timeout, "How long --wait waits (default 5m)");
  sub->add_option("--concurrency", options.concurrency, fmt::format("How many nodes --wait queries at once (default {})", k_default_concurrency))
      ->check(CLI::Range(1, 500));
}

void
switch_ipsec(const AppContext& ctx, bool on, const SwitchOptions& options)
{
  auto cluster = ctx.cluster();
  const std::string ns = ctx.plugin_namespace();
  const auto owner = flag_owner(*cluster, ns);
  if (owner && owner->value != on) {
    if (!options.force) {
      throw util::Error(ipsec::owned_flag_message(*owner, on, ns));
    }
    ctx.err << "warning: --force: kube-ovn-controller will set NB_Global.ipsec back to "
            << (owner->value ? "true" : "false") << " when it restarts\n";
  }
  flip_flag(*cluster, ctx, on, options.exec_timeout);
  if (options.wait || options.wait_established) {
    const auto goal = !on ? ipsec::WaitGoal::removed
                      : options.wait_established ? ipsec::WaitGoal::established
                                                 : ipsec::WaitGoal::configured;
    wait_for_nodes(*cluster, ctx, goal, options);
  }
}

} // namespace cli
