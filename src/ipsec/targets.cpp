#include "ipsec/targets.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ipsec {

namespace {

// Why a pod cannot be used, or "" when it can.
std::string
unusable_because(const kube::Pod& pod)
{
  if (pod.terminating) {
    return fmt::format("pod {} is terminating", pod.name);
  }
  if (pod.phase != "Running") {
    return fmt::format("pod {} is not running ({})", pod.name, pod.phase.empty() ? "no phase" : pod.phase);
  }
  if (!pod.ready) {
    return fmt::format("pod {} is not ready", pod.name);
  }
  return {};
}

bool
has_container(const kube::Pod& pod, std::string_view name)
{
  return std::any_of(pod.containers.begin(), pod.containers.end(),
                     [&](const kube::Container& c) { return c.name == name; });
}

} // namespace

std::string
describe(Layout layout)
{
  return layout == Layout::kube_ovn_cni ? "kube-ovn-cni (Kube-OVN >= 1.13)" : "ovs-ovn (Kube-OVN <= 1.12)";
}

std::optional<PodTarget>
pick_central_leader(const std::vector<kube::Pod>& candidates)
{
  std::vector<const kube::Pod*> usable;
  for (const auto& pod : candidates) {
    if (util::starts_with(pod.name, "ovn-central") && unusable_because(pod).empty()) {
      usable.push_back(&pod);
    }
  }
  if (usable.empty()) {
    return std::nullopt;
  }
  // Two pods labelled leader happen briefly during an election; take a stable choice.
  const auto* best =
      *std::min_element(usable.begin(), usable.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  return PodTarget{best->ns, best->name, std::string(k_central_container), best->node};
}

std::string
describe_leader_candidates(const std::vector<kube::Pod>& candidates)
{
  if (candidates.empty()) {
    return fmt::format("no pod matches {}", k_nb_leader_selector);
  }
  std::vector<std::string> seen;
  for (const auto& pod : candidates) {
    std::string why = unusable_because(pod);
    if (!util::starts_with(pod.name, "ovn-central")) {
      why = fmt::format("pod {} is not an ovn-central pod", pod.name);
    }
    seen.push_back(why.empty() ? pod.name : why);
  }
  return fmt::format("pods matching {}: {}", k_nb_leader_selector, util::join(seen, "; "));
}

Layout
detect_layout(const std::vector<kube::Pod>& cni_pods, const std::vector<kube::Pod>& ovs_pods)
{
  for (const auto& pod : cni_pods) {
    for (const auto& container : pod.containers) {
      if (container.name != k_cni_container) {
        continue;
      }
      for (const auto* list : {&container.command, &container.args}) {
        for (const auto& arg : *list) {
          if (util::starts_with(arg, "--enable-ovn-ipsec")) {
            return Layout::kube_ovn_cni;
          }
        }
      }
    }
  }
  if (!ovs_pods.empty()) {
    return Layout::ovs_ovn;
  }
  return cni_pods.empty() ? Layout::ovs_ovn : Layout::kube_ovn_cni;
}

std::vector<NodeTarget>
node_targets(Layout layout, const std::vector<kube::Pod>& ovs_pods, const std::vector<kube::Pod>& cni_pods,
             const std::vector<std::string>& only_nodes)
{
  const bool cni = layout == Layout::kube_ovn_cni;
  const auto& wanted_pods = cni ? cni_pods : ovs_pods;
  const std::string_view container = cni ? k_cni_container : k_ovs_container;
  const std::string_view kind = cni ? "kube-ovn-cni" : "ovs-ovn";

  std::set<std::string> nodes;
  for (const auto* list : {&ovs_pods, &cni_pods}) {
    for (const auto& pod : *list) {
      if (!pod.node.empty()) {
        nodes.insert(pod.node);
      }
    }
  }
  if (!only_nodes.empty()) {
    nodes = std::set<std::string>(only_nodes.begin(), only_nodes.end());
  }

  // A DaemonSet has one pod per node, but during a rollout the old pod may linger: prefer a usable one.
  std::map<std::string, std::vector<const kube::Pod*>> by_node;
  for (const auto& pod : wanted_pods) {
    by_node[pod.node].push_back(&pod);
  }

  std::vector<NodeTarget> out;
  for (const auto& node : nodes) {
    NodeTarget entry{node, std::nullopt, {}};
    const auto it = by_node.find(node);
    if (it == by_node.end()) {
      entry.problem = fmt::format("no {} pod on this node", kind);
      out.push_back(std::move(entry));
      continue;
    }
    for (const auto* pod : it->second) {
      std::string why = unusable_because(*pod);
      if (why.empty() && !has_container(*pod, container)) {
        why = fmt::format("pod {} has no container {}", pod->name, container);
      }
      if (why.empty()) {
        entry.target = PodTarget{pod->ns, pod->name, std::string(container), node};
        entry.problem.clear();
        break;
      }
      entry.problem = why;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string>
tunnels_show_command()
{
  return {"ovs-appctl", "-t", "ovs-monitor-ipsec", "tunnels/show"};
}

std::string
describe_monitor_failure(const kube::ExecResult& result)
{
  const std::string_view err = util::trim(result.err);
  const std::string first(err.substr(0, err.find('\n')));
  if (first.find("pidfile") != std::string::npos || first.find("ovs-monitor-ipsec.") != std::string::npos) {
    return fmt::format("{} ({})", k_monitor_not_running, first);
  }
  return fmt::format("ovs-appctl exited with code {}{}{}", result.exit_code, first.empty() ? "" : ": ", first);
}

std::vector<std::string>
system_id_command()
{
  return {"ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"};
}

std::optional<std::string>
parse_system_id(std::string_view output)
{
  std::string_view text = util::trim(output);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 256) {
    return std::nullopt;
  }
  for (const char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return std::nullopt;
    }
  }
  return std::string(text);
}

} // namespace ipsec
