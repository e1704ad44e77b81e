#pragma once
// The one seam between commands and the API server: everything a command may ask of a
// cluster. The real client (make_cluster) speaks HTTPS and WebSocket exec; tests use a fake
// that records every request.

#include "kube/client_config.hpp"
#include "kube/exec_limit.hpp"
#include "kube/types.hpp"
#include "util/deadline.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kube {

class Cluster {
public:
  virtual ~Cluster() = default;
  // Pods in `ns` matching the selectors (kubectl syntax; "" = all).
  virtual std::vector<Pod> list_pods(const std::string& ns, const std::string& label_selector,
                                     const std::string& field_selector) = 0;
  // Runs a command in a container. A non-zero exit is a result, not an exception.
  virtual ExecResult exec(const ExecRequest& request) = 0;
  virtual std::optional<Secret> get_secret(const std::string& ns, const std::string& name) = 0;
  virtual Secret create_secret(const Secret& secret) = 0;
  // Fails with a 409 ApiError when secret.resource_version is stale.
  virtual Secret update_secret(const Secret& secret) = 0;
  // Every Node (cluster-scoped).
  virtual std::vector<Node> list_nodes() = 0;
  // Every certificates.k8s.io/v1 CertificateSigningRequest (cluster-scoped).
  virtual std::vector<CertificateSigningRequest> list_csrs() = 0;
  // apps/v1 `kind` ("Deployment" or "DaemonSet"); nullopt when there is none of that name.
  virtual std::optional<Workload> get_workload(const std::string& kind, const std::string& ns,
                                               const std::string& name) = 0;
  // Applies an RFC 6902 JSON patch (`ops`, JSON text); a failed `test` op is a 422 ApiError and
  // changes nothing. Returns the object as the server has it afterwards.
  virtual Workload patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                                  const std::string& ops) = 0;
};

struct ClusterOptions {
  // Bounds each REST request including retries, and each exec's connect+upgrade and every
  // wait for its data; 0 = none.
  std::chrono::milliseconds request_timeout{0};
  // The command's own deadline (--timeout where it bounds the whole command): an exec
  // credential plugin gets what is left of it instead of its default 2 minutes.
  util::Deadline command_deadline = util::Deadline::never();
  int verbosity = 0;
  std::function<void(const std::string&)> log;    // -v 6 lines (requests) go here
  std::function<void(const std::string&)> notice; // -v 2 lines (the exec limit cut) go here
  // How many execs may be open at once (adaptive unless --concurrency fixed it).
  ExecLimitPolicy exec_limit;
};

// The real client over HTTPS (REST) and WebSocket (exec).
std::unique_ptr<Cluster> make_cluster(const ClientConfig& config, const ClusterOptions& options);

} // namespace kube
