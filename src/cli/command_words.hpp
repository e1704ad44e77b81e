#pragma once
// What the words on a command line name, read before CLI11 parses them, so that mistakes get
// kubectl's answers: `unknown command "tunels" for "kubectl ko ipsec"` and `unknown flag: --nod`,
// each with "Did you mean this?", instead of CLI11's "A subcommand is required" or its list of
// unexpected words.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cli {

struct CommandWords {
  const CLI::App* command = nullptr; // the deepest command the words name
  std::vector<std::string> path;     // its names below the root: {"rotate", "ca"}
  std::string unknown_command;       // a word where `command` takes only subcommands
  std::string unknown_flag;          // a flag neither `command` nor a parent has ("--nod")
  bool positionals = false;          // words for `command` itself (completion's shell, help's topic)
};

CommandWords read_command_words(const CLI::App& root, const std::vector<std::string>& args);

// The commands below `command` a user is offered (hidden ones left out), in order.
std::vector<std::string> visible_subcommands(const CLI::App& command);

// Every flag name `command` and its parents take ("--node", "-o"), for suggestions.
std::vector<std::string> flag_names(const CLI::App& command);

// How the words' command is written: "kubectl ko ipsec rotate ca".
std::string command_line(const CommandWords& words, const std::string& invoked_as);

// The help of the words' command, as `<command> --help` prints it.
std::string help_of(const CommandWords& words, const std::string& invoked_as);

// Whether -h, --help or --help-all is among `args` (before a "--").
bool has_help_flag(const std::vector<std::string>& args);

// "error: unknown command ...": the message, the suggestions and where help is, as cobra words it.
std::string unknown_command_message(const CommandWords& words, const std::string& invoked_as);
std::string unknown_flag_message(const CommandWords& words, const std::string& invoked_as);

} // namespace cli
