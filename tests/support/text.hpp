#pragma once
// Small text checks the tests share: substring, count, the line that starts with a prefix.

#include <cstddef>
#include <string>

namespace testsupport {

// Whether `text` contains `part`; how many times it does (overlapping matches count).
bool contains(const std::string& text, const std::string& part);
size_t count(const std::string& text, const std::string& part);

// The first line of `text` that starts with `prefix` ("" when none).
std::string line_starting(const std::string& text, const std::string& prefix);

} // namespace testsupport
