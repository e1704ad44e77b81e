#pragma once
// Help screens laid out as kubectl's (cobra's) are: "-o, --output string   Output format ...
// (default "table")", "Flags:", "Available Commands:", "help for <command>", with no CLI11 type
// names (UINT:INT in [1 - 500], BOOLEAN=true).

#include <CLI/CLI.hpp>

#include <memory>

namespace cli {

// The word after a flag that takes a value: string, int, float, strings (repeatable); none for a
// flag without a value.
std::string flag_type_word(const CLI::Option& option);

std::shared_ptr<CLI::Formatter> kubectl_formatter();

// After every command is registered: cobra's headings and "help for <command>" on every command.
void apply_kubectl_help(CLI::App& root);

} // namespace cli
