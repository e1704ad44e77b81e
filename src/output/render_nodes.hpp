#pragma once
// The `nodes` report as table, json or yaml text.

#include "ipsec/node_report.hpp"
#include "output/format.hpp"
#include "output/output_options.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace output {

nlohmann::json nodes_to_json(const ipsec::NodeReport& report);
std::string render_nodes(const ipsec::NodeReport& report, Format format);
// Also -o name ("node/<name>" lines), -o jsonpath, --no-headers and --sort-by.
std::string render_nodes(const ipsec::NodeReport& report, const OutputOptions& options);

} // namespace output
