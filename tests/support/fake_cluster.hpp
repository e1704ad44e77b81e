#pragma once
// A Cluster for tests: pods and secrets held in memory, exec answered by per-pod handlers,
// and every request recorded so tests can assert the exact commands each pod received.

#include "kube/cluster.hpp"
#include "kube/errors.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace testsupport {

struct RecordedExec {
  std::string ns;
  std::string pod;
  std::string container;
  std::vector<std::string> command;
  std::optional<std::string> stdin_data;
};

class FakeCluster : public kube::Cluster {
public:
  using ExecHandler = std::function<kube::ExecResult(const kube::ExecRequest&)>;

  void add_pod(kube::Pod pod);
  // The pod is gone (deleted, or rescheduled under another name).
  void remove_pod(const std::string& name);
  // Answers exec into `pod` (any container); a handler may throw kube errors to simulate failures.
  void on_exec(const std::string& pod, ExecHandler handler);
  // The same, asked before every handler added so far (to override a default).
  void on_exec_first(const std::string& pod, ExecHandler handler);
  // Canned answer for one exact argv in `pod`.
  void on_exec(const std::string& pod, const std::vector<std::string>& argv, kube::ExecResult result);

  std::vector<kube::Pod> list_pods(const std::string& ns, const std::string& label_selector,
                                   const std::string& field_selector) override;
  kube::ExecResult exec(const kube::ExecRequest& request) override;
  std::optional<kube::Secret> get_secret(const std::string& ns, const std::string& name) override;
  kube::Secret create_secret(const kube::Secret& secret) override;
  kube::Secret update_secret(const kube::Secret& secret) override;
  // Workloads are kept as API JSON; a patch is applied with nlohmann's RFC 6902 implementation
  // (a failed `test` is a 422, as kube-apiserver answers) and recorded.
  void add_workload(nlohmann::json object);
  nlohmann::json workload_json(const std::string& kind, const std::string& ns, const std::string& name) const;
  std::optional<kube::Workload> get_workload(const std::string& kind, const std::string& ns,
                                             const std::string& name) override;
  kube::Workload patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                                const std::string& ops) override;
  // Called after every applied patch (e.g. to finish a rollout); may change the stored JSON.
  std::function<void(nlohmann::json& object)> after_patch;
  // "kind ns/name" -> ApiError thrown instead of applying (e.g. 403 for RBAC).
  std::map<std::string, kube::ApiError> refuse_patch;
  std::vector<std::string> patches() const; // "kind ns/name ops"

  std::vector<kube::Node> list_nodes() override;
  std::vector<kube::Node> nodes;              // what list_nodes answers
  std::optional<kube::ApiError> refuse_nodes; // thrown by list_nodes instead (e.g. 403)
  std::vector<kube::CertificateSigningRequest> list_csrs() override;
  std::vector<kube::CertificateSigningRequest> csrs; // what list_csrs answers
  std::optional<kube::ApiError> refuse_csrs;         // thrown by list_csrs instead (e.g. 403)

  std::vector<RecordedExec> execs() const;
  std::vector<std::string> list_calls() const; // "ns|labels|fields"

private:
  mutable std::mutex m_mutex;
  std::vector<kube::Pod> m_pods;
  std::map<std::string, std::vector<ExecHandler>> m_handlers;
  std::map<std::string, kube::Secret> m_secrets;     // key ns/name
  std::map<std::string, nlohmann::json> m_workloads; // key kind/ns/name
  std::vector<std::string> m_patches;
  std::vector<RecordedExec> m_execs;
  std::vector<std::string> m_list_calls;
  int m_resource_version = 100;
};

// A Running, Ready pod with one container.
kube::Pod make_pod(const std::string& ns, const std::string& name, const std::string& node,
                   std::map<std::string, std::string> labels, const std::string& container,
                   std::vector<std::string> args = {});

} // namespace testsupport
