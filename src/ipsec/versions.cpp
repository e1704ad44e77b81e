#include "ipsec/versions.hpp"

#include <set>

namespace ipsec {

namespace {

std::string_view
first_line(std::string_view text)
{
  return text.substr(0, text.find('\n'));
}

// A version word: digits and dots (and a tail such as "-1" or "+git"), starting with a digit.
bool
version_word(std::string_view word)
{
  return !word.empty() && word.front() >= '0' && word.front() <= '9' && word.find(' ') == std::string_view::npos;
}

// The version word that follows `prefix` on the first line.
std::optional<std::string>
version_after(std::string_view output, std::string_view prefix)
{
  const auto line = first_line(output);
  if (line.rfind(prefix, 0) != 0 || !version_word(line.substr(prefix.size()))) {
    return std::nullopt;
  }
  return std::string(line.substr(prefix.size()));
}

} // namespace

std::vector<std::string>
ovs_version_command()
{
  return {"ovs-vsctl", "--version"};
}

std::vector<std::string>
ovn_version_command()
{
  return {"ovn-nbctl", "--version"};
}

std::optional<std::string>
parse_ovs_version(std::string_view output)
{
  return version_after(output, "ovs-vsctl (Open vSwitch) ");
}

std::optional<std::string>
parse_ovn_version(std::string_view output)
{
  return version_after(output, "ovn-nbctl ");
}

std::string
image_tags(const std::vector<kube::Pod>& pods, std::string_view container)
{
  std::set<std::string> tags;
  for (const auto& pod : pods) {
    for (const auto& c : pod.containers) {
      if (c.name != container) {
        continue;
      }
      std::string_view image = c.image;
      image = image.substr(0, image.find('@')); // a digest is no tag
      const auto slash = image.rfind('/');
      const auto colon = image.rfind(':');
      if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        tags.emplace(image.substr(colon + 1));
      }
    }
  }
  std::string out;
  for (const auto& tag : tags) {
    out += (out.empty() ? "" : ", ") + tag;
  }
  return out;
}

} // namespace ipsec
