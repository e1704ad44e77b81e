#include "output/format.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace output {

Format
parse_format(std::string_view text)
{
  if (text == "table" || text.empty()) {
    return Format::table;
  }
  if (text == "wide") {
    return Format::wide;
  }
  if (text == "json") {
    return Format::json;
  }
  if (text == "yaml") {
    return Format::yaml;
  }
  throw util::UsageError(fmt::format("unknown output format \"{}\": use one of {}", text, util::join(k_formats, ", ")));
}

} // namespace output
