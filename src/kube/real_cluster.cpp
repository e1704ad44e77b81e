#include "kube/cluster.hpp"

#include "kube/errors.hpp"
#include "kube/exec_limit.hpp"
#include "kube/exec_websocket.hpp"
#include "kube/list_pager.hpp"
#include "kube/resource_json.hpp"
#include "kube/rest_client.hpp"
#include "util/memory_budget.hpp"
#include "util/url.hpp"

#include <fmt/format.h>

#include <memory>
#include <mutex>

namespace kube {

namespace {

// What one command may hold at once of what pods and the API server send (kept exec output,
// response bodies, their parsed JSON, listed objects). The commands' real data is KBs per
// node; this lets twenty execs at their own 16 MiB limit, or a 64 MiB response, fail cleanly
// with the process well under 256 MB.
constexpr std::size_t k_command_memory_limit = 128 * util::k_mib;

// apps/v1 deployments / daemonsets.
std::string
workload_path(const std::string& kind, const std::string& ns, const std::string& name)
{
  return fmt::format("/apis/apps/v1/namespaces/{}/{}/{}", util::percent_encode(ns),
                     kind == "DaemonSet" ? "daemonsets" : "deployments", util::percent_encode(name));
}

// Named assignments, not an aggregate with `{}` for the retry policy: GCC 12 at -O3 (the release
// build) reports the brace-initialised std::function inside it as maybe-uninitialized.
RestOptions
rest_options(const ClusterOptions& options, util::MemoryBudget& budget)
{
  RestOptions rest;
  rest.request_timeout = options.request_timeout;
  rest.log = options.log;
  rest.command_deadline = options.command_deadline;
  rest.budget = &budget;
  return rest;
}

class RealCluster final : public Cluster {
public:
  RealCluster(const ClientConfig& config, const ClusterOptions& options)
      : m_rest(config, rest_options(options, m_budget)), m_request_timeout(options.request_timeout),
        m_limiter(options.exec_limit, options.notice)
  {
    util::return_large_blocks_when_freed();
  }

  std::vector<Pod> list_pods(const std::string& ns, const std::string& label_selector,
                             const std::string& field_selector) override
  {
    ListQuery query{fmt::format("/api/v1/namespaces/{}/pods", util::percent_encode(ns)), {}, &pod_list_fields()};
    if (!label_selector.empty()) {
      query.params.emplace_back("labelSelector", label_selector);
    }
    if (!field_selector.empty()) {
      query.params.emplace_back("fieldSelector", field_selector);
    }
    return list_all(m_rest, query, pods_from_list);
  }

  ExecResult exec(const ExecRequest& asked) override
  {
    ExecRequest request = asked;
    request.budget = &m_budget;
    auto slot = m_limiter.acquire();
    ExecRetryPolicy retry;
    retry.on_throttled = [&slot] { slot.report(ExecSignal::overload); };
    try {
      return exec_in_slot(request, retry, slot);
    } catch (const ApiError& e) {
      // An exec-plugin credential that expired between requests: refresh once, as for REST.
      if (e.status() != 401 || !m_rest.credentials().invalidate()) {
        throw;
      }
    }
    return exec_in_slot(request, retry, slot);
  }

  std::optional<Secret> get_secret(const std::string& ns, const std::string& name) override
  {
    try {
      return secret_from_json(m_rest.get(secret_path(ns, name)));
    } catch (const ApiError& e) {
      if (e.status() == 404) {
        return std::nullopt;
      }
      throw;
    }
  }

  Secret create_secret(const Secret& secret) override
  {
    return secret_from_json(m_rest.post(fmt::format("/api/v1/namespaces/{}/secrets", util::percent_encode(secret.ns)),
                                        secret_to_json(secret)));
  }

  std::vector<Node> list_nodes() override
  {
    return list_all(m_rest, {"/api/v1/nodes", {}, &node_list_fields()}, nodes_from_list);
  }

  std::vector<CertificateSigningRequest> list_csrs() override
  {
    return list_all(m_rest, {"/apis/certificates.k8s.io/v1/certificatesigningrequests", {}, &csr_list_fields()},
                    csrs_from_list);
  }

  std::optional<Workload> get_workload(const std::string& kind, const std::string& ns, const std::string& name) override
  {
    try {
      return workload_from_json(m_rest.get(workload_path(kind, ns, name)));
    } catch (const ApiError& e) {
      if (e.status() == 404) {
        return std::nullopt;
      }
      throw;
    }
  }

  Workload patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                          const std::string& ops) override
  {
    return workload_from_json(m_rest.json_patch(workload_path(kind, ns, name), nlohmann::json::parse(ops)));
  }

  Secret update_secret(const Secret& secret) override
  {
    return secret_from_json(m_rest.put(secret_path(secret.ns, secret.name), secret_to_json(secret)));
  }

private:
  // One TLS context for every exec, made on the first one (a command that only lists pods
  // never pays for it): the CA is parsed once and later handshakes resume the first session.
  SharedTlsContext& shared_tls()
  {
    const std::lock_guard<std::mutex> lock(m_tls_mutex);
    if (!m_tls) {
      TlsConfig tls = m_rest.endpoint().tls;
      if (tls.server_name.empty()) {
        tls.server_name = m_rest.endpoint().host;
      }
      m_tls = std::make_unique<SharedTlsContext>(tls);
    }
    return *m_tls;
  }

  // One exec, its outcome told to the limiter: how fast the upgrade came, or whether the server
  // refused it (429 after every retry, 5xx) or dropped the connection before answering.
  ExecResult exec_in_slot(const ExecRequest& request, const ExecRetryPolicy& retry, ExecLimiter::Slot& slot)
  {
    ExecTrace trace;
    try {
      ExecResult result = exec_over_websocket(m_rest.endpoint(), m_rest.credentials().headers(), request, &trace,
                                              &shared_tls(), retry, m_request_timeout);
      slot.report(m_limiter.pace(trace.upgrade_time));
      return result;
    } catch (const ApiError& e) {
      slot.report(e.status() == 429 || e.status() >= 500 ? ExecSignal::overload : ExecSignal::neutral);
      throw;
    } catch (const TransportError&) {
      slot.report(trace.protocol.empty() ? ExecSignal::overload : ExecSignal::neutral);
      throw;
    }
  }

  static std::string secret_path(const std::string& ns, const std::string& name)
  {
    return fmt::format("/api/v1/namespaces/{}/secrets/{}", util::percent_encode(ns), util::percent_encode(name));
  }

  util::MemoryBudget m_budget{k_command_memory_limit}; // before m_rest, which charges it
  RestClient m_rest;
  std::chrono::milliseconds m_request_timeout; // bounds each exec's upgrade and silences
  std::mutex m_tls_mutex;
  std::unique_ptr<SharedTlsContext> m_tls;
  ExecLimiter m_limiter;
};

} // namespace

std::unique_ptr<Cluster>
make_cluster(const ClientConfig& config, const ClusterOptions& options)
{
  return std::make_unique<RealCluster>(config, options);
}

} // namespace kube
