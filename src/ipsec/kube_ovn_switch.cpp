#include "ipsec/kube_ovn_switch.hpp"

#include "ipsec/nb_flag.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace ipsec {

namespace {

std::string
value_of(const std::map<std::string, std::string>& map, const std::string& key)
{
  const auto it = map.find(key);
  return it == map.end() ? "" : it->second;
}

// "kube-ovn-v1.14.10" -> ("kube-ovn", "v1.14.10"); "kube-ovn-v2-1.15.0" -> ("kube-ovn-v2", "1.15.0").
std::pair<std::string, std::string>
split_chart(const std::string& label)
{
  for (std::size_t dash = label.rfind('-'); dash != std::string::npos && dash > 0; dash = label.rfind('-', dash - 1)) {
    const std::string rest = label.substr(dash + 1);
    const std::size_t digit = !rest.empty() && rest[0] == 'v' ? 1 : 0;
    if (rest.size() > digit && std::isdigit(static_cast<unsigned char>(rest[digit])) &&
        rest.find('.') != std::string::npos) {
      return {label.substr(0, dash), rest};
    }
  }
  return {label, ""};
}

const kube::WorkloadContainer*
find_container(const kube::Workload& workload, std::string_view name, std::size_t* index = nullptr)
{
  for (std::size_t i = 0; i < workload.containers.size(); ++i) {
    if (workload.containers[i].name == name) {
      if (index != nullptr) {
        *index = i;
      }
      return &workload.containers[i];
    }
  }
  return nullptr;
}

std::ptrdiff_t
index_of(const std::vector<std::string>& names, std::string_view name)
{
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : it - names.begin();
}

} // namespace

std::optional<HelmRelease>
helm_release(const kube::Workload& workload)
{
  const std::string managed_by = value_of(workload.labels, "app.kubernetes.io/managed-by");
  const std::string release = value_of(workload.annotations, "meta.helm.sh/release-name");
  if (managed_by != "Helm" && release.empty()) {
    return std::nullopt;
  }
  HelmRelease out;
  out.name = release.empty() ? "kube-ovn" : release;
  out.ns = value_of(workload.annotations, "meta.helm.sh/release-namespace");
  if (out.ns.empty()) {
    out.ns = workload.ns;
  }
  std::tie(out.chart, out.version) = split_chart(value_of(workload.labels, "helm.sh/chart"));
  return out;
}

std::string
helm_command(const HelmRelease& release, bool on)
{
  const std::string chart = release.chart.empty() ? "kube-ovn" : release.chart;
  // charts/kube-ovn: func.ENABLE_OVN_IPSEC; charts/kube-ovn-v2: features.enableOvnIpsec.
  const std::string value = chart == "kube-ovn-v2" ? "features.enableOvnIpsec" : "func.ENABLE_OVN_IPSEC";
  const std::string version = release.version.empty() ? "" : " --version " + release.version;
  return fmt::format("helm upgrade {} kubeovn/{} -n {}{} --reuse-values --set {}={}", release.name, chart, release.ns,
                     version, value, on ? "true" : "false");
}

std::optional<bool>
workload_flag(const kube::Workload& workload, std::string_view container)
{
  const auto* found = find_container(workload, container);
  if (found == nullptr) {
    return std::nullopt;
  }
  std::optional<bool> value;
  for (const auto& arg : found->args) {
    if (const auto v = flag_value(arg)) {
      value = v; // the last one wins, as with Go's flag package
    }
  }
  return value;
}

std::string
flag_patch(const kube::Workload& workload, std::string_view container, bool on, bool keys_volume)
{
  std::size_t index = 0;
  const auto* found = find_container(workload, container, &index);
  if (found == nullptr) {
    return "";
  }
  nlohmann::json ops = nlohmann::json::array();
  const std::string base = fmt::format("/spec/template/spec/containers/{}", index);
  std::vector<std::string> args;
  bool replaced = false;
  for (const auto& arg : found->args) {
    if (flag_value(arg)) {
      if (!replaced) {
        args.push_back(fmt::format("--enable-ovn-ipsec={}", on));
        replaced = true;
      }
      continue;
    }
    args.push_back(arg);
  }
  if (!replaced) {
    args.push_back(fmt::format("--enable-ovn-ipsec={}", on));
  }
  if (args != found->args) {
    ops.push_back({{"op", "test"}, {"path", base + "/args"}, {"value", found->args}});
    ops.push_back({{"op", found->args.empty() ? "add" : "replace"}, {"path", base + "/args"}, {"value", args}});
  }
  if (keys_volume) {
    const auto mount = index_of(found->volume_mounts, k_keys_volume);
    const auto volume = index_of(workload.volumes, k_keys_volume);
    if (on && mount < 0) {
      const nlohmann::json item{{"name", k_keys_volume}, {"mountPath", k_keys_mount_path}};
      if (found->volume_mounts.empty()) {
        ops.push_back({{"op", "add"}, {"path", base + "/volumeMounts"}, {"value", nlohmann::json::array({item})}});
      } else {
        ops.push_back({{"op", "add"}, {"path", base + "/volumeMounts/-"}, {"value", item}});
      }
    }
    if (on && volume < 0) {
      const nlohmann::json item{{"name", k_keys_volume},
                                {"hostPath", {{"path", k_keys_host_path}, {"type", "DirectoryOrCreate"}}}};
      if (workload.volumes.empty()) {
        ops.push_back(
            {{"op", "add"}, {"path", "/spec/template/spec/volumes"}, {"value", nlohmann::json::array({item})}});
      } else {
        ops.push_back({{"op", "add"}, {"path", "/spec/template/spec/volumes/-"}, {"value", item}});
      }
    }
    // Turning off keeps the key directory mounted (the chart drops it with the flag): the new
    // cni-server's StopAndClearIPSecResouce (v1.13 pkg/daemon/ipsec.go, RemoveIPSecKeys) then
    // deletes the host's key files. Without the mount they survive on the host, and the next start
    // with true finds an unexpired certificate, skips CreateIPSecKeys and with it
    // configureOVSWithIPSecKeys: OVSDB names no certificate and no tunnel comes up (v1.13-v1.14).
  }
  return ops.empty() ? "" : ops.dump();
}

bool
rollout_complete(const kube::Workload& workload)
{
  return workload.observed_generation >= workload.generation && workload.updated >= workload.desired &&
         workload.available >= workload.desired;
}

std::string
rollout_progress(const kube::Workload& workload)
{
  return fmt::format("{}: {}/{} updated, {}/{} available", workload.name, workload.updated, workload.desired,
                     workload.available, workload.desired);
}

} // namespace ipsec
