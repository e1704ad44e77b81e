#pragma once
// The `verify` report: a summary line, then one row per node pair (table, wide), or the same as
// one json/yaml document.

#include "ipsec/verify_report.hpp"
#include "output/format.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace output {

nlohmann::json verify_to_json(const ipsec::VerifyReport& report);

// The report in `format`, ending with a newline.
std::string render_verify(const ipsec::VerifyReport& report, Format format);

} // namespace output
