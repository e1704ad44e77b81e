#include "util/strings.hpp"

#include <cctype>

namespace util {

std::vector<std::string>
split(std::string_view text, char sep)
{
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

bool
starts_with(std::string_view text, std::string_view prefix)
{
  return text.substr(0, prefix.size()) == prefix;
}

std::string
join(const std::vector<std::string>& parts, std::string_view sep)
{
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

std::string
to_lower(std::string_view text)
{
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string
first_line(std::string_view text, size_t max_len)
{
  std::string line(trim(text.substr(0, text.find_first_of("\r\n"))));
  if (line.size() > max_len) {
    line = line.substr(0, max_len) + "...";
  }
  return line;
}

} // namespace util
