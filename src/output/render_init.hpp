#pragma once
// What `init` did (or, with --dry-run, would do) per node, as a table or json/yaml.

#include "ipsec/init_plan.hpp"
#include "output/format.hpp"

#include <string>

namespace output {

std::string render_init(const ipsec::InitReport& report, Format format);

} // namespace output
