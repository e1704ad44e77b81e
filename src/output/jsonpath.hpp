#pragma once
// `-o jsonpath=TEMPLATE`: the part of kubectl's JSONPath (k8s.io/client-go/util/jsonpath) that
// people use with `kubectl get`: text outside braces as it is; `{.a.b}`, `{.a['b.c']}`, `{$.a}`;
// `[n]`, `[-1]`, `[a:b]`, `[*]`, `..name`; filters `[?(@.k=="v")]` (==, !=, <, <=, >, >=, or
// `[?(@.k)]` for presence); `{range EXPR}...{end}` with `.` and `@` the current element inside;
// string literals `{"\n"}`, `{"\t"}`. As kubectl does by default (--allow-missing-template-keys),
// a key that is not there prints nothing; an index past an array's end is an error, as there. Several results of one
// expression are joined by a space; strings print raw, other values as compact JSON. Pure.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace output {

class JsonPathTemplate {
public:
  // Throws util::UsageError `error parsing jsonpath TEMPLATE: why`, as kubectl words it.
  explicit JsonPathTemplate(std::string_view text);
  ~JsonPathTemplate();
  JsonPathTemplate(JsonPathTemplate&&) noexcept;
  JsonPathTemplate& operator=(JsonPathTemplate&&) noexcept;

  // Throws util::Error `error executing jsonpath "TEMPLATE": why` for an index past the end of
  // an array, as kubectl does.
  std::string execute(const nlohmann::json& document) const;

  struct Node;

private:
  std::string m_text;
  std::vector<std::unique_ptr<Node>> m_nodes;
};

// `TEMPLATE` of -o jsonpath=TEMPLATE without the quotes a shell-less caller may have kept
// (kubectl accepts jsonpath='{.a}' as well as jsonpath={.a}).
std::string_view strip_template_quotes(std::string_view text);

} // namespace output
