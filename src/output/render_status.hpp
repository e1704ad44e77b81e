#pragma once
// The `status` report as one screen (header lines, a per-node table, a summary line), a wide
// table, or json/yaml (the same document, camelCase keys).

#include "ipsec/node_status.hpp"
#include "output/format.hpp"
#include "output/output_options.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace output {

nlohmann::json status_to_json(const ipsec::StatusReport& report);

// The report in `format`, ending with a newline.
std::string render_status(const ipsec::StatusReport& report, Format format);
// Also -o name ("node/<name>" lines), -o jsonpath, --no-headers (the table's rows alone) and
// --sort-by.
std::string render_status(const ipsec::StatusReport& report, const OutputOptions& options);

} // namespace output
