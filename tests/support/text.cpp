#include "support/text.hpp"

#include <algorithm>

namespace testsupport {

bool
contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

size_t
count(const std::string& text, const std::string& part)
{
  size_t n = 0;
  for (size_t pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) {
    ++n;
  }
  return n;
}

std::string
line_starting(const std::string& text, const std::string& prefix)
{
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) {
      return line;
    }
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return "";
}

std::vector<std::string>
split_lines(const std::string& text)
{
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

} // namespace testsupport
