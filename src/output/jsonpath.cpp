#include "output/jsonpath.hpp"

#include "util/error.hpp"

#include <fmt/format.h>

#include <cctype>
#include <optional>

namespace output {

// Named, not anonymous: JsonPathTemplate::Node holds a Path.
namespace jsonpath_impl {

using Values = std::vector<const nlohmann::json*>;

// One step of a path: .name / ['name'], [n] / [a:b] / [*], ..name, [?(filter)].
struct Step {
  enum class Kind { field, recursive, index, slice, wildcard, filter };
  Kind kind = Kind::field;
  std::string name;                          // field, recursive
  long long index = 0;                       // index
  std::optional<long long> start, end;       // slice
  std::vector<Step> filter_path;             // filter: the path after @
  std::string op;                            // filter: "", ==, !=, <, <=, >, >=
  std::optional<nlohmann::json> filter_with; // filter: the literal compared with
};

struct Path {
  bool from_root = false; // `$`: the document; else the current element
  std::vector<Step> steps;
};

class PathParser {
public:
  PathParser(std::string_view text, std::string_view whole) : m_text(text), m_whole(whole) {}

  Path parse()
  {
    Path path;
    skip_spaces();
    if (peek() == '$') {
      path.from_root = true;
      ++m_at;
    } else if (peek() == '@') {
      ++m_at;
    }
    path.steps = steps();
    skip_spaces();
    if (m_at != m_text.size()) {
      fail(fmt::format("unrecognized character in action: {}", m_text.substr(m_at)));
    }
    return path;
  }

private:
  char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }
  void skip_spaces()
  {
    while (m_at < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_at]))) {
      ++m_at;
    }
  }
  [[noreturn]] void fail(const std::string& why) const
  {
    throw util::UsageError(fmt::format("error parsing jsonpath {}, {}", m_whole, why));
  }

  std::string identifier()
  {
    const size_t begin = m_at;
    while (m_at < m_text.size() &&
           (std::isalnum(static_cast<unsigned char>(m_text[m_at])) || m_text[m_at] == '_' || m_text[m_at] == '-')) {
      ++m_at;
    }
    return std::string(m_text.substr(begin, m_at - begin));
  }

  std::vector<Step> steps()
  {
    std::vector<Step> out;
    while (m_at < m_text.size()) {
      const char c = peek();
      if (c == '.') {
        ++m_at;
        Step step;
        if (peek() == '.') {
          ++m_at;
          step.kind = Step::Kind::recursive;
        }
        if (peek() == '*') {
          ++m_at;
          step.kind = step.kind == Step::Kind::recursive ? Step::Kind::recursive : Step::Kind::wildcard;
          out.push_back(step);
          continue;
        }
        if (peek() == '[' || peek() == '\0' || std::isspace(static_cast<unsigned char>(peek()))) {
          if (step.kind == Step::Kind::recursive) {
            fail("a name must follow ..");
          }
          continue; // `.` alone, or `.[0]`: the current element
        }
        step.name = identifier();
        if (step.name.empty()) {
          fail(fmt::format("unrecognized character in action: {}", m_text.substr(m_at)));
        }
        out.push_back(std::move(step));
      } else if (c == '[') {
        ++m_at;
        out.push_back(bracket());
      } else {
        break;
      }
    }
    return out;
  }

  std::string quoted()
  {
    const char quote = peek();
    ++m_at;
    std::string value;
    while (m_at < m_text.size() && m_text[m_at] != quote) {
      if (m_text[m_at] == '\\' && m_at + 1 < m_text.size()) {
        ++m_at;
      }
      value += m_text[m_at++];
    }
    if (m_at >= m_text.size()) {
      fail("unclosed quote");
    }
    ++m_at;
    return value;
  }

  std::optional<long long> number()
  {
    skip_spaces();
    const size_t begin = m_at;
    if (peek() == '-' || peek() == '+') {
      ++m_at;
    }
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      ++m_at;
    }
    if (m_at == begin) {
      return std::nullopt;
    }
    try {
      return std::stoll(std::string(m_text.substr(begin, m_at - begin)));
    } catch (const std::exception&) {
      fail(fmt::format("invalid array index {}", m_text.substr(begin, m_at - begin)));
    }
  }

  void expect(char c)
  {
    skip_spaces();
    if (peek() != c) {
      fail(fmt::format("expected '{}' at {}", c, m_text.substr(m_at)));
    }
    ++m_at;
  }

  Step bracket()
  {
    Step step;
    skip_spaces();
    if (peek() == '\'' || peek() == '"') {
      step.name = quoted();
      expect(']');
      return step;
    }
    if (peek() == '*') {
      ++m_at;
      step.kind = Step::Kind::wildcard;
      expect(']');
      return step;
    }
    if (peek() == '?') {
      ++m_at;
      expect('(');
      skip_spaces();
      if (peek() != '@') {
        fail("a filter starts with @");
      }
      ++m_at;
      step.kind = Step::Kind::filter;
      step.filter_path = steps();
      skip_spaces();
      for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
        if (m_text.substr(m_at).rfind(op, 0) == 0) {
          step.op = op;
          m_at += step.op.size();
          break;
        }
      }
      if (!step.op.empty()) {
        step.filter_with = literal();
      }
      expect(')');
      expect(']');
      return step;
    }
    const auto first = number();
    skip_spaces();
    if (peek() == ':') {
      ++m_at;
      step.kind = Step::Kind::slice;
      step.start = first;
      step.end = number();
      skip_spaces();
      if (peek() == ':') { // a step other than 1 is not supported
        fail("array slice steps are not supported");
      }
      expect(']');
      return step;
    }
    if (!first) {
      fail(fmt::format("invalid array index at {}", m_text.substr(m_at)));
    }
    step.kind = Step::Kind::index;
    step.index = *first;
    expect(']');
    return step;
  }

  nlohmann::json literal()
  {
    skip_spaces();
    if (peek() == '\'' || peek() == '"') {
      return quoted();
    }
    const size_t begin = m_at;
    while (m_at < m_text.size() && m_text[m_at] != ')' && !std::isspace(static_cast<unsigned char>(m_text[m_at]))) {
      ++m_at;
    }
    const std::string word(m_text.substr(begin, m_at - begin));
    if (word == "true" || word == "false") {
      return word == "true";
    }
    try {
      size_t used = 0;
      const double value = std::stod(word, &used);
      if (used == word.size()) {
        return value;
      }
    } catch (const std::exception&) {
    }
    fail(fmt::format("unrecognized literal {} in filter", word));
  }

  std::string_view m_text;
  std::string_view m_whole;
  size_t m_at = 0;
};

void apply(const Step& step, const nlohmann::json& value, Values& out);

Values
walk(const std::vector<Step>& steps, Values values)
{
  for (const auto& step : steps) {
    Values next;
    for (const auto* value : values) {
      apply(step, *value, next);
    }
    values = std::move(next);
  }
  return values;
}

void
collect_named(const nlohmann::json& value, const std::string& name, Values& out)
{
  if (value.is_object()) {
    if (const auto it = value.find(name); it != value.end()) {
      out.push_back(&*it);
    }
  }
  if (value.is_structured()) {
    for (const auto& child : value) {
      collect_named(child, name, out);
    }
  }
}

bool
compare(const nlohmann::json& left, const std::string& op, const nlohmann::json& right)
{
  if (left.is_number() && right.is_number()) {
    const double a = left.get<double>();
    const double b = right.get<double>();
    return op == "=="   ? a == b
           : op == "!=" ? a != b
           : op == "<"  ? a < b
           : op == "<=" ? a <= b
           : op == ">"  ? a > b
                        : a >= b;
  }
  if (op == "==") {
    return left == right;
  }
  if (op == "!=") {
    return left != right;
  }
  if (left.is_string() && right.is_string()) {
    const auto& a = left.get_ref<const std::string&>();
    const auto& b = right.get_ref<const std::string&>();
    return op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b;
  }
  return false;
}

void
apply(const Step& step, const nlohmann::json& value, Values& out)
{
  switch (step.kind) {
  case Step::Kind::field:
    if (value.is_object()) {
      if (const auto it = value.find(step.name); it != value.end()) {
        out.push_back(&*it);
      }
    }
    return;
  case Step::Kind::recursive:
    if (step.name.empty()) {
      return;
    }
    collect_named(value, step.name, out);
    return;
  case Step::Kind::wildcard:
    if (value.is_structured()) {
      for (const auto& child : value) {
        out.push_back(&child);
      }
    }
    return;
  case Step::Kind::index:
  case Step::Kind::slice: {
    if (!value.is_array()) {
      return;
    }
    // client-go's evalArray: [i] is [i:i+1]; negative bounds count from the end; asking for no
    // element is fine, asking past either end is an error.
    const auto size = static_cast<long long>(value.size());
    long long begin = step.kind == Step::Kind::index ? step.index : step.start.value_or(0);
    long long end = step.kind == Step::Kind::index ? begin + 1 : step.end.value_or(size);
    if (begin < 0) {
      begin += size;
    }
    if (end < 0 || (step.kind == Step::Kind::index && end == 0)) {
      end += size;
    }
    if (begin == end) {
      return;
    }
    if (begin >= size || begin < 0) {
      throw util::Error(fmt::format("array index out of bounds: index {}, length {}", begin, size));
    }
    if (end > size || end < 0) {
      throw util::Error(fmt::format("array index out of bounds: index {}, length {}", end - 1, size));
    }
    if (begin > end) {
      throw util::Error(fmt::format("starting index {} is greater than ending index {}", begin, end));
    }
    for (long long at = begin; at < end; ++at) {
      out.push_back(&value[static_cast<size_t>(at)]);
    }
    return;
  }
  case Step::Kind::filter:
    if (!value.is_array()) {
      return;
    }
    for (const auto& element : value) {
      Values found;
      try {
        found = walk(step.filter_path, {&element});
      } catch (const util::Error&) {
        // an index past the end inside a filter: that element does not match
      }
      // Without an operator: the key is there (even null or false), as client-go has it.
      const bool keep =
          step.op.empty() ? !found.empty() : !found.empty() && compare(*found.front(), step.op, *step.filter_with);
      if (keep) {
        out.push_back(&element);
      }
    }
    return;
  }
}

std::string
text_of(const nlohmann::json& value)
{
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string
unescape_literal(std::string_view text)
{
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char c = text[++i];
    out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
  }
  return out;
}

} // namespace jsonpath_impl

using jsonpath_impl::Path;

struct JsonPathTemplate::Node {
  enum class Kind { text, path, range };
  Kind kind = Kind::text;
  std::string text; // text: printed as it is
  Path path;        // path, range
  std::vector<std::unique_ptr<Node>> body;
};

namespace {

using NodeList = std::vector<std::unique_ptr<JsonPathTemplate::Node>>;
using jsonpath_impl::PathParser;
using jsonpath_impl::text_of;
using jsonpath_impl::unescape_literal;
using jsonpath_impl::walk;

void
execute_nodes(const NodeList& nodes, const nlohmann::json& root, const nlohmann::json& current, std::string& out)
{
  for (const auto& node : nodes) {
    if (node->kind == JsonPathTemplate::Node::Kind::text) {
      out += node->text;
      continue;
    }
    const auto values = walk(node->path.steps, {node->path.from_root ? &root : &current});
    if (node->kind == JsonPathTemplate::Node::Kind::range) {
      // Once per result, as client-go does: `{range .items[*]}` walks the elements.
      for (const auto* value : values) {
        execute_nodes(node->body, root, *value, out);
      }
      continue;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      out += (i == 0 ? "" : " ") + text_of(*values[i]);
    }
  }
}

} // namespace

JsonPathTemplate::JsonPathTemplate(std::string_view text) : m_text(text)
{
  const auto fail = [&](const std::string& why) {
    throw util::UsageError(fmt::format("error parsing jsonpath {}, {}", text, why));
  };
  std::vector<NodeList*> open{&m_nodes};
  size_t at = 0;
  while (at < text.size()) {
    const size_t brace = text.find('{', at);
    if (brace != at) {
      auto node = std::make_unique<Node>();
      node->text = std::string(text.substr(at, brace == std::string_view::npos ? text.size() - at : brace - at));
      open.back()->push_back(std::move(node));
      if (brace == std::string_view::npos) {
        break;
      }
    }
    // The action ends at the first `}` outside quotes.
    size_t close = brace + 1;
    char quote = '\0';
    for (; close < text.size(); ++close) {
      const char c = text[close];
      if (quote != '\0') {
        if (c == '\\') {
          ++close;
        } else if (c == quote) {
          quote = '\0';
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '}') {
        break;
      }
    }
    if (close >= text.size()) {
      fail("unclosed action");
    }
    std::string_view action = text.substr(brace + 1, close - brace - 1);
    while (!action.empty() && std::isspace(static_cast<unsigned char>(action.front()))) {
      action.remove_prefix(1);
    }
    while (!action.empty() && std::isspace(static_cast<unsigned char>(action.back()))) {
      action.remove_suffix(1);
    }
    at = close + 1;
    if (action.empty()) {
      continue;
    }
    if (action == "end") {
      if (open.size() == 1) {
        fail("not in range, nothing to end");
      }
      open.pop_back();
      continue;
    }
    auto node = std::make_unique<Node>();
    if (action.front() == '"' && action.size() >= 2 && action.back() == '"') {
      node->text = unescape_literal(action.substr(1, action.size() - 2));
      open.back()->push_back(std::move(node));
      continue;
    }
    if (action.rfind("range ", 0) == 0) {
      node->kind = Node::Kind::range;
      node->path = PathParser(action.substr(6), text).parse();
      auto* body = &node->body;
      open.back()->push_back(std::move(node));
      open.push_back(body);
      continue;
    }
    if (action.front() != '.' && action.front() != '$' && action.front() != '@' && action.front() != '[') {
      fail(fmt::format("unrecognized identifier {}", action));
    }
    node->kind = Node::Kind::path;
    node->path = PathParser(action, text).parse();
    open.back()->push_back(std::move(node));
  }
  if (open.size() != 1) {
    fail("range without end");
  }
}

JsonPathTemplate::~JsonPathTemplate() = default;
JsonPathTemplate::JsonPathTemplate(JsonPathTemplate&&) noexcept = default;
JsonPathTemplate& JsonPathTemplate::operator=(JsonPathTemplate&&) noexcept = default;

std::string
JsonPathTemplate::execute(const nlohmann::json& document) const
{
  std::string out;
  try {
    execute_nodes(m_nodes, document, document, out);
  } catch (const util::Error& e) {
    throw util::Error(fmt::format("error executing jsonpath \"{}\": {}", m_text, e.what()));
  }
  return out;
}

std::string_view
strip_template_quotes(std::string_view text)
{
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

} // namespace output
