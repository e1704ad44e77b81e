#pragma once
// Small string helpers shared by every layer.

#include <string>
#include <string_view>
#include <vector>

namespace util {

// Splits on `sep`; keeps empty fields.
std::vector<std::string> split(std::string_view text, char sep);
std::string_view trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Lower-cases ASCII letters.
std::string to_lower(std::string_view text);

} // namespace util
