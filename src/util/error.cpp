#include "util/error.hpp"

#include <cstring>

namespace util {

std::string
errno_text(int err)
{
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

} // namespace util
