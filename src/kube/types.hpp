#pragma once
// Plain data about cluster objects and exec, shared by kube/ (which fills them) and ipsec/
// (which reasons about them without doing any I/O).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace util {
class MemoryBudget;
class MemoryCharge;
} // namespace util

namespace kube {

struct Container {
  std::string name;
  std::vector<std::string> command;
  std::vector<std::string> args;
  bool ready = false;
  std::string image;
};

// A Node, as far as the plugin reads it: its name and annotations (Kube-OVN's
// `ovn.kubernetes.io/chassis` names its OVN chassis).
struct Node {
  std::string name;
  std::map<std::string, std::string> annotations;
};

struct Pod {
  std::string ns;
  std::string name;
  std::string node;         // spec.nodeName, "" when not scheduled
  std::string phase;        // status.phase
  bool ready = false;       // condition Ready=True
  bool terminating = false; // metadata.deletionTimestamp set
  std::map<std::string, std::string> labels;
  std::vector<Container> containers;
};

struct ExecRequest {
  std::string ns;
  std::string pod;
  std::string container;
  std::vector<std::string> command;
  std::optional<std::string> stdin_data; // sent then closed (v5) when set
  std::chrono::milliseconds timeout{0};  // whole-exec deadline; 0 = none
  // When set, stdout is passed here as it arrives instead of being kept in ExecResult::out.
  std::function<void(std::string_view)> stdout_sink;
  // The command's memory budget, set by the cluster: kept output is charged to it (nullptr: only
  // the per-exec limit applies).
  util::MemoryBudget* budget = nullptr;
  // The command prints nothing until it is done by design (a key generation, a capture window):
  // --request-timeout then does not bound its silences; `timeout` still bounds it whole.
  bool may_be_silent = false;
};

struct ExecResult {
  int exit_code = 0;
  std::string out;
  std::string err;
  // Keeps out and err charged to the command's budget while any copy of this result lives.
  std::shared_ptr<const util::MemoryCharge> held = nullptr;
};

struct Secret {
  std::string ns;
  std::string name;
  std::string type = "Opaque";
  std::string resource_version;            // "" on create
  std::map<std::string, std::string> data; // decoded bytes
};

// A certificates.k8s.io/v1 CertificateSigningRequest, as far as `status` reports it.
struct CertificateSigningRequest {
  std::string name;
  std::string signer;                              // spec.signerName
  std::string state;                               // "Pending", "Approved", "Denied", "Failed", "Issued"
  std::chrono::system_clock::time_point created{}; // metadata.creationTimestamp; epoch when absent
};

// The parts of an apps/v1 Deployment or DaemonSet that turning Kube-OVN's IPsec on or off
// touches and watches. Containers, mounts and volumes keep the object's order: JSON patches
// address them by index.
struct WorkloadContainer {
  std::string name;
  std::vector<std::string> args;
  std::vector<std::string> volume_mounts; // names
};

struct Workload {
  std::string kind; // "Deployment" or "DaemonSet"
  std::string ns;
  std::string name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  long generation = 0;
  long observed_generation = 0;
  std::vector<WorkloadContainer> containers; // spec.template.spec.containers
  std::vector<std::string> volumes;          // spec.template.spec.volumes, names
  // Rollout counters: Deployment spec.replicas / status.updatedReplicas / availableReplicas;
  // DaemonSet status.desiredNumberScheduled / updatedNumberScheduled / numberAvailable.
  long desired = 0;
  long updated = 0;
  long available = 0;
};

} // namespace kube
