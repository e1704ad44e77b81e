#include "cli/app.hpp"

#include "cli/command_words.hpp"
#include "cli/completion_sources.hpp"
#include "util/error.hpp"
#include "util/terminal_text.hpp"

#include <algorithm>
#include <csignal>
#include <ostream>

namespace cli {

std::string
invocation_name(std::string_view argv0)
{
  const size_t slash = argv0.find_last_of('/');
  std::string base(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
  if (base.rfind("kubectl-", 0) != 0) {
    return "kubectl ko ipsec"; // run by another name (a test, a copy): say how users normally call it
  }
  // kubectl maps '-' in the file name to word boundaries and '_' to '-' (see kubectl plugin docs).
  std::string words = "kubectl " + base.substr(8);
  std::replace(words.begin() + 8, words.end(), '-', ' ');
  std::replace(words.begin() + 8, words.end(), '_', '-');
  return words;
}

int
run(const std::vector<std::string>& args, AppContext& ctx)
{
  // A peer that resets the connection must become an error on the write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Pods, API servers and names are untrusted: nothing they say may drive the terminal.
  const util::TerminalSafeScope safe_out(ctx.out);
  const util::TerminalSafeScope safe_err(ctx.err);

  CLI::App app;
  // Where usage errors point: the command the words named ("kubectl ko ipsec rotate ca").
  std::string usage_of = ctx.invoked_as;
  try {
    build_app(app, ctx);
    if (is_completion_request(args)) { // cobra's protocol, answered before CLI11 sees the words
      return answer_completion(app, ctx, args);
    }
    // kubectl users write "-v=6" and "-n=kube-system"; CLI11 takes "=" only after long names.
    std::vector<std::string> normalized;
    for (const auto& arg : args) {
      if (arg.size() > 3 && arg[0] == '-' && arg[1] != '-' && arg[2] == '=') {
        normalized.push_back(arg.substr(0, 2));
        normalized.push_back(arg.substr(3));
      } else {
        normalized.push_back(arg);
      }
    }
    const auto words = read_command_words(app, normalized);
    usage_of = command_line(words, ctx.invoked_as);
    if (!words.unknown_command.empty()) {
      ctx.err << unknown_command_message(words, ctx.invoked_as);
      return 1;
    }
    if (!words.unknown_flag.empty()) {
      ctx.err << unknown_flag_message(words, ctx.invoked_as);
      return 1;
    }
    // A command group named alone (`kubectl ko ipsec`, `rotate`, `config`) shows its help, as
    // kubectl does.
    if (words.command->get_require_subcommand_min() > 0 && !has_help_flag(normalized)) {
      ctx.out << help_of(words, ctx.invoked_as);
      return 0;
    }
    std::vector<std::string> reversed(normalized.rbegin(), normalized.rend()); // CLI11 takes them back to front
    app.parse(reversed);
    return 0;
  } catch (const CLI::CallForHelp&) {
    ctx.out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    ctx.out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 1, as kubectl's do.
    ctx.err << "error: " << e.what() << "\nSee '" << usage_of << " --help' for usage.\n";
    return 1;
  } catch (const util::ExitStatus& e) {
    return e.code();
  } catch (const util::UsageError& e) {
    ctx.err << "error: " << e.what() << "\nSee '" << usage_of << " --help' for usage.\n";
    return 1;
  } catch (const util::Error& e) {
    ctx.err << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    ctx.err << "error: internal: " << e.what() << "\n";
    return 1;
  }
}

} // namespace cli
