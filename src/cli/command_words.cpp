#include "cli/command_words.hpp"

#include "cli/help.hpp"
#include "util/suggest.hpp"

#include <fmt/format.h>

namespace cli {

namespace {

// The option `flag` names on `command` or a parent (they fall through), or null.
const CLI::Option*
find_flag(const CLI::App& command, const std::string& flag)
{
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    if (const CLI::Option* option = app->get_option_no_throw(flag)) {
      return option;
    }
  }
  return nullptr;
}

bool
takes_positionals(const CLI::App& command)
{
  return !command.get_options([](const CLI::Option* option) { return option->get_positional(); }).empty();
}

std::string
did_you_mean(const std::vector<std::string>& close)
{
  if (close.empty()) {
    return "";
  }
  std::string text = "\nDid you mean this?\n";
  for (const auto& word : close) {
    text += "\t" + word + "\n";
  }
  return text + "\n";
}

} // namespace

std::string
command_line(const CommandWords& words, const std::string& invoked_as)
{
  std::string line = invoked_as;
  for (const auto& name : words.path) {
    line += " " + name;
  }
  return line;
}

std::string
help_of(const CommandWords& words, const std::string& invoked_as)
{
  // The formatter directly: App::help() shows the command being run instead (`help` itself).
  return words.command->get_formatter()->make_help(words.command, command_line(words, invoked_as),
                                                   CLI::AppFormatMode::Normal);
}

bool
has_help_flag(const std::vector<std::string>& args)
{
  for (const auto& arg : args) {
    if (arg == "--") {
      return false;
    }
    if (arg == "-h" || arg == "--help" || arg == "--help-all") {
      return true;
    }
  }
  return false;
}

CommandWords
read_command_words(const CLI::App& root, const std::vector<std::string>& args)
{
  CommandWords words;
  words.command = &root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      break; // what follows is for the command itself
    }
    if (arg.size() > 1 && arg[0] == '-') {
      const bool is_long = arg.rfind("--", 0) == 0;
      const size_t eq = arg.find('=');
      // -ojson: a short flag with its value attached.
      const std::string name = is_long ? arg.substr(0, eq) : arg.substr(0, 2);
      const CLI::Option* option = find_flag(*words.command, name);
      if (option == nullptr) {
        if (words.unknown_flag.empty()) {
          words.unknown_flag = name;
        }
        // Its value, most likely (--nod node1): not a command.
        if (is_long && eq == std::string::npos && i + 1 < args.size() && args[i + 1].rfind('-', 0) != 0) {
          ++i;
        }
        continue;
      }
      const bool value_attached = is_long ? eq != std::string::npos : arg.size() > 2;
      if (!value_attached && option->get_expected_min() > 0 && i + 1 < args.size()) {
        ++i; // its value
      } else if (!value_attached && option->get_expected_max() > 0 && i + 1 < args.size() &&
                 (args[i + 1] == "true" || args[i + 1] == "false")) {
        ++i; // an optional boolean value (--insecure-skip-tls-verify false)
      }
      continue;
    }
    if (words.positionals || !words.unknown_command.empty()) {
      continue;
    }
    const CLI::App* sub = nullptr;
    for (const CLI::App* candidate : words.command->get_subcommands({})) {
      if (candidate->check_name(arg)) {
        sub = candidate;
      }
    }
    if (sub != nullptr) {
      words.command = sub;
      words.path.push_back(sub->get_name());
    } else if (takes_positionals(*words.command)) {
      words.positionals = true;
    } else {
      words.unknown_command = arg;
    }
  }
  return words;
}

std::vector<std::string>
visible_subcommands(const CLI::App& command)
{
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands({})) {
    if (is_shown(sub)) {
      names.push_back(sub->get_name());
    }
  }
  return names;
}

std::vector<std::string>
flag_names(const CLI::App& command)
{
  std::vector<std::string> names;
  for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* option : app->get_options()) {
      if (option->get_positional()) {
        continue;
      }
      for (const auto& name : option->get_lnames()) {
        names.push_back("--" + name);
      }
    }
  }
  return names;
}

std::string
unknown_command_message(const CommandWords& words, const std::string& invoked_as)
{
  const std::string line = command_line(words, invoked_as);
  return fmt::format("error: unknown command \"{}\" for \"{}\"\n{}Run '{} --help' for usage.\n", words.unknown_command,
                     line, did_you_mean(util::suggestions(words.unknown_command, visible_subcommands(*words.command))),
                     line);
}

std::string
unknown_flag_message(const CommandWords& words, const std::string& invoked_as)
{
  const std::string line = command_line(words, invoked_as);
  const auto close = words.unknown_flag.rfind("--", 0) == 0
                         ? util::suggestions(words.unknown_flag, flag_names(*words.command))
                         : std::vector<std::string>{};
  return fmt::format("error: unknown flag: {}\n{}See '{} --help' for usage.\n", words.unknown_flag, did_you_mean(close),
                     line);
}

} // namespace cli
