// `on`: set NB_Global.ipsec=true through the OVN NB leader, read it back, optionally wait.
#include "cli/app.hpp"
#include "cli/help.hpp"
#include "cli/ipsec_switch.hpp"

#include <memory>

namespace cli {

void
register_on(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<SwitchOptions>();
  CLI::App* sub = root.add_subcommand("on", "Turn OVN IPsec on (NB_Global.ipsec=true) through the NB leader");
  add_switch_options(sub, *opt, /*on=*/true);
  set_examples(
      sub, ctx.invoked_as,
      {{"Turn IPsec on", "{cmd} on"},
       {"Turn IPsec on and wait until every node has its tunnels", "{cmd} on --wait"},
       {"... and until IKE has installed the security associations", "{cmd} on --wait-established --timeout 3m"},
       {"Kube-OVN >= 1.13 owns the flag: change it anyway (it is set again at the next controller start)",
        "{cmd} on --force"}});
  sub->callback([opt, &ctx] { switch_ipsec(ctx, true, *opt); });
}

} // namespace cli
