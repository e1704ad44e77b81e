// Hidden `__man`: prints kubectl-ko-ipsec(1) from the live command tree (the build's `man` target).
#include "build_info.hpp"
#include "cli/app.hpp"
#include "cli/man.hpp"

#include <ostream>

namespace cli {

void
register_man(CLI::App& root, AppContext& ctx)
{
  CLI::App* sub = root.add_subcommand("__man", "Print the man page (roff)");
  sub->group(""); // hidden: for packagers, not users
  sub->callback([&root, &ctx] { ctx.out << render_man_page(root, KOI_VERSION); });
}

} // namespace cli
