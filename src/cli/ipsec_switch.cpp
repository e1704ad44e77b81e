#include "cli/ipsec_switch.hpp"

#include "cli/common_options.hpp"
#include "cli/session.hpp"
#include "ipsec/wait_goal.hpp"
#include "kube/cluster.hpp"
#include "ops/kube_ovn_switch.hpp"
#include "ops/nb_flag.hpp"
#include "ops/wait_goal.hpp"
#include "output/render_switch.hpp"
#include "util/deadline.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <ostream>
#include <utility>

namespace cli {

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
  sub->add_option("--timeout", options.timeout, "How long the whole command may take, --wait included (default 5m)");
  sub->add_option("--concurrency", options.concurrency, concurrency_help("How many nodes --wait queries at once"))
      ->check(CLI::Range(1, 500));
}

void
switch_ipsec(const AppContext& ctx, bool on, const SwitchOptions& options)
{
  const auto timeout = util::parse_duration(options.timeout, "--timeout");
  // --timeout bounds the whole command: each exec and retry of the flip gets what is left of it,
  // and so does --wait.
  ops::CommandDeadline deadline{timeout.count() > 0 ? util::Deadline::after(timeout) : util::Deadline::never(),
                                options.timeout};
  auto cluster = ctx.cluster(deadline.at, options.concurrency);
  const auto session = make_session(ctx, *cluster, std::move(deadline));
  // Kube-OVN >= 1.13 (its workloads carry --enable-ovn-ipsec): the flag there is the switch;
  // --force still flips NB_Global.ipsec alone (until kube-ovn-controller's next start).
  if (!options.force && ops::flag_owner(session.cluster, session.ns)) {
    const auto result = ops::switch_kube_ovn(session, {on, timeout});
    ctx.out << output::render_kube_ovn_switch(result);
    if (result.helm) {
      throw util::ExitStatus(1); // not switched: the user runs the helm command
    }
  } else {
    // Printed before any wait, so the result is on screen while the nodes follow.
    ctx.out << output::render_flip(ops::turn_ipsec(session, on, options.force, options.exec_timeout));
  }
  if (!options.wait && !options.wait_established) {
    return;
  }
  const auto goal = !on                        ? ipsec::WaitGoal::removed
                    : options.wait_established ? ipsec::WaitGoal::established
                                               : ipsec::WaitGoal::configured;
  const auto waited = ops::wait_for_nodes(session, goal, fanout_workers(options.concurrency), options.exec_timeout);
  if (!waited.reached) {
    ctx.err << output::render_wait_timeout(waited, options.timeout);
    throw util::ExitStatus(1);
  }
  ctx.out << output::render_wait_done(waited);
}

} // namespace cli
