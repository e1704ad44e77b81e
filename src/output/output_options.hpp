#pragma once
// -o, --no-headers and --sort-by as kubectl reads them. -o is one of the printers a command
// offers: table (the default), wide, json, yaml, name, jsonpath=TEMPLATE. Renderers get the
// Format they render (json for name and jsonpath, which are made from the json document) and
// the TableStyle for their tables.

#include "output/format.hpp"
#include "output/jsonpath.hpp"
#include "output/table.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace output {

enum class Printer { table, wide, json, yaml, name, jsonpath };

struct OutputOptions {
  Printer printer = Printer::table;
  std::shared_ptr<const JsonPathTemplate> jsonpath; // Printer::jsonpath
  TableStyle table;

  // What a renderer renders: table, wide, json or yaml (json for name and jsonpath).
  Format format() const;
  bool is_table() const { return printer == Printer::table || printer == Printer::wide; }
};

// The printer that renders `format`.
Printer printer_of(Format format);

// The printers' names as -o takes them ("jsonpath" for jsonpath=TEMPLATE).
std::string printer_name(Printer printer);

// -o `text` (with --no-headers, --sort-by) for a command offering `allowed`. Throws
// util::UsageError in kubectl's words: `unable to match a printer suitable for the output format
// "x", allowed formats are: json,jsonpath,name,wide,yaml`; a bad template as JsonPathTemplate
// does; --sort-by with a printer that has no table (--no-headers there is ignored, as by kubectl).
OutputOptions parse_output(std::string_view text, const std::vector<Printer>& allowed, bool no_headers = false,
                           std::string sort_by = "");

// kubectl's `-o name` lines: "<kind>/<name>\n" for each name.
std::string name_lines(std::string_view kind, const std::vector<std::string>& names);

// What the printers made from a report's document print: json, yaml, jsonpath on `document()`,
// name from `kind` and `names()`; nullopt for the table and wide, which the caller renders.
std::optional<std::string> print_document(const OutputOptions& options, const std::function<nlohmann::json()>& document,
                                          std::string_view kind,
                                          const std::function<std::vector<std::string>()>& names);

} // namespace output
