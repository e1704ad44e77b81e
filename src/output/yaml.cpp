#include "output/yaml.hpp"

#include "util/strings.hpp"
#include "util/terminal_text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <regex>
#include <string_view>

namespace output {

namespace {

// YAML 1.1's bool and null words, "<<" and "=", in any case: at most five letters.
bool
is_special_word(const std::string& text)
{
  static constexpr std::string_view k_words[]{"true", "false", "yes", "no", "on", "off", "y",
                                              "n",    "null",  "~",   "",   "<<", "="};
  if (text.size() > 5) {
    return false;
  }
  std::array<char, 5> lower{};
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view word(lower.data(), text.size());
  return std::find(std::begin(k_words), std::end(k_words), word) != std::end(k_words);
}

// Whether k_number below could match: a date ("2001-12-14..."), or only letters, digits and
// _ : + - with one '.' at most. Most strings a pod prints that start with a digit are IP
// addresses, which the regex took a fifth of `tunnels -o yaml`'s CPU to refuse.
bool
may_read_as_number(const std::string& text)
{
  if (text.size() >= 5 && std::all_of(text.begin(), text.begin() + 4, util::is_ascii_digit) && text[4] == '-') {
    return true;
  }
  size_t dots = 0;
  for (const char c : text) {
    if (c == '.' ? ++dots > 1 : !(util::is_ascii_alnum(c) || c == '_' || c == ':' || c == '+' || c == '-')) {
      return false;
    }
  }
  return true;
}

// yaml-cpp 0.7 quotes strings only for syntax, so "true", "1_000" or "2001-12-14" would read back
// as a bool, a number or a date; quote every string a YAML 1.1 or 1.2 reader would resolve to
// another type (yaml.org/type: bool, null, int incl. 0b/0o/0x/sexagesimal/underscores, float incl.
// .inf/.nan, timestamp, merge `<<`, value `=`). Pod output is untrusted: it must read back as text.
bool
reads_as_other_type(const std::string& text)
{
  if (is_special_word(text)) {
    return true;
  }
  const char first = text[0];
  if (!(util::is_ascii_digit(first) || first == '-' || first == '+' || first == '.') || !may_read_as_number(text)) {
    return false;
  }
  static const std::regex k_number(
      "[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?"
      "|\\.[0-9_]+([eE][-+]?[0-9]+)?|\\.(inf|Inf|INF))|\\.(nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*");
  return std::regex_match(text, k_number);
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
    // Double-quoted, what the terminal filter escapes as \uXXXX reads back as the same character.
    if (reads_as_other_type(value.get<std::string>()) ||
        util::escape_for_terminal(value.get<std::string>()) != value.get<std::string>()) {
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

bool
yaml_reads_as_other_type(const std::string& text)
{
  return reads_as_other_type(text);
}

std::string
yaml_scalar(const std::string& text)
{
  YAML::Emitter out;
  emit(out, nlohmann::json(text));
  return out.c_str();
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
