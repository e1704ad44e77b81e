// `off`: set NB_Global.ipsec=false through the OVN NB leader, read it back, optionally wait.
#include "cli/app.hpp"
#include "cli/help.hpp"
#include "cli/ipsec_switch.hpp"

#include <memory>

namespace cli {

void
register_off(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<SwitchOptions>();
  CLI::App* sub = root.add_subcommand("off", "Turn OVN IPsec off (NB_Global.ipsec=false) through the NB leader");
  add_switch_options(sub, *opt, /*on=*/false);
  set_examples(sub, ctx.invoked_as,
               {{"Turn IPsec off", "{cmd} off"},
                {"Turn IPsec off and wait until no node has an IPsec tunnel", "{cmd} off --wait --timeout 2m"}});
  sub->callback([opt, &ctx] { switch_ipsec(ctx, false, *opt); });
}

} // namespace cli
