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
// The first line of `text` (up to CR or LF), trimmed, cut to `max_len` bytes with "..." after:
// how a multi-line message from a pod or the API server is quoted in a one-line error.
std::string first_line(std::string_view text, size_t max_len = 200);
// Lower-cases ASCII letters.
std::string to_lower(std::string_view text);

} // namespace util
