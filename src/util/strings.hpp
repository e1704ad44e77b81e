#pragma once
// Small string helpers shared by every layer.

#include <string>
#include <string_view>
#include <vector>

namespace util {

// Splits on `sep`; keeps empty fields.
std::vector<std::string> split(std::string_view text, char sep);

// `text` without leading and trailing ASCII whitespace.
inline std::string_view
trim(std::string_view text)
{
  // std::isspace's "C" locale set, without a locale lookup per byte; inline because the
  // tunnels/show parser calls it on every line (25 million at 1,000 nodes).
  const auto is_space = [](char c) {
    return static_cast<unsigned char>(c) <= ' ' &&
           (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v');
  };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}
bool starts_with(std::string_view text, std::string_view prefix);
// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// The first line of `text` (up to CR or LF), trimmed, cut to `max_len` bytes with "..." after:
// how a multi-line message from a pod or the API server is quoted in a one-line error.
std::string first_line(std::string_view text, size_t max_len = 200);
// Lower-cases ASCII letters.
std::string to_lower(std::string_view text);

// std::isalnum and std::isdigit of the "C" locale, without a call and a locale lookup per byte
// (the YAML writer asks for every byte of a million tunnels' strings).
constexpr bool
is_ascii_digit(char c)
{
  return c >= '0' && c <= '9';
}
constexpr bool
is_ascii_alnum(char c)
{
  return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

} // namespace util
