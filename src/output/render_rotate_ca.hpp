#pragma once
// `rotate ca`'s report: the plan before the run, each step as it ends (table), and the whole
// report as json/yaml at the end.

#include "ipsec/ca_rotation.hpp"
#include "output/format.hpp"

#include <string>

namespace output {

// Table: what the run does (or, with --dry-run, would do), before any step.
std::string render_ca_plan(const ipsec::CaRotationReport& report);
// Table: report.steps[index] as it ended.
std::string render_ca_step(const ipsec::CaRotationReport& report, size_t index);
// Table: the closing line. json/yaml: the whole report.
std::string render_ca_end(const ipsec::CaRotationReport& report, Format format);

} // namespace output
