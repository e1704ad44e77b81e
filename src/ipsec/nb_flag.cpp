#include "ipsec/nb_flag.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

namespace ipsec {

std::optional<bool>
flag_value(std::string_view arg)
{
  if (arg == "--enable-ovn-ipsec") {
    return true;
  }
  if (util::starts_with(arg, "--enable-ovn-ipsec=")) {
    const std::string value = util::to_lower(arg.substr(19));
    return value == "true" || value == "1" || value == "t";
  }
  return std::nullopt;
}

namespace {

std::optional<FlagOwner>
owner_in(const std::vector<kube::Pod>& pods)
{
  for (const auto& pod : pods) {
    for (const auto& container : pod.containers) {
      for (const auto* list : {&container.command, &container.args}) {
        for (const auto& arg : *list) {
          if (const auto value = flag_value(arg)) {
            return FlagOwner{pod.name, container.name, *value};
          }
        }
      }
    }
  }
  return std::nullopt;
}

} // namespace

std::vector<std::string>
nb_get_ipsec_command()
{
  return {"ovn-nbctl", "get", "NB_Global", ".", "ipsec"};
}

std::vector<std::string>
nb_get_then_set_ipsec_command(bool on)
{
  return {"ovn-nbctl", "get", "NB_Global", ".", "ipsec",
          "--",        "set", "NB_Global", ".", on ? "ipsec=true" : "ipsec=false"};
}

std::optional<bool>
parse_ipsec_flag(std::string_view output)
{
  const auto text = util::trim(output);
  if (text == "true") {
    return true;
  }
  if (text == "false") {
    return false;
  }
  return std::nullopt;
}

std::optional<FlagOwner>
find_flag_owner(const std::vector<kube::Pod>& controller_pods, const std::vector<kube::Pod>& cni_pods)
{
  if (auto owner = owner_in(controller_pods)) {
    return owner;
  }
  return owner_in(cni_pods);
}

std::string
owned_flag_message(const FlagOwner& owner, bool wanted, std::string_view ns)
{
  return fmt::format(
      "Kube-OVN manages NB_Global.ipsec here: pod {}/{} (container {}) runs with --enable-ovn-ipsec={}, and "
      "kube-ovn-controller sets NB_Global.ipsec from that flag whenever it starts, so turning IPsec {} here would "
      "be undone. Change the flag instead: set --enable-ovn-ipsec={} on deployment/kube-ovn-controller and "
      "daemonset/kube-ovn-cni in {} (Helm: ENABLE_OVN_IPSEC / features.enableOvnIpsec). Pass --force to change "
      "NB_Global.ipsec anyway; nothing was changed",
      ns, owner.pod, owner.container, owner.value ? "true" : "false", wanted ? "on" : "off", wanted ? "true" : "false",
      ns);
}

} // namespace ipsec
