#include "output/yaml.hpp"

#include "util/strings.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

namespace output {

namespace {

// yaml-cpp 0.7 quotes strings only for syntax, so "true" or "1.5" would read back as a bool or
// a number; quote every string a YAML 1.1 reader would take as another type.
bool
reads_as_other_type(const std::string& text)
{
  static const std::set<std::string> k_words{"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""};
  if (k_words.count(util::to_lower(text)) != 0) {
    return true;
  }
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0';
}

void
emit(YAML::Emitter& out, const nlohmann::json& value)
{
  switch (value.type()) {
  case nlohmann::json::value_t::object:
    if (value.empty()) {
      out << YAML::Flow; // "{}" on the key's line, not a lone "{}" below it
    }
    out << YAML::BeginMap;
    for (const auto& [key, item] : value.items()) {
      out << YAML::Key << key << YAML::Value;
      emit(out, item);
    }
    out << YAML::EndMap;
    break;
  case nlohmann::json::value_t::array:
    if (value.empty()) {
      out << YAML::Flow;
    }
    out << YAML::BeginSeq;
    for (const auto& item : value) {
      emit(out, item);
    }
    out << YAML::EndSeq;
    break;
  case nlohmann::json::value_t::string:
    if (reads_as_other_type(value.get<std::string>())) {
      out << YAML::DoubleQuoted;
    }
    out << value.get<std::string>();
    break;
  case nlohmann::json::value_t::null:
    out << YAML::Null;
    break;
  default:
    out << value.dump(); // numbers and booleans print the same in both
    break;
  }
}

} // namespace

std::string
to_json_text(const nlohmann::json& document)
{
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string
to_yaml(const nlohmann::json& document)
{
  // Through the JSON text, so any invalid UTF-8 is replaced before yaml-cpp sees it.
  const auto valid = nlohmann::json::parse(document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  YAML::Emitter out;
  emit(out, valid);
  std::string text = out.c_str();
  text += '\n';
  return text;
}

} // namespace output
