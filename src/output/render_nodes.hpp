#pragma once
// The `nodes` report as table, json or yaml text.

#include "ipsec/node_report.hpp"
#include "output/format.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace output {

nlohmann::json nodes_to_json(const ipsec::NodeReport& report);
std::string render_nodes(const ipsec::NodeReport& report, Format format);

} // namespace output
