#pragma once
// Shell completion in cobra's "__complete" protocol (what kubectl >= 1.26 expects from a
// kubectl_complete-<plugin> program): one candidate per line, an optional TAB and description,
// and a last line ":<directive>". The engine walks the CLI11 command tree, so a new subcommand
// or flag completes without being listed here. Pure: values from the cluster come in through
// CompletionSources.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cli {

// cobra's ShellCompDirective bits (cobra completions.go; kubectl completion bash, lines 77-82).
namespace directive {
constexpr int k_default = 0;
constexpr int k_error = 1;
constexpr int k_no_space = 2;
constexpr int k_no_file_comp = 4;
constexpr int k_filter_file_ext = 8;
constexpr int k_filter_dirs = 16;
constexpr int k_keep_order = 32;
} // namespace directive

struct Candidate {
  std::string value;
  std::string description; // "" for none
};

struct Completion {
  std::vector<Candidate> candidates;
  int directive = directive::k_no_file_comp;
};

// Where a flag's value comes from when its own check (CLI::IsMember) does not list the values.
enum class ValueSource { none, files, nodes, contexts, clusters, users };

// The source for a flag, by its long name: --node -> nodes, --context -> contexts,
// --kubeconfig/--certificate-authority/--client-certificate/--client-key -> files, ...
ValueSource value_source(const CLI::Option& option);

// The values a flag accepts when it has a CLI::IsMember check ("{table,wide}" -> table, wide).
std::vector<std::string> member_values(const CLI::Option& option);

// Names (with an optional description) for a dynamic source. `given` holds every flag already
// typed on the line with its value, so a lookup can honour --context, --kubeconfig, -n...
using CompletionSources = std::function<std::vector<Candidate>(
    ValueSource source, const std::vector<std::pair<CLI::Option*, std::string>>& given)>;

// Completes `words` (the arguments after the plugin name; the last one is the word under the
// cursor, "" after a space) against the tree under `root`. Candidates are filtered by prefix.
Completion complete_words(CLI::App& root, const std::vector<std::string>& words, const CompletionSources& sources);

// The protocol text: "value\tdescription" lines (descriptions dropped when `descriptions` is
// false, TABs and newlines in them flattened) and the final ":<directive>" line.
std::string format_completion(const Completion& completion, bool descriptions);

} // namespace cli
