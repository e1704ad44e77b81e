#pragma once
// -o json and -o yaml text of one document model. Strings come from pods (error messages,
// certificate subjects) and may hold invalid UTF-8: it stands as U+FFFD rather than failing
// the render with a json type_error.

#include <nlohmann/json.hpp>

#include <string>

namespace output {

std::string to_yaml(const nlohmann::json& document);

// Whether a YAML 1.1 or 1.2 reader would take `text` as a bool, null, number, date, merge key…
bool yaml_reads_as_other_type(const std::string& text);

// How to_yaml writes `text` as a value (valid UTF-8): plain, single- or double-quoted.
std::string yaml_scalar(const std::string& text);

// Indented JSON plus a newline.
std::string to_json_text(const nlohmann::json& document);

} // namespace output
