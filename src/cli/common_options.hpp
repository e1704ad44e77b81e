#pragma once
// Flags shared by the commands that read every node: --node, -o, --concurrency, --timeout.

#include "ops/discovery.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace cli {

struct NodeFanoutOptions {
  std::vector<std::string> nodes;
  std::string output = "table";
  size_t concurrency = ops::k_default_concurrency;
  std::string timeout = "20s";

  // --timeout as a duration (throws util::UsageError).
  std::chrono::milliseconds per_command_timeout() const;
};

// Adds the four flags to `sub`, bound to `options`; `formats` is the -o help text ("table|json|yaml").
// Without `node_option`, no --node: a command that must cover every node (rotate ca).
void add_node_fanout_options(CLI::App* sub, NodeFanoutOptions& options, const std::string& formats,
                             bool node_option = true);

} // namespace cli
