#include "output/output_options.hpp"

#include "output/yaml.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace output {

std::string
printer_name(Printer printer)
{
  switch (printer) {
  case Printer::table:
    return "table";
  case Printer::wide:
    return "wide";
  case Printer::json:
    return "json";
  case Printer::yaml:
    return "yaml";
  case Printer::name:
    return "name";
  case Printer::jsonpath:
    return "jsonpath";
  }
  return "";
}

Printer
printer_of(Format format)
{
  switch (format) {
  case Format::wide:
    return Printer::wide;
  case Format::json:
    return Printer::json;
  case Format::yaml:
    return Printer::yaml;
  case Format::table:
    break;
  }
  return Printer::table;
}

Format
OutputOptions::format() const
{
  switch (printer) {
  case Printer::table:
    return Format::table;
  case Printer::wide:
    return Format::wide;
  case Printer::yaml:
    return Format::yaml;
  case Printer::json:
  case Printer::name:
  case Printer::jsonpath:
    return Format::json;
  }
  return Format::table;
}

OutputOptions
parse_output(std::string_view text, const std::vector<Printer>& allowed, bool no_headers, std::string sort_by)
{
  OutputOptions options;
  std::string_view name = text;
  std::string_view argument;
  if (const size_t eq = text.find('='); eq != std::string_view::npos) {
    name = text.substr(0, eq);
    argument = text.substr(eq + 1);
  }
  bool found = false;
  for (const auto printer : allowed) {
    // "table" is the default's name here; kubectl has none, and "" means the default too.
    if (printer_name(printer) == name || (printer == Printer::table && name.empty())) {
      options.printer = printer;
      found = true;
    }
  }
  // Only jsonpath takes an argument (jsonpath=TEMPLATE); `-o jsonpath` alone has no template.
  if (found && (options.printer == Printer::jsonpath) != (text.find('=') != std::string_view::npos)) {
    if (options.printer == Printer::jsonpath) {
      throw util::UsageError("template format specified but no template given");
    }
    found = false;
  }
  if (!found) {
    std::vector<std::string> names;
    for (const auto printer : allowed) {
      if (printer != Printer::table) {
        names.push_back(printer_name(printer));
      }
    }
    std::sort(names.begin(), names.end());
    throw util::UsageError(
        fmt::format("unable to match a printer suitable for the output format \"{}\", allowed formats are: {}", text,
                    fmt::join(names, ",")));
  }
  if (options.printer == Printer::jsonpath) {
    options.jsonpath = std::make_shared<const JsonPathTemplate>(strip_template_quotes(argument));
  }
  // --no-headers with another printer is ignored, as kubectl does; --sort-by is refused rather
  // than leave a document unsorted that the user asked sorted.
  if (!sort_by.empty() && !options.is_table()) {
    throw util::UsageError(fmt::format("--sort-by sorts the table (-o wide too), not -o {}: sort the document "
                                       "with jq, or use -o jsonpath on it",
                                       printer_name(options.printer)));
  }
  options.table = {no_headers && options.is_table(), std::move(sort_by)};
  return options;
}

std::string
name_lines(std::string_view kind, const std::vector<std::string>& names)
{
  std::string out;
  for (const auto& name : names) {
    out += fmt::format("{}/{}\n", kind, name);
  }
  return out;
}

std::optional<std::string>
print_document(const OutputOptions& options, const std::function<nlohmann::json()>& document, std::string_view kind,
               const std::function<std::vector<std::string>()>& names)
{
  switch (options.printer) {
  case Printer::json:
    return to_json_text(document());
  case Printer::yaml:
    return to_yaml(document());
  case Printer::jsonpath:
    return options.jsonpath->execute(document());
  case Printer::name:
    return name_lines(kind, names());
  case Printer::table:
  case Printer::wide:
    break;
  }
  return std::nullopt;
}

} // namespace output
