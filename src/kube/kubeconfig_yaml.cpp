// YAML 1.1 -> JSON with the scalar resolution of gopkg.in/yaml.v2 (what sigs.k8s.io/yaml, and so
// kubectl, uses). yaml-cpp only parses; every plain scalar is typed here, because the types
// decide kubectl's errors ("cannot unmarshal bool into ... of type string" for a context named y).

#include "kube/kubeconfig_parse.hpp"

#include "util/error.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>

namespace kube {
namespace {

using nlohmann::json;

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

int
digit_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return 99;
}

// strconv.ParseInt(s, 0, 64), falling back to ParseUint for large positive values.
std::optional<json>
parse_go_int(std::string_view s)
{
  bool negative = false;
  bool signed_text = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    signed_text = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : s) {
    const int d = digit_value(c);
    if (d >= base) {
      return std::nullopt;
    }
    const auto ubase = static_cast<std::uint64_t>(base);
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) / ubase) {
      return std::nullopt;
    }
    value = value * ubase + static_cast<std::uint64_t>(d);
  }
  constexpr auto k_max_int = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (value > k_max_int + 1) {
      return std::nullopt;
    }
    return value == k_max_int + 1 ? json(std::numeric_limits<std::int64_t>::min())
                                  : json(-static_cast<std::int64_t>(value));
  }
  if (value <= k_max_int) {
    return json(static_cast<std::int64_t>(value));
  }
  if (signed_text) {
    return std::nullopt; // ParseUint takes no sign
  }
  return json(value);
}

// yaml.v2's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool
is_yaml_float(std::string_view s)
{
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  } else {
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) {
        ++i;
      }
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  }
  return i == s.size();
}

// Go's strconv.ParseFloat fails only on overflow ("1e400"; yaml.v2 then keeps the scalar as a
// string); an underflow ("1e-400") is 0 or a subnormal without an error. strtod reports both
// as ERANGE, so the two are told apart by the result.
std::optional<json>
float_value(std::string_view s)
{
  const std::string text(s);
  errno = 0;
  const double d = std::strtod(text.c_str(), nullptr);
  if (errno == ERANGE && std::isinf(d)) {
    return std::nullopt;
  }
  // Go's json.Marshal writes integral floats without a fraction ("1e3" -> 1000).
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e18) {
    return json(static_cast<std::int64_t>(d));
  }
  return json(d);
}

std::optional<json>
lookup_special(std::string_view s)
{
  static const std::map<std::string_view, int> k_words = {
      {"y", 1},     {"Y", 1},     {"yes", 1},   {"Yes", 1},   {"YES", 1},   {"true", 1},  {"True", 1}, {"TRUE", 1},
      {"on", 1},    {"On", 1},    {"ON", 1},    {"n", 0},     {"N", 0},     {"no", 0},    {"No", 0},   {"NO", 0},
      {"false", 0}, {"False", 0}, {"FALSE", 0}, {"off", 0},   {"Off", 0},   {"OFF", 0},   {"", 2},     {"~", 2},
      {"null", 2},  {"Null", 2},  {"NULL", 2},  {".nan", 3},  {".NaN", 3},  {".NAN", 3},  {".inf", 4}, {".Inf", 4},
      {".INF", 4},  {"+.inf", 4}, {"+.Inf", 4}, {"+.INF", 4}, {"-.inf", 5}, {"-.Inf", 5}, {"-.INF", 5}};
  auto it = k_words.find(s);
  if (it == k_words.end()) {
    return std::nullopt;
  }
  switch (it->second) {
  case 0:
    return json(false);
  case 1:
    return json(true);
  case 2:
    return json(nullptr);
  case 3:
    return json(std::numeric_limits<double>::quiet_NaN());
  case 4:
    return json(std::numeric_limits<double>::infinity());
  default:
    return json(-std::numeric_limits<double>::infinity());
  }
}

// yaml.v2 resolve(): the first character picks which interpretations are tried.
json
resolve_plain(const std::string& s)
{
  const char hint = s.empty() ? 'N' : s[0];
  const bool may_be_special =
      s.empty() || std::string_view("yYnNtTfFoO~+-.0123456789").find(hint) != std::string_view::npos;
  if (!may_be_special) {
    return json(s);
  }
  if (auto special = lookup_special(s)) {
    return *special;
  }
  if (hint == '.') {
    if (is_yaml_float(s)) {
      if (auto number = float_value(s)) {
        return *number;
      }
    }
    return json(s);
  }
  if (hint == '+' || hint == '-' || is_digit(hint)) {
    std::string plain;
    plain.reserve(s.size());
    for (char c : s) {
      if (c != '_') {
        plain += c;
      }
    }
    if (auto number = parse_go_int(plain)) {
      return *number;
    }
    if (is_yaml_float(plain)) {
      if (auto number = float_value(plain)) {
        return *number;
      }
    }
  }
  return json(s);
}

json
scalar_value(const YAML::Node& node)
{
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "tag:yaml.org,2002:binary") {
    return json(node.Scalar()); // quoted or block scalars, and explicit strings, are never typed
  }
  return resolve_plain(node.Scalar());
}

// sigs.k8s.io/yaml turns non-string map keys into strings this way.
std::string
key_string(const YAML::Node& key)
{
  if (!key.IsScalar()) {
    if (key.IsNull()) {
      return "null";
    }
    throw util::Error("yaml: line " + std::to_string(key.Mark().line + 1) + ": unsupported map key");
  }
  const json value = scalar_value(key);
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_boolean()) {
    return value.get<bool>() ? "true" : "false";
  }
  if (value.is_null()) {
    return "null";
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isnan(d)) {
      return ".nan";
    }
    if (std::isinf(d)) {
      return d > 0 ? ".inf" : "-.inf";
    }
  }
  return value.dump();
}

void
check_finite(const json& value)
{
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isnan(d)) {
      throw util::Error("json: unsupported value: NaN");
    }
    if (std::isinf(d)) {
      throw util::Error(d > 0 ? "json: unsupported value: +Inf" : "json: unsupported value: -Inf");
    }
  }
}

json convert(const YAML::Node& node, int depth);

void
merge_into(json& object, const YAML::Node& source, int depth)
{
  if (source.IsMap()) {
    json merged = convert(source, depth + 1);
    for (auto& [key, value] : merged.items()) {
      object[key] = value;
    }
  } else if (source.IsSequence()) {
    for (const auto& item : source) {
      merge_into(object, item, depth + 1);
    }
  } else {
    throw util::Error("yaml: line " + std::to_string(source.Mark().line + 1) +
                      ": map merge requires map or sequence of maps as the value");
  }
}

json
convert(const YAML::Node& node, int depth)
{
  if (depth > 200) {
    throw util::Error("yaml: document nested too deeply"); // self-referencing aliases, hostile input
  }
  switch (node.Type()) {
  case YAML::NodeType::Scalar: {
    json value = scalar_value(node);
    check_finite(value);
    return value;
  }
  case YAML::NodeType::Sequence: {
    json array = json::array();
    for (const auto& item : node) {
      array.push_back(convert(item, depth + 1));
    }
    return array;
  }
  case YAML::NodeType::Map: {
    json object = json::object();
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && entry.first.Tag() == "?" && entry.first.Scalar() == "<<") {
        merge_into(object, entry.second, depth);
        continue;
      }
      object[key_string(entry.first)] = convert(entry.second, depth + 1); // a later duplicate wins
    }
    return object;
  }
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    break;
  }
  return json(nullptr);
}

} // namespace

bool
plain_scalar_stays_string(const std::string& text)
{
  return resolve_plain(text).is_string();
}

json
yaml_to_json(std::string_view text)
{
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw util::Error("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    return convert(root, 0);
  } catch (const YAML::Exception& e) {
    throw util::Error("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

} // namespace kube
