#pragma once
// JSON over HTTPS to the API server (cpp-httplib over OpenSSL): authentication headers,
// server verification, kubectl-like errors, and retries of 429/5xx with backoff.

#include "kube/client_config.hpp"
#include "kube/credentials.hpp"

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

struct RestOptions {
  std::chrono::milliseconds request_timeout{0}; // bounds a request including its retries; 0 = none
  RetryPolicy retry;
  std::function<void(const std::string&)> log; // -v lines, or empty
};

class RestClient {
public:
  RestClient(const ClientConfig& config, RestOptions options);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // `path` includes the query ("/api/v1/namespaces/x/pods?labelSelector=a%3Db"). Throws ApiError
  // for HTTP errors (after retries), TransportError when the server cannot be reached.
  nlohmann::json get(const std::string& path);
  nlohmann::json post(const std::string& path, const nlohmann::json& body);
  nlohmann::json put(const std::string& path, const nlohmann::json& body);
  // An RFC 6902 JSON patch (application/json-patch+json); its `test` ops make it conditional.
  nlohmann::json json_patch(const std::string& path, const nlohmann::json& ops);

  const Endpoint& endpoint() const { return m_endpoint; }
  Credentials& credentials() { return m_credentials; }

private:
  nlohmann::json send(const std::string& method, const std::string& path, const std::string* body);

  Endpoint m_endpoint;
  std::string m_server;
  RestOptions m_options;
  Credentials m_credentials;
  std::mutex m_mutex; // httplib::Client is used by one request at a time
  std::unique_ptr<httplib::SSLClient> m_http;
};

} // namespace kube
