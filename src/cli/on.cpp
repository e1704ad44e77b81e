// `on`: set NB_Global.ipsec=true through the OVN NB leader, read it back, optionally wait.
#include "cli/app.hpp"
#include "cli/ipsec_switch.hpp"

#include <memory>

namespace cli {

void
register_on(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<SwitchOptions>();
  CLI::App* sub = root.add_subcommand("on", "Turn OVN IPsec on (NB_Global.ipsec=true) through the NB leader");
  add_switch_options(sub, *opt, /*on=*/true);
  sub->footer("Examples:\n  # Turn IPsec on and wait until every node has its tunnels\n  " + ctx.invoked_as +
              " on --wait\n\n  # ... and until IKE has installed the security associations\n  " + ctx.invoked_as +
              " on --wait-established --timeout 3m\n");
  sub->callback([opt, &ctx] { switch_ipsec(ctx, true, *opt); });
}

} // namespace cli
