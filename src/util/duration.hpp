#pragma once
// Durations as kubectl takes them: "0", "30" (seconds), "500ms", "30s", "1m", "1h", "1m30s".

#include <chrono>
#include <string>
#include <string_view>

namespace util {

// Throws UsageError naming `flag` when the text is not a duration.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view flag);

// A span of whole days for certificate windows: "30d", or a duration ("720h") rounded up to
// days. Throws UsageError naming `flag` otherwise (a bare number is refused: days or seconds?).
int parse_days(std::string_view text, std::string_view flag);

// Like Go's time.Duration.String() for whole milliseconds: "500ms", "2s", "1.5s", "2m0s", "1h0m0s".
std::string format_duration(std::chrono::milliseconds duration);

// How long something has run, for people: "12s", "1m05s", "1h02m".
std::string elapsed_text(std::chrono::steady_clock::duration elapsed);

} // namespace util
