#pragma once
// URL pieces: percent-encoding of query values and path segments.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace util {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);
// "a=1&b=x%20y" from ordered pairs (values percent-encoded; keys are plain identifiers).
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

} // namespace util
