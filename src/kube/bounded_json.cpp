#include "kube/bounded_json.hpp"

#include <algorithm>

namespace kube {

namespace {

using nlohmann::json;

// What a kept value costs on the heap, roughly (64-bit libstdc++, with malloc's overhead): a map
// node with its key string per object member, a 16-byte slot (doubled by vector growth) per
// array element, a heap std::string per string value, a map or vector per container.
constexpr std::size_t k_member_cost = 96;
constexpr std::size_t k_value_cost = 32;
constexpr std::size_t k_string_cost = 48;
constexpr std::size_t k_container_cost = 64;

// Whether the path of keys `path` is kept by `fields` (split at '.'), and whether everything
// under it is.
struct Keep {
  bool kept = false;
  bool whole = false;
};

Keep
match(const std::vector<std::string_view>& path, const std::vector<std::vector<std::string_view>>& fields)
{
  Keep out;
  for (const auto& field : fields) {
    const std::size_t common = std::min(path.size(), field.size());
    if (!std::equal(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(common), field.begin())) {
      continue;
    }
    out.kept = true; // path leads to the field, or lies under it
    if (path.size() >= field.size()) {
      out.whole = true;
      return out;
    }
  }
  return out;
}

std::vector<std::string_view>
split_path(std::string_view field)
{
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = field.find('.', start);
    parts.push_back(field.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      return parts;
    }
    start = dot + 1;
  }
}

// One open object or array while parsing. nlohmann reports the end only of kept containers, so
// the stack follows the depth each event carries rather than start/end pairs.
struct Level {
  bool is_array = false;
  Keep keep;
  std::string key; // objects: the member being parsed
  Keep key_keep;   // and whether it is kept
};

class FieldFilter {
public:
  FieldFilter(const JsonFields& fields, util::MemoryCharge& charge, std::string_view what)
      : m_all(fields.empty()), m_charge(charge), m_what(what)
  {
    for (const auto& field : fields) {
      m_fields.push_back(split_path(field));
    }
  }

  bool operator()(int depth, json::parse_event_t event, json& parsed)
  {
    m_open.resize(static_cast<std::size_t>(depth));
    switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start: {
      Level level{event == json::parse_event_t::array_start, inner_keep(), {}, {}};
      m_open.push_back(std::move(level));
      return charged(m_open.back().keep.kept, k_container_cost);
    }
    case json::parse_event_t::key: {
      Level& object = m_open.back();
      object.key = parsed.get<std::string>();
      object.key_keep = !object.keep.kept            ? Keep{}
                        : object.keep.whole || m_all ? Keep{true, true}
                                                     : match(path(), m_fields);
      return charged(object.key_keep.kept, k_member_cost + object.key.size());
    }
    case json::parse_event_t::value: {
      const std::size_t text = parsed.is_string() ? k_string_cost + parsed.get_ref<const std::string&>().size() : 0;
      return charged(inner_keep().kept, k_value_cost + text);
    }
    case json::parse_event_t::object_end:
    case json::parse_event_t::array_end:
      return true; // decided at the start
    }
    return true;
  }

private:
  // Whether a value at the current position (an array element or the current member) is kept.
  Keep inner_keep() const
  {
    if (m_open.empty()) {
      return Keep{true, m_all};
    }
    const Level& parent = m_open.back();
    return parent.is_array ? parent.keep : parent.key_keep;
  }

  std::vector<std::string_view> path() const
  {
    std::vector<std::string_view> keys;
    for (const Level& level : m_open) {
      if (!level.is_array) {
        keys.push_back(level.key);
      }
    }
    return keys;
  }

  bool charged(bool kept, std::size_t cost)
  {
    if (kept && !m_charge.grow(cost)) {
      const auto* budget = m_charge.budget();
      throw util::exceeds_budget(m_what, budget != nullptr ? budget->limit() : 0);
    }
    return kept;
  }

  bool m_all;
  std::vector<std::vector<std::string_view>> m_fields;
  util::MemoryCharge& m_charge;
  std::string_view m_what;
  std::vector<Level> m_open;
};

} // namespace

json
parse_json_within(std::string_view text, const JsonFields& fields, util::MemoryCharge& charge, std::string_view what)
{
  FieldFilter filter(fields, charge, what);
  return json::parse(text, std::ref(filter), /*allow_exceptions=*/false);
}

} // namespace kube
