#pragma once
// Help text in kubectl's style, defined once: every command's footer lists examples the way
// `kubectl <cmd> --help` does and points at the global flags; the man page reads them back.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cli {

struct Example {
  std::string comment; // one line, without the leading "# "
  std::string command; // "{cmd}" stands for how the plugin was invoked ("kubectl ko ipsec")
};

// Sets `sub`'s footer: an optional `note` paragraph, "Examples:" with each comment and command
// indented as kubectl does, then where the global flags are described.
void set_examples(CLI::App* sub, const std::string& invoked_as, const std::vector<Example>& examples,
                  const std::string& note = "");

// Whether `app` is offered to users: CLI11 hides what has an empty group (subcommands and
// options alike), so hidden helpers such as __man are left out of help, man and completion.
bool is_shown(const CLI::App* app);

// The examples of a footer written by set_examples, commands already expanded; {} when none.
std::vector<Example> examples_of(const CLI::App& sub);

} // namespace cli
