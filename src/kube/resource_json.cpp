#include "kube/resource_json.hpp"

#include "kube/credentials.hpp"

#include "kube/errors.hpp"
#include "util/base64.hpp"

#include <fmt/format.h>

namespace kube {

namespace {

using nlohmann::json;

// The value at `key` if it is an object/array/string; throws when the server sent another type.
const json*
member(const json& object, const char* key, json::value_t type, const char* where)
{
  if (!object.is_object()) {
    throw ApiError(0, "", fmt::format("unexpected API answer: {} is not an object", where));
  }
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return nullptr;
  }
  if (it->type() != type) {
    throw ApiError(0, "", fmt::format("unexpected API answer: {}.{} has the wrong type", where, key));
  }
  return &*it;
}

std::string
string_at(const json& object, const char* key, const char* where)
{
  const json* value = member(object, key, json::value_t::string, where);
  return value ? value->get<std::string>() : std::string{};
}

std::vector<std::string>
strings_at(const json& object, const char* key, const char* where)
{
  std::vector<std::string> out;
  if (const json* list = member(object, key, json::value_t::array, where)) {
    for (const auto& item : *list) {
      if (!item.is_string()) {
        throw ApiError(0, "", fmt::format("unexpected API answer: {}.{} holds a non-string", where, key));
      }
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

const json k_empty_object = json::object();

const json&
object_at(const json& object, const char* key, const char* where)
{
  const json* value = member(object, key, json::value_t::object, where);
  return value ? *value : k_empty_object;
}

} // namespace

Pod
pod_from_json(const json& pod)
{
  Pod out;
  const json& metadata = object_at(pod, "metadata", "pod");
  const json& spec = object_at(pod, "spec", "pod");
  const json& status = object_at(pod, "status", "pod");
  out.ns = string_at(metadata, "namespace", "pod.metadata");
  out.name = string_at(metadata, "name", "pod.metadata");
  out.terminating = !string_at(metadata, "deletionTimestamp", "pod.metadata").empty();
  for (const auto& [key, value] : object_at(metadata, "labels", "pod.metadata").items()) {
    if (value.is_string()) {
      out.labels[key] = value.get<std::string>();
    }
  }
  out.node = string_at(spec, "nodeName", "pod.spec");
  out.phase = string_at(status, "phase", "pod.status");

  if (const json* containers = member(spec, "containers", json::value_t::array, "pod.spec")) {
    for (const auto& c : *containers) {
      Container container;
      container.name = string_at(c, "name", "pod.spec.containers[]");
      container.command = strings_at(c, "command", "pod.spec.containers[]");
      container.args = strings_at(c, "args", "pod.spec.containers[]");
      container.image = string_at(c, "image", "pod.spec.containers[]");
      out.containers.push_back(std::move(container));
    }
  }
  if (const json* statuses = member(status, "containerStatuses", json::value_t::array, "pod.status")) {
    for (const auto& s : *statuses) {
      const std::string name = string_at(s, "name", "pod.status.containerStatuses[]");
      const auto flag = s.find("ready"); // value() would throw on a non-boolean
      const bool ready = flag != s.end() && flag->is_boolean() && flag->get<bool>();
      for (auto& container : out.containers) {
        if (container.name == name) {
          container.ready = ready;
        }
      }
    }
  }
  if (const json* conditions = member(status, "conditions", json::value_t::array, "pod.status")) {
    for (const auto& condition : *conditions) {
      if (string_at(condition, "type", "pod.status.conditions[]") == "Ready") {
        out.ready = string_at(condition, "status", "pod.status.conditions[]") == "True";
      }
    }
  }
  return out;
}

std::vector<Pod>
pods_from_list(const json& list)
{
  std::vector<Pod> pods;
  if (const json* items = member(list, "items", json::value_t::array, "pod list")) {
    pods.reserve(items->size());
    for (const auto& item : *items) {
      pods.push_back(pod_from_json(item));
    }
  }
  return pods;
}

const JsonFields&
pod_list_fields()
{
  static const JsonFields fields{
      "metadata.continue",
      "items.metadata.namespace",
      "items.metadata.name",
      "items.metadata.deletionTimestamp",
      "items.metadata.labels",
      "items.spec.nodeName",
      "items.spec.containers.name",
      "items.spec.containers.command",
      "items.spec.containers.args",
      "items.spec.containers.image",
      "items.status.phase",
      "items.status.containerStatuses.name",
      "items.status.containerStatuses.ready",
      "items.status.conditions.type",
      "items.status.conditions.status",
  };
  return fields;
}

std::string
list_continue(const json& list)
{
  return string_at(object_at(list, "metadata", "list"), "continue", "list.metadata");
}

namespace {

// A std::string's heap block, if it has one (a short string lives inside the object).
std::size_t
heap_bytes(const std::string& text)
{
  return text.capacity() > std::string().capacity() ? text.capacity() + 1 : 0;
}

std::size_t
heap_bytes(const std::vector<std::string>& texts)
{
  std::size_t bytes = texts.capacity() * sizeof(std::string);
  for (const auto& text : texts) {
    bytes += heap_bytes(text);
  }
  return bytes;
}

} // namespace

std::size_t
held_bytes(const Pod& pod)
{
  constexpr std::size_t k_map_node = 32 + 2 * sizeof(std::string); // red-black node header, key, value
  std::size_t bytes = sizeof(Pod) + heap_bytes(pod.ns) + heap_bytes(pod.name) + heap_bytes(pod.node) +
                      heap_bytes(pod.phase) + pod.containers.capacity() * sizeof(Container);
  for (const auto& [key, value] : pod.labels) {
    bytes += k_map_node + heap_bytes(key) + heap_bytes(value);
  }
  for (const auto& container : pod.containers) {
    bytes += heap_bytes(container.name) + heap_bytes(container.image) + heap_bytes(container.command) +
             heap_bytes(container.args);
  }
  return bytes;
}

std::size_t
held_bytes(const Node& node)
{
  constexpr std::size_t k_map_node = 32 + 2 * sizeof(std::string); // red-black node header, key, value
  std::size_t bytes = sizeof(Node) + heap_bytes(node.name);
  for (const auto& [key, value] : node.annotations) {
    bytes += k_map_node + heap_bytes(key) + heap_bytes(value);
  }
  return bytes;
}

std::size_t
held_bytes(const CertificateSigningRequest& csr)
{
  return sizeof(csr) + heap_bytes(csr.name) + heap_bytes(csr.signer) + heap_bytes(csr.state);
}

Secret
secret_from_json(const json& secret)
{
  Secret out;
  const json& metadata = object_at(secret, "metadata", "secret");
  out.ns = string_at(metadata, "namespace", "secret.metadata");
  out.name = string_at(metadata, "name", "secret.metadata");
  out.resource_version = string_at(metadata, "resourceVersion", "secret.metadata");
  out.type = string_at(secret, "type", "secret");
  for (const auto& [key, value] : object_at(secret, "data", "secret").items()) {
    if (!value.is_string()) {
      throw ApiError(0, "", fmt::format("unexpected API answer: secret {} data.{} is not a string", out.name, key));
    }
    try {
      out.data[key] = util::base64_decode(value.get<std::string>());
    } catch (const util::Error& e) {
      throw ApiError(0, "", fmt::format("secret {}/{} key {}: {}", out.ns, out.name, key, e.what()));
    }
  }
  return out;
}

json
secret_to_json(const Secret& secret)
{
  json data = json::object();
  for (const auto& [key, value] : secret.data) {
    data[key] = util::base64_encode(value);
  }
  json metadata = {{"name", secret.name}, {"namespace", secret.ns}};
  if (!secret.resource_version.empty()) {
    metadata["resourceVersion"] = secret.resource_version;
  }
  return json{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", metadata},
              {"type", secret.type.empty() ? "Opaque" : secret.type},
              {"data", data}};
}

namespace {

long
number_at(const json& object, const char* key, const char* where)
{
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return 0;
  }
  if (!it->is_number_integer()) {
    throw ApiError(0, "", fmt::format("unexpected API answer: {}.{} is not an integer", where, key));
  }
  return it->get<long>();
}

std::map<std::string, std::string>
string_map_at(const json& object, const char* key, const char* where)
{
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object_at(object, key, where).items()) {
    if (value.is_string()) {
      out[name] = value.get<std::string>();
    }
  }
  return out;
}

std::vector<std::string>
names_at(const json& object, const char* key, const char* where)
{
  std::vector<std::string> out;
  if (const json* list = member(object, key, json::value_t::array, where)) {
    for (const auto& item : *list) {
      out.push_back(string_at(item, "name", where));
    }
  }
  return out;
}

} // namespace

std::vector<CertificateSigningRequest>
csrs_from_list(const json& list)
{
  std::vector<CertificateSigningRequest> out;
  const json* items = member(list, "items", json::value_t::array, "CSR list");
  if (items == nullptr) {
    return out;
  }
  for (const auto& item : *items) {
    CertificateSigningRequest csr;
    const json& metadata = object_at(item, "metadata", "CSR");
    const json& status = object_at(item, "status", "CSR");
    csr.name = string_at(metadata, "name", "CSR.metadata");
    csr.signer = string_at(object_at(item, "spec", "CSR"), "signerName", "CSR.spec");
    csr.created = parse_rfc3339(string_at(metadata, "creationTimestamp", "CSR.metadata")).value_or(csr.created);
    csr.state = "Pending";
    if (const json* conditions = member(status, "conditions", json::value_t::array, "CSR.status")) {
      for (const auto& condition : *conditions) {
        const std::string type = string_at(condition, "type", "CSR.status.conditions[]");
        if (string_at(condition, "status", "CSR.status.conditions[]") == "False") {
          continue;
        }
        // Denied and Failed are final; Approved is, until the signer fills in the certificate.
        if (type == "Denied" || type == "Failed" || (type == "Approved" && csr.state == "Pending")) {
          csr.state = type;
        }
      }
    }
    if (csr.state == "Approved" && !string_at(status, "certificate", "CSR.status").empty()) {
      csr.state = "Issued";
    }
    out.push_back(std::move(csr));
  }
  return out;
}

std::vector<Node>
nodes_from_list(const json& list)
{
  std::vector<Node> out;
  const json* items = member(list, "items", json::value_t::array, "node list");
  if (items == nullptr) {
    return out;
  }
  for (const auto& item : *items) {
    const json& metadata = object_at(item, "metadata", "node");
    out.push_back(
        {string_at(metadata, "name", "node.metadata"), string_map_at(metadata, "annotations", "node.metadata")});
  }
  return out;
}

const JsonFields&
node_list_fields()
{
  static const JsonFields fields{"metadata.continue", "items.metadata.name", "items.metadata.annotations"};
  return fields;
}

const JsonFields&
csr_list_fields()
{
  static const JsonFields fields{
      "metadata.continue",        "items.metadata.name",          "items.metadata.creationTimestamp",
      "items.spec.signerName",    "items.status.conditions.type", "items.status.conditions.status",
      "items.status.certificate",
  };
  return fields;
}

Workload
workload_from_json(const json& object)
{
  Workload out;
  out.kind = string_at(object, "kind", "workload");
  const json& metadata = object_at(object, "metadata", "workload");
  const json& spec = object_at(object, "spec", "workload");
  const json& status = object_at(object, "status", "workload");
  const json& pod_spec = object_at(object_at(spec, "template", "workload.spec"), "spec", "workload.spec.template");
  out.ns = string_at(metadata, "namespace", "workload.metadata");
  out.name = string_at(metadata, "name", "workload.metadata");
  out.labels = string_map_at(metadata, "labels", "workload.metadata");
  out.annotations = string_map_at(metadata, "annotations", "workload.metadata");
  out.generation = number_at(metadata, "generation", "workload.metadata");
  out.observed_generation = number_at(status, "observedGeneration", "workload.status");
  if (const json* containers = member(pod_spec, "containers", json::value_t::array, "workload.spec.template.spec")) {
    for (const auto& c : *containers) {
      WorkloadContainer container;
      container.name = string_at(c, "name", "workload containers[]");
      container.args = strings_at(c, "args", "workload containers[]");
      container.volume_mounts = names_at(c, "volumeMounts", "workload containers[].volumeMounts[]");
      out.containers.push_back(std::move(container));
    }
  }
  out.volumes = names_at(pod_spec, "volumes", "workload.spec.template.spec.volumes[]");
  if (out.kind == "DaemonSet") {
    out.desired = number_at(status, "desiredNumberScheduled", "workload.status");
    out.updated = number_at(status, "updatedNumberScheduled", "workload.status");
    out.available = number_at(status, "numberAvailable", "workload.status");
  } else {
    const auto replicas = spec.find("replicas");
    out.desired = replicas == spec.end() ? 1 : number_at(spec, "replicas", "workload.spec"); // the API's default
    out.updated = number_at(status, "updatedReplicas", "workload.status");
    out.available = number_at(status, "availableReplicas", "workload.status");
  }
  return out;
}

} // namespace kube
