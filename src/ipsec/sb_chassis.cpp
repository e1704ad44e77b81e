#include "ipsec/sb_chassis.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace ipsec {

std::vector<std::string>
sb_chassis_command()
{
  return {"ovn-sbctl", "--no-leader-only", "--format=json", "--columns=name,hostname", "list", "Chassis"};
}

std::optional<std::vector<Chassis>>
parse_sb_chassis(std::string_view output)
{
  const auto doc = nlohmann::json::parse(output, nullptr, false);
  if (!doc.is_object() || !doc.contains("headings") || !doc.contains("data") || !doc["headings"].is_array() ||
      !doc["data"].is_array()) {
    return std::nullopt;
  }
  const auto& headings = doc["headings"];
  const auto column = [&](std::string_view name) -> std::optional<size_t> {
    for (size_t i = 0; i < headings.size(); ++i) {
      if (headings[i].is_string() && headings[i].get_ref<const std::string&>() == name) {
        return i;
      }
    }
    return std::nullopt;
  };
  const auto name_at = column("name");
  const auto host_at = column("hostname");
  if (!name_at || !host_at) {
    return std::nullopt;
  }
  std::vector<Chassis> out;
  for (const auto& row : doc["data"]) {
    if (!row.is_array() || row.size() != headings.size() || !row[*name_at].is_string() || !row[*host_at].is_string() ||
        row[*name_at].get_ref<const std::string&>().empty()) {
      return std::nullopt;
    }
    out.push_back({row[*name_at].get<std::string>(), row[*host_at].get<std::string>()});
  }
  return out;
}

std::vector<Chassis>
chassis_of_nodes(const std::vector<Chassis>& sb, const std::vector<std::string>& nodes)
{
  const std::set<std::string> wanted(nodes.begin(), nodes.end());
  std::map<std::string, std::vector<std::string>> by_node;
  for (const auto& chassis : sb) {
    if (wanted.count(chassis.node) != 0) {
      by_node[chassis.node].push_back(chassis.name);
    }
  }
  std::vector<Chassis> out;
  for (const auto& [node, names] : by_node) {
    if (names.size() == 1) {
      out.push_back({names.front(), node});
    }
  }
  return out;
}

std::vector<Chassis>
chassis_from_annotations(const std::vector<kube::Node>& nodes, const std::set<std::string>& named)
{
  std::vector<Chassis> out;
  for (const auto& node : nodes) {
    if (named.count(node.name) != 0) {
      continue;
    }
    const auto it = node.annotations.find(std::string(k_chassis_annotation));
    if (it != node.annotations.end() && !it->second.empty()) {
      out.push_back({it->second, node.name});
    }
  }
  return out;
}

} // namespace ipsec
