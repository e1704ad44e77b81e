#pragma once
// JSON over HTTPS to the API server (cpp-httplib over OpenSSL): authentication headers,
// server verification, kubectl-like errors, retries of 429/5xx with backoff, and bounded
// memory: a body is refused while it arrives once it passes its limit or the command's budget.

#include "kube/bounded_json.hpp"
#include "kube/client_config.hpp"
#include "kube/credentials.hpp"
#include "util/deadline.hpp"
#include "util/memory_budget.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace httplib {
class SSLClient;
}

namespace kube {

struct RetryPolicy {
  int max_attempts = 5;                        // 1 = no retry
  std::chrono::milliseconds base_backoff{200}; // doubled per attempt, capped at max_backoff
  std::chrono::milliseconds max_backoff{5000};
  // Waits between attempts; tests replace it to record instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A page of 500 pods with managedFields is about 5 MB; a body ten times that is no list we ask for.
inline constexpr std::size_t k_max_response = 64 * util::k_mib;

struct RestOptions {
  std::chrono::milliseconds request_timeout{0}; // bounds a request including its retries; 0 = none
  RetryPolicy retry;
  std::function<void(const std::string&)> log;               // -v lines, or empty
  util::Deadline command_deadline = util::Deadline::never(); // bounds each request and the exec plugin too
  // A body, and then the JSON parsed from it, is charged here while the request holds it.
  util::MemoryBudget* budget = nullptr;
  std::size_t max_response = k_max_response; // bytes of one response body
};

class RestClient {
public:
  RestClient(const ClientConfig& config, RestOptions options);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // `path` includes the query ("/api/v1/namespaces/x/pods?labelSelector=a%3Db"). Throws ApiError
  // for HTTP errors (after retries), TransportError when the server cannot be reached,
  // util::MemoryLimitError for a body over max_response or the budget. With `fields`, only those
  // members of the answer are kept (see kube/bounded_json.hpp).
  nlohmann::json get(const std::string& path, const JsonFields& fields = {});
  nlohmann::json post(const std::string& path, const nlohmann::json& body);
  nlohmann::json put(const std::string& path, const nlohmann::json& body);
  // An RFC 6902 JSON patch (application/json-patch+json); its `test` ops make it conditional.
  nlohmann::json json_patch(const std::string& path, const nlohmann::json& ops);

  const Endpoint& endpoint() const { return m_endpoint; }
  const std::string& server() const { return m_server; }
  util::MemoryBudget* budget() const { return m_options.budget; }
  Credentials& credentials() { return m_credentials; }

private:
  nlohmann::json send(const std::string& method, const std::string& path, const std::string* body,
                      const JsonFields& fields = {});

  Endpoint m_endpoint;
  std::string m_server;
  RestOptions m_options;
  Credentials m_credentials;
  std::mutex m_mutex; // httplib::Client is used by one request at a time
  std::unique_ptr<httplib::SSLClient> m_http;
};

} // namespace kube
