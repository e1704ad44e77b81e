#pragma once
// -o/--output values, defined once.

#include <string>
#include <string_view>
#include <vector>

namespace output {

enum class Format { table, wide, json, yaml };

inline const std::vector<std::string> k_formats{"table", "wide", "json", "yaml"};

// Throws util::UsageError listing the valid values.
Format parse_format(std::string_view text);

} // namespace output
