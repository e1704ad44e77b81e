#include "ipsec/chassis_ids.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>

namespace ipsec {

bool
is_uuid(std::string_view text)
{
  if (text.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : std::isxdigit(static_cast<unsigned char>(text[i])) == 0) {
      return false;
    }
  }
  return true;
}

std::map<std::string, std::vector<std::string>>
shared_chassis(const std::vector<std::pair<std::string, std::string>>& node_chassis)
{
  std::map<std::string, std::vector<std::string>> nodes_of; // chassis → nodes
  for (const auto& [node, chassis] : node_chassis) {
    if (!chassis.empty()) {
      nodes_of[chassis].push_back(node);
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [chassis, nodes] : nodes_of) {
    if (nodes.size() < 2) {
      continue;
    }
    for (const auto& node : nodes) {
      auto& others = out[node];
      for (const auto& other : nodes) {
        if (other != node) {
          others.push_back(other);
        }
      }
    }
  }
  return out;
}

std::string
shared_chassis_problem(const std::string& chassis, const std::vector<std::string>& also_on)
{
  return fmt::format("chassis id {} is also reported by {} (each node needs its own external_ids:system-id)", chassis,
                     fmt::join(also_on, ", "));
}

std::string
chassis_refusal(const std::string& chassis, const std::vector<std::string>& also_on)
{
  if (!also_on.empty()) {
    return shared_chassis_problem(chassis, also_on) + "; no certificate issued: both nodes would get CN " + chassis;
  }
  if (!is_uuid(chassis)) {
    return fmt::format("system-id {} is not a UUID (Kube-OVN's ovs-ctl --system-id=random makes one); no certificate "
                       "issued for a name set by hand",
                       chassis);
  }
  return "";
}

} // namespace ipsec
