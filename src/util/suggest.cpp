#include "util/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace util {

namespace {

char
lower(char c)
{
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

} // namespace

size_t
edit_distance(std::string_view a, std::string_view b)
{
  // One row of the classic table at a time.
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string>
suggestions(std::string_view word, const std::vector<std::string>& candidates, size_t max_distance)
{
  std::vector<std::string> out;
  if (word.empty()) {
    return out;
  }
  for (const auto& candidate : candidates) {
    const bool prefix =
        candidate.size() > word.size() &&
        std::equal(word.begin(), word.end(), candidate.begin(), [](char x, char y) { return lower(x) == lower(y); });
    if (candidate != word && (prefix || edit_distance(word, candidate) <= max_distance)) {
      out.push_back(candidate);
    }
  }
  return out;
}

} // namespace util
