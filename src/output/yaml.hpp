#pragma once
// -o json and -o yaml text of one document model. Strings come from pods (error messages,
// certificate subjects) and may hold invalid UTF-8: it stands as U+FFFD rather than failing
// the render with a json type_error.

#include <nlohmann/json.hpp>

#include <string>

namespace output {

std::string to_yaml(const nlohmann::json& document);

// Indented JSON plus a newline.
std::string to_json_text(const nlohmann::json& document);

} // namespace output
