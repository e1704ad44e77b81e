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

int
parse_days(std::string_view text, std::string_view flag)
{
  const auto bad = [&] {
    return UsageError(
        fmt::format("invalid value \"{}\" for {}: use days such as 30d (or hours such as 720h)", text, flag));
  };
  if (text.size() >= 2 && text.back() == 'd') {
    const std::string_view digits = text.substr(0, text.size() - 1);
    if (digits.size() > 5) {
      throw bad();
    }
    int days = 0;
    for (const char c : digits) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
        throw bad();
      }
      days = days * 10 + (c - '0');
    }
    return days;
  }
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.back())) != 0) {
    throw bad();
  }
  std::chrono::milliseconds span{0};
  try {
    span = parse_duration(text, flag);
  } catch (const UsageError&) {
    throw bad();
  }
  constexpr long long k_day_ms = 24LL * 3'600'000;
  const long long days = (span.count() + k_day_ms - 1) / k_day_ms;
  if (days > 99'999) {
    throw bad();
  }
  return static_cast<int>(days);
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

std::string
elapsed_text(std::chrono::steady_clock::duration elapsed)
{
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  if (seconds < 60) {
    return fmt::format("{}s", seconds);
  }
  if (seconds < 3600) {
    return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  }
  return fmt::format("{}h{:02}m", seconds / 3600, seconds % 3600 / 60);
}

} // namespace util
