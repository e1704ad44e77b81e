// `help [command...]`: the help of any command, as `kubectl help get` (cobra's help command).
#include "cli/app.hpp"
#include "cli/command_words.hpp"
#include "cli/help.hpp"
#include "util/error.hpp"

#include <memory>
#include <ostream>

namespace cli {

void
register_help(CLI::App& root, AppContext& ctx)
{
  auto topic = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = root.add_subcommand("help", "Help about any command");
  sub->add_option("command", *topic, "The command to describe, e.g. rotate ca");
  set_examples(sub, ctx.invoked_as,
               {{"What rotate ca does, its flags and examples", "{cmd} help rotate ca"},
                {"What tunnels shows and its flags", "{cmd} help tunnels"}});
  sub->callback([&root, &ctx, topic] {
    const auto words = read_command_words(root, *topic);
    if (!words.unknown_command.empty()) {
      ctx.err << unknown_command_message(words, ctx.invoked_as);
      throw util::ExitStatus(1);
    }
    ctx.out << help_of(words, ctx.invoked_as);
  });
}

} // namespace cli
