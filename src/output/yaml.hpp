#pragma once
// YAML text of a JSON document, so -o yaml is the same model as -o json.

#include <nlohmann/json.hpp>

#include <string>

namespace output {

std::string to_yaml(const nlohmann::json& document);

} // namespace output
