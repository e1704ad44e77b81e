#pragma once
// Small text checks the tests share: substring, count, the line that starts with a prefix.

#include <cstddef>
#include <string>
#include <vector>

namespace testsupport {

// Whether `text` contains `part`; how many times it does (overlapping matches count).
bool contains(const std::string& text, const std::string& part);
size_t count(const std::string& text, const std::string& part);

// The first line of `text` that starts with `prefix` ("" when none).
std::string line_starting(const std::string& text, const std::string& prefix);
// The lines of `text`, without their '\n' (a last line without one counts too).
std::vector<std::string> split_lines(const std::string& text);

} // namespace testsupport
