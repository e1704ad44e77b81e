// `completion bash|zsh|fish|kubectl` prints a script; the hidden `__complete` answers shells.
#include "cli/app.hpp"
#include "cli/completion_scripts.hpp"
#include "cli/completion_sources.hpp"
#include "cli/help.hpp"

#include <memory>
#include <ostream>

namespace cli {

bool
is_completion_request(const std::vector<std::string>& args)
{
  return !args.empty() && (args[0] == "__complete" || args[0] == "__completeNoDesc");
}

int
answer_completion(CLI::App& root, AppContext& ctx, const std::vector<std::string>& args)
{
  const bool descriptions = args.at(0) == "__complete";
  const std::vector<std::string> words(args.begin() + 1, args.end());
  try {
    const auto sources = make_completion_sources(ctx, k_completion_cluster_limit);
    ctx.out << format_completion(complete_words(root, words, sources), descriptions);
  } catch (const std::exception&) {
    // A shell must never show a crash; kubectl and the scripts read ":1" as "no completion".
    ctx.out << format_completion({{}, directive::k_error}, false);
  }
  return 0;
}

void
register_completion(CLI::App& root, AppContext& ctx)
{
  auto shell = std::make_shared<std::string>();
  CLI::App* sub = root.add_subcommand("completion",
                                      "Print a shell completion script (bash, zsh, fish) or kubectl's completion hook");
  sub->add_option("shell", *shell, "bash, zsh, fish, or kubectl for the kubectl_complete program")
      ->required()
      ->check(CLI::IsMember(completion_shells()));
  const std::string completer = completer_file_name(ctx.invoked_as);
  set_examples(
      sub, ctx.invoked_as,
      {
          {"kubectl >= 1.26 with its own completion loaded (any shell): install the hook on PATH",
           "{cmd} completion kubectl > ~/.local/bin/" + completer + " && chmod +x ~/.local/bin/" + completer},
          {"bash: complete " + plugin_file_name(ctx.invoked_as) + " run directly", "source <({cmd} completion bash)"},
          {"zsh (after compinit)", "source <({cmd} completion zsh)"},
          {"fish", "{cmd} completion fish > ~/.config/fish/completions/kubectl-ko-ipsec.fish"},
      });
  sub->callback([shell, &ctx] { ctx.out << completion_script(*shell, ctx.invoked_as); });
}

} // namespace cli
