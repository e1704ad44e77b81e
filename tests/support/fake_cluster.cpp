#include "support/fake_cluster.hpp"

#include "kube/resource_json.hpp"

#include "kube/errors.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace testsupport {

namespace {

// Equality-only label selectors ("a=b,c=d", "a!=b", "a"), enough for what the plugin sends.
bool
matches_labels(const kube::Pod& pod, const std::string& selector)
{
  if (selector.empty()) {
    return true;
  }
  for (const auto& term : util::split(selector, ',')) {
    const auto neq = term.find("!=");
    const auto eq = term.find('=');
    if (neq != std::string::npos) {
      const auto it = pod.labels.find(term.substr(0, neq));
      if (it != pod.labels.end() && it->second == term.substr(neq + 2)) {
        return false;
      }
    } else if (eq != std::string::npos) {
      const auto it = pod.labels.find(term.substr(0, eq));
      if (it == pod.labels.end() || it->second != term.substr(eq + 1)) {
        return false;
      }
    } else if (pod.labels.count(term) == 0) {
      return false;
    }
  }
  return true;
}

bool
matches_fields(const kube::Pod& pod, const std::string& selector)
{
  for (const auto& term : util::split(selector, ',')) {
    if (term.empty()) {
      continue;
    }
    const auto eq = term.find('=');
    const std::string key = term.substr(0, eq);
    const std::string value = term.substr(eq + 1);
    if ((key == "spec.nodeName" && pod.node != value) || (key == "metadata.name" && pod.name != value)) {
      return false;
    }
  }
  return true;
}

} // namespace

void
FakeCluster::add_pod(kube::Pod pod)
{
  std::lock_guard lock(m_mutex);
  m_pods.push_back(std::move(pod));
}

void
FakeCluster::remove_pod(const std::string& name)
{
  std::lock_guard lock(m_mutex);
  m_pods.erase(std::remove_if(m_pods.begin(), m_pods.end(), [&](const kube::Pod& pod) { return pod.name == name; }),
               m_pods.end());
}

void
FakeCluster::on_exec(const std::string& pod, ExecHandler handler)
{
  std::lock_guard lock(m_mutex);
  m_handlers[pod].push_back(std::move(handler));
}

void
FakeCluster::on_exec_first(const std::string& pod, ExecHandler handler)
{
  std::lock_guard lock(m_mutex);
  auto& handlers = m_handlers[pod];
  handlers.insert(handlers.begin(), std::move(handler));
}

void
FakeCluster::on_exec(const std::string& pod, const std::vector<std::string>& argv, kube::ExecResult result)
{
  on_exec(pod, [argv, result](const kube::ExecRequest& request) -> kube::ExecResult {
    if (request.command != argv) {
      throw std::out_of_range("not this handler");
    }
    return result;
  });
}

void
FakeCluster::add_workload(nlohmann::json object)
{
  std::lock_guard lock(m_mutex);
  const std::string key =
      fmt::format("{}/{}/{}", object["kind"].get<std::string>(), object["metadata"]["namespace"].get<std::string>(),
                  object["metadata"]["name"].get<std::string>());
  m_workloads[key] = std::move(object);
}

nlohmann::json
FakeCluster::workload_json(const std::string& kind, const std::string& ns, const std::string& name) const
{
  std::lock_guard lock(m_mutex);
  const auto it = m_workloads.find(fmt::format("{}/{}/{}", kind, ns, name));
  return it == m_workloads.end() ? nlohmann::json() : it->second;
}

std::optional<kube::Workload>
FakeCluster::get_workload(const std::string& kind, const std::string& ns, const std::string& name)
{
  const auto object = workload_json(kind, ns, name);
  if (object.is_null()) {
    return std::nullopt;
  }
  return kube::workload_from_json(object);
}

kube::Workload
FakeCluster::patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                            const std::string& ops)
{
  std::unique_lock lock(m_mutex);
  const std::string who = fmt::format("{} {}/{}", kind, ns, name);
  m_patches.push_back(who + " " + ops);
  if (const auto refused = refuse_patch.find(who); refused != refuse_patch.end()) {
    throw refused->second;
  }
  const auto it = m_workloads.find(fmt::format("{}/{}/{}", kind, ns, name));
  if (it == m_workloads.end()) {
    throw kube::ApiError(404, "NotFound", fmt::format("{} \"{}\" not found", kind, name));
  }
  try {
    it->second = it->second.patch(nlohmann::json::parse(ops));
  } catch (const nlohmann::json::exception& e) {
    throw kube::ApiError(422, "Invalid",
                         fmt::format("the server rejected our request due to an error in our "
                                     "request: {}",
                                     e.what()));
  }
  auto& generation = it->second["metadata"]["generation"];
  generation = generation.is_number() ? generation.get<long>() + 1 : 2;
  nlohmann::json object = it->second;
  lock.unlock();
  if (after_patch) {
    after_patch(object);
    std::lock_guard relock(m_mutex);
    m_workloads[fmt::format("{}/{}/{}", kind, ns, name)] = object;
  }
  return kube::workload_from_json(object);
}

std::vector<kube::Node>
FakeCluster::list_nodes()
{
  std::lock_guard lock(m_mutex);
  if (refuse_nodes) {
    throw *refuse_nodes;
  }
  return nodes;
}

std::vector<kube::CertificateSigningRequest>
FakeCluster::list_csrs()
{
  std::lock_guard lock(m_mutex);
  if (refuse_csrs) {
    throw *refuse_csrs;
  }
  return csrs;
}

std::vector<std::string>
FakeCluster::patches() const
{
  std::lock_guard lock(m_mutex);
  return m_patches;
}

std::vector<kube::Pod>
FakeCluster::list_pods(const std::string& ns, const std::string& label_selector, const std::string& field_selector)
{
  std::lock_guard lock(m_mutex);
  m_list_calls.push_back(fmt::format("{}|{}|{}", ns, label_selector, field_selector));
  std::vector<kube::Pod> out;
  for (const auto& pod : m_pods) {
    if (pod.ns == ns && matches_labels(pod, label_selector) && matches_fields(pod, field_selector)) {
      out.push_back(pod);
    }
  }
  return out;
}

kube::ExecResult
FakeCluster::exec(const kube::ExecRequest& request)
{
  std::vector<ExecHandler> handlers;
  {
    std::lock_guard lock(m_mutex);
    m_execs.push_back({request.ns, request.pod, request.container, request.command, request.stdin_data});
    bool found = false;
    for (const auto& pod : m_pods) {
      found = found || (pod.ns == request.ns && pod.name == request.pod);
    }
    if (!found) {
      throw kube::ApiError(404, "NotFound",
                           fmt::format("Error from server (NotFound): pods \"{}\" not found", request.pod));
    }
    handlers = m_handlers[request.pod];
  }
  // Handlers run outside the lock so a slow one does not serialise the fan-out under test.
  for (const auto& handler : handlers) {
    try {
      auto result = handler(request);
      if (request.stdout_sink) {
        // As the real client does: streamed stdout is not kept. Odd-sized chunks test the
        // consumers' reassembly across chunk boundaries.
        for (size_t at = 0; at < result.out.size(); at += 333) {
          request.stdout_sink(std::string_view(result.out).substr(at, 333));
        }
        result.out.clear();
      }
      return result;
    } catch (const std::out_of_range&) {
      continue; // that handler does not answer this argv
    }
  }
  return kube::ExecResult{127, "", fmt::format("fake: no answer for {}", util::join(request.command, " "))};
}

std::optional<kube::Secret>
FakeCluster::get_secret(const std::string& ns, const std::string& name)
{
  std::lock_guard lock(m_mutex);
  const auto it = m_secrets.find(ns + "/" + name);
  if (it == m_secrets.end()) {
    return std::nullopt;
  }
  return it->second;
}

kube::Secret
FakeCluster::create_secret(const kube::Secret& secret)
{
  std::lock_guard lock(m_mutex);
  const std::string key = secret.ns + "/" + secret.name;
  if (m_secrets.count(key) != 0) {
    throw kube::ApiError(409, "AlreadyExists", fmt::format("secrets \"{}\" already exists", secret.name));
  }
  kube::Secret stored = secret;
  stored.resource_version = std::to_string(++m_resource_version);
  m_secrets[key] = stored;
  return stored;
}

kube::Secret
FakeCluster::update_secret(const kube::Secret& secret)
{
  std::lock_guard lock(m_mutex);
  const std::string key = secret.ns + "/" + secret.name;
  const auto it = m_secrets.find(key);
  if (it == m_secrets.end()) {
    throw kube::ApiError(404, "NotFound", fmt::format("secrets \"{}\" not found", secret.name));
  }
  if (it->second.resource_version != secret.resource_version) {
    throw kube::ApiError(409, "Conflict", fmt::format("Operation cannot be fulfilled on secrets \"{}\"", secret.name));
  }
  kube::Secret stored = secret;
  stored.resource_version = std::to_string(++m_resource_version);
  it->second = stored;
  return stored;
}

std::vector<RecordedExec>
FakeCluster::execs() const
{
  std::lock_guard lock(m_mutex);
  return m_execs;
}

std::vector<std::string>
FakeCluster::list_calls() const
{
  std::lock_guard lock(m_mutex);
  return m_list_calls;
}

kube::Pod
make_pod(const std::string& ns, const std::string& name, const std::string& node,
         std::map<std::string, std::string> labels, const std::string& container, std::vector<std::string> args)
{
  kube::Pod pod;
  pod.ns = ns;
  pod.name = name;
  pod.node = node;
  pod.phase = "Running";
  pod.ready = true;
  pod.labels = std::move(labels);
  pod.containers.push_back({container, {}, std::move(args), true, ""});
  return pod;
}

} // namespace testsupport
