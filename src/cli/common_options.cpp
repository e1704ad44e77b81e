#include "cli/common_options.hpp"

#include "output/format.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>

namespace cli {

std::chrono::milliseconds
NodeFanoutOptions::per_command_timeout() const
{
  return util::parse_duration(timeout, "--timeout");
}

void
add_node_fanout_options(CLI::App* sub, NodeFanoutOptions& options, const std::string& formats, bool node_option)
{
  if (node_option) {
    sub->add_option("--node", options.nodes, "Only this node; repeat for more");
  }
  sub->add_option("-o,--output", options.output, "Output format: " + formats)->check(CLI::IsMember(output::k_formats));
  sub->add_option("--concurrency", options.concurrency,
                  fmt::format("How many nodes to query at once (default {})", options.concurrency))
      ->check(CLI::Range(1, 500));
  sub->add_option("--timeout", options.timeout, "Deadline for each command run in a node's pod (default 20s)");
}

} // namespace cli
