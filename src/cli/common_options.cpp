#include "cli/common_options.hpp"

#include "util/duration.hpp"

#include <fmt/format.h>

namespace cli {

std::chrono::milliseconds
NodeFanoutOptions::per_command_timeout() const
{
  return util::parse_duration(timeout, "--timeout");
}

output::OutputOptions
NodeFanoutOptions::output_options() const
{
  return output::parse_output(output, printers, no_headers, sort_by);
}

std::string
concurrency_help(const std::string& what, size_t preset)
{
  if (preset > 0) {
    return fmt::format("{} (default {})", what, preset);
  }
  return fmt::format("{} (default: adapts, starting at {}, at most {}; halved on a 429, 5xx or slow answer)", what,
                     kube::k_exec_concurrency_initial, kube::k_exec_concurrency_cap);
}

CLI::Option*
add_output_option(CLI::App* sub, std::string& output, const std::vector<output::Printer>& printers)
{
  std::vector<std::string> names;
  for (const auto printer : printers) {
    if (printer != output::Printer::table) {
      names.push_back(output::printer_name(printer));
    }
  }
  // The type name carries the values for completion (cli/completion.cpp, member_values); the
  // check is parse_output's, in kubectl's words, when the command runs.
  return sub
      ->add_option("-o,--output", output,
                   fmt::format("Output format. One of: ({}){}", fmt::join(names, ", "),
                               std::find(names.begin(), names.end(), "jsonpath") != names.end()
                                   ? "; jsonpath=TEMPLATE as kubectl's, e.g. '{.nodes[*].node}'"
                                   : ""))
      ->type_name(fmt::format("TEXT:{{{}}}", fmt::join(names, ",")));
}

void
add_node_fanout_options(CLI::App* sub, NodeFanoutOptions& options, std::vector<output::Printer> printers,
                        bool node_option)
{
  if (node_option) {
    sub->add_option("--node", options.nodes, "Only this node; repeat for more");
  }
  options.printers = std::move(printers);
  add_output_option(sub, options.output, options.printers);
  sub->add_option("--concurrency", options.concurrency,
                  concurrency_help("How many nodes to query at once", options.concurrency))
      ->check(CLI::Range(1, 500));
  sub->add_option("--timeout", options.timeout, "Deadline for each command run in a node's pod (default 20s)");
}

void
add_listing_options(CLI::App* sub, NodeFanoutOptions& options)
{
  sub->add_flag("--no-headers", options.no_headers, "Print the table's rows without the column headings");
  sub->add_option("--sort-by", options.sort_by,
                  "Sort the table by this column: its heading or json field, e.g. STATE or '{.remoteNode}'");
}

} // namespace cli
