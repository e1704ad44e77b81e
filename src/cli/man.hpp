#pragma once
// The man page (roff, section 1), generated from the same command tree, descriptions, flags
// and examples as --help, so the two cannot drift apart.

#include <CLI/CLI.hpp>

#include <string>

namespace cli {

// kubectl-ko-ipsec(1) for the tree under `root` (whose name is how it is invoked), stamped
// with `version`. Hidden commands and options (empty group) are left out.
std::string render_man_page(const CLI::App& root, const std::string& version);

// Escapes text for roff: backslashes, hyphens (as \-) and a leading '.' or '\''.
std::string roff_escape(const std::string& text);

} // namespace cli
