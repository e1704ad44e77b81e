#pragma once
// Flags shared by the commands that read every node: --node, -o, --concurrency, --timeout; and
// the listing commands' --no-headers and --sort-by.

#include "ops/discovery.hpp"
#include "output/output_options.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace cli {

// Threads of a fan-out for --concurrency `concurrency`: that many, or (0: not given) as many as
// the adaptive exec limit may admit.
inline size_t
fanout_workers(size_t concurrency)
{
  return concurrency > 0 ? concurrency : ops::k_default_concurrency;
}

struct NodeFanoutOptions {
  std::vector<std::string> nodes;
  std::string output;
  bool no_headers = false;
  std::string sort_by;
  std::vector<output::Printer> printers; // what -o offers
  size_t concurrency = 0;                // --concurrency; 0: adaptive (kube/exec_limit.hpp)
  std::string timeout = "20s";

  size_t workers() const { return fanout_workers(concurrency); }
  // --timeout as a duration (throws util::UsageError).
  std::chrono::milliseconds per_command_timeout() const;
  // -o, --no-headers and --sort-by (throws util::UsageError in kubectl's words).
  output::OutputOptions output_options() const;
};

// --concurrency's help: what the default does (adapting, unless the command presets a number).
std::string concurrency_help(const std::string& what, size_t preset = 0);

// Adds --node, -o, --concurrency and --timeout to `sub`, bound to `options`; -o offers
// `printers` (the table always). Without `node_option`, no --node: a command that must cover
// every node (rotate ca).
void add_node_fanout_options(CLI::App* sub, NodeFanoutOptions& options, std::vector<output::Printer> printers,
                             bool node_option = true);

// Adds --no-headers and --sort-by (a listing's table).
void add_listing_options(CLI::App* sub, NodeFanoutOptions& options);

// -o's flag: "Output format. One of: (json, yaml, wide)", its values completed from `printers`.
CLI::Option* add_output_option(CLI::App* sub, std::string& output, const std::vector<output::Printer>& printers);

} // namespace cli
