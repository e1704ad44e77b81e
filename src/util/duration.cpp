#include "util/duration.hpp"

#include "util/error.hpp"

#include <fmt/format.h>

#include <cctype>

namespace util {

std::chrono::milliseconds
parse_duration(std::string_view text, std::string_view flag)
{
  const auto bad = [&] {
    return UsageError(fmt::format("invalid value \"{}\" for {}: use a duration such as 30s, 2m or 500ms", text, flag));
  };
  if (text.empty()) {
    throw bad();
  }
  bool all_digits = true;
  for (const char c : text) {
    all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  double total_ms = 0;
  if (all_digits) {
    if (text.size() > 9) {
      throw bad();
    }
    return std::chrono::seconds{std::stol(std::string(text))};
  }
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) != 0 || text[pos] == '.')) {
      ++pos;
    }
    if (start == pos || pos - start > 9) {
      throw bad();
    }
    const double number = std::stod(std::string(text.substr(start, pos - start)));
    start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])) != 0) {
      ++pos;
    }
    const std::string_view unit = text.substr(start, pos - start);
    if (unit == "ms") {
      total_ms += number;
    } else if (unit == "s") {
      total_ms += number * 1000;
    } else if (unit == "m") {
      total_ms += number * 60'000;
    } else if (unit == "h") {
      total_ms += number * 3'600'000;
    } else {
      throw bad();
    }
  }
  return std::chrono::milliseconds{static_cast<long long>(total_ms)};
}

std::string
format_duration(std::chrono::milliseconds duration)
{
  long long ms = duration.count();
  if (ms < 1000) {
    return fmt::format("{}ms", ms);
  }
  const long long hours = ms / 3'600'000;
  ms %= 3'600'000;
  const long long minutes = ms / 60'000;
  ms %= 60'000;
  std::string seconds = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
  while (seconds.back() == '0') {
    seconds.pop_back();
  }
  if (seconds.back() == '.') {
    seconds.pop_back();
  }
  seconds += 's';
  if (hours > 0) {
    return fmt::format("{}h{}m{}", hours, minutes, seconds);
  }
  return minutes > 0 ? fmt::format("{}m{}", minutes, seconds) : seconds;
}

} // namespace util
