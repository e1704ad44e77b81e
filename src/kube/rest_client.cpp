#include "kube/rest_client.hpp"

#include "kube/api_status.hpp"
#include "kube/errors.hpp"
#include "kube/tls_context.hpp"
#include "util/duration.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace kube {

namespace {

using Clock = std::chrono::steady_clock;

// Per-attempt socket timeouts when --request-timeout is unset: long enough for a slow list,
// short enough that a dead server does not hang the command.
constexpr std::chrono::seconds k_default_io_timeout{30};
constexpr std::chrono::seconds k_rest_connect_timeout{10};

bool
retryable(int status, const std::string& method)
{
  if (status == 429) {
    return true; // the server did not process the request: always safe to repeat
  }
  if (method == "GET") {
    return status >= 500 && status <= 504;
  }
  // A write that got a 500 may have been applied; only "not processed" answers are repeated.
  return status == 503;
}

std::chrono::milliseconds
retry_after(const httplib::Response& res)
{
  if (!res.has_header("Retry-After")) {
    return std::chrono::milliseconds{-1};
  }
  try {
    const long seconds = std::stol(res.get_header_value("Retry-After"));
    return std::chrono::seconds{std::clamp(seconds, 0L, 60L)};
  } catch (const std::exception&) {
    return std::chrono::milliseconds{-1}; // an HTTP date: fall back to our own backoff
  }
}

// The certificate problem seen by the last handshake on this thread. httplib reports only
// "SSL connection failed"; our verify callback keeps the reason so the error can name it.
thread_local long t_verify_error = X509_V_OK;

int
record_verify_error(int preverify_ok, X509_STORE_CTX* store)
{
  if (preverify_ok == 0 && t_verify_error == X509_V_OK) {
    t_verify_error = X509_STORE_CTX_get_error(store);
  }
  return preverify_ok;
}

std::string
describe_transport_error(httplib::Error error, long verify_result, const std::string& server)
{
  switch (error) {
  case httplib::Error::Connection:
    return fmt::format("the connection to the server {} was refused or failed - is the server address right?", server);
  case httplib::Error::ConnectionTimeout:
    return fmt::format("connecting to the server {} timed out", server);
  case httplib::Error::Read:
    return fmt::format("reading from the server {} failed (connection closed or timed out)", server);
  case httplib::Error::Write:
    return fmt::format("writing to the server {} failed (connection closed)", server);
  case httplib::Error::SSLServerVerification:
  case httplib::Error::SSLConnection:
    if (verify_result == X509_V_ERR_HOSTNAME_MISMATCH || verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      return fmt::format("TLS: the certificate of {} is not valid for that host name ({})", server,
                         X509_verify_cert_error_string(verify_result));
    }
    if (verify_result != X509_V_OK) {
      return fmt::format("TLS: cannot verify the certificate of {}: {}", server,
                         X509_verify_cert_error_string(verify_result));
    }
    return fmt::format("TLS handshake with {} failed", server);
  case httplib::Error::SSLLoadingCerts:
    return fmt::format("TLS: cannot load the CA or client certificate for {}", server);
  default:
    return fmt::format("request to {} failed: {}", server, httplib::to_string(error));
  }
}

} // namespace

namespace {

// An exec credential plugin runs inside a request: with --request-timeout it gets that long at
// most (client-go lets it run unbounded; a hung plugin must not hold the command for minutes).
// Calls `fire` once at `deadline` unless destroyed first (a time_point::max() deadline: never,
// and no thread is started).
class Watchdog {
public:
  Watchdog(std::chrono::steady_clock::time_point deadline, std::function<void()> fire)
  {
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      return;
    }
    m_thread = std::thread([this, deadline, fire = std::move(fire)] {
      std::unique_lock lock(m_mutex);
      if (!m_cv.wait_until(lock, deadline, [this] { return m_done; })) {
        fire();
      }
    });
  }
  ~Watchdog()
  {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  std::thread m_thread;
};

CredentialsOptions
credential_options(const RestOptions& rest)
{
  CredentialsOptions options;
  options.request_timeout = rest.request_timeout;
  options.command_deadline = rest.command_deadline;
  return options;
}

} // namespace

RestClient::RestClient(const ClientConfig& config, RestOptions options)
    : m_endpoint(config.endpoint), m_server(config.server), m_options(std::move(options)),
      m_credentials(config, credential_options(m_options))
{
  if (!m_options.retry.sleep) {
    m_options.retry.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (auto cert = m_credentials.client_certificate()) {
    m_endpoint.tls.client_cert_pem = cert->first;
    m_endpoint.tls.client_key_pem = cert->second;
  }
  // httplib checks the certificate against the name it connects to; with tls-server-name
  // that differs from the URL host, connect by that name and map it to the real address.
  const std::string& tls_name = m_endpoint.tls.server_name.empty() ? m_endpoint.host : m_endpoint.tls.server_name;
  m_http = std::make_unique<httplib::SSLClient>(tls_name, m_endpoint.port);
  if (tls_name != m_endpoint.host) {
    m_http->set_hostname_addr_map({{tls_name, m_endpoint.host}});
  }
  // Verification is ours, not httplib's: httplib would add the system roots to a kubeconfig's
  // CA (kubectl trusts only that CA) and would hide why a certificate was refused.
  SSL_CTX* ctx = m_http->ssl_context();
  configure_ssl_ctx(ctx, m_endpoint.tls);
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), record_verify_error);
  m_http->enable_server_certificate_verification(false);
  m_http->set_keep_alive(true);
  m_http->set_connection_timeout(k_rest_connect_timeout);
}

RestClient::~RestClient() = default;

nlohmann::json
RestClient::get(const std::string& path, const JsonFields& fields)
{
  return send("GET", path, nullptr, fields);
}

nlohmann::json
RestClient::post(const std::string& path, const nlohmann::json& body)
{
  const std::string text = body.dump();
  return send("POST", path, &text);
}

nlohmann::json
RestClient::put(const std::string& path, const nlohmann::json& body)
{
  const std::string text = body.dump();
  return send("PUT", path, &text);
}

nlohmann::json
RestClient::json_patch(const std::string& path, const nlohmann::json& ops)
{
  const std::string text = ops.dump();
  return send("PATCH", path, &text);
}

nlohmann::json
RestClient::send(const std::string& method, const std::string& path, const std::string* body, const JsonFields& fields)
{
  const std::string full_path = m_endpoint.base_path + path;
  const std::string from = fmt::format("response from {}{}", m_server, path);
  const auto start = Clock::now();
  const auto timeout = m_options.request_timeout;
  // --request-timeout bounds this request, retries included; a command with its own deadline
  // (on/off --timeout) gets no more than what is left of it.
  auto deadline = timeout.count() > 0 ? start + timeout : Clock::time_point::max();
  bool by_command = false; // the command's deadline comes first
  if (!m_options.command_deadline.is_never() && start + m_options.command_deadline.remaining() < deadline) {
    deadline = start + m_options.command_deadline.remaining();
    by_command = true;
  }
  const bool bounded = deadline != Clock::time_point::max();
  bool reauthenticated = false;

  for (int attempt = 1;; ++attempt) {
    httplib::Request request;
    request.method = method;
    request.path = full_path;
    request.headers = {{"Accept", "application/json"}, {"User-Agent", "kubectl-ko-ipsec"}};
    if (m_endpoint.tls.server_name != m_endpoint.host && !m_endpoint.tls.server_name.empty()) {
      request.headers.emplace("Host", fmt::format("{}:{}", m_endpoint.host, m_endpoint.port));
    }
    for (auto& [name, value] : m_credentials.headers()) {
      request.headers.emplace(name, value);
    }
    if (body != nullptr) {
      request.body = *body;
      request.headers.emplace("Content-Type", method == "PATCH" ? "application/json-patch+json" : "application/json");
    }

    // The body is taken in as it arrives, so one over its limit is refused there, not after.
    std::string received;
    util::MemoryCharge received_charge(m_options.budget);
    std::optional<util::MemoryLimitError> refused;
    request.response_handler = [&](const httplib::Response& response) {
      const auto length = response.get_header_value<uint64_t>("Content-Length");
      if (length > m_options.max_response) {
        refused = util::exceeds_limit(from, m_options.max_response);
        return false;
      }
      return true;
    };
    request.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      switch (util::append_charged(received, std::string_view(data, size), m_options.max_response, received_charge)) {
      case util::Growth::ok:
        return true;
      case util::Growth::too_big:
        refused = util::exceeds_limit(from, m_options.max_response);
        return false;
      case util::Growth::over_budget:
        refused = util::exceeds_budget(from, m_options.budget->limit());
        return false;
      }
      return false;
    };

    t_verify_error = X509_V_OK;
    httplib::Result result = [&] {
      std::lock_guard lock(m_mutex);
      auto io_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(k_default_io_timeout);
      if (bounded) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        io_timeout = std::max(std::min(io_timeout, left), std::chrono::milliseconds{1});
      }
      m_http->set_read_timeout(io_timeout);
      m_http->set_write_timeout(io_timeout);
      // The read timeout is per read: a server sending a byte a second never trips it. The
      // watchdog stops the request when --request-timeout is over, whatever the server does.
      const Watchdog watchdog(deadline, [this] { m_http->stop(); });
      return m_http->send(request);
    }();
    if (m_options.log) {
      m_options.log(fmt::format("{} {}{} -> {}", method, m_server, path,
                                refused  ? std::string("refused: too large")
                                : result ? std::to_string(result->status)
                                         : httplib::to_string(result.error())));
    }
    if (refused) {
      throw *refused;
    }
    if (!result) {
      if (Clock::now() >= deadline) {
        const auto why = by_command
                             ? std::string("no answer before the command's --timeout ran out")
                             : fmt::format("timed out after {} (--request-timeout)", util::format_duration(timeout));
        throw TransportError(fmt::format("{} {}{}: {}", method, m_server, path, why), true);
      }
      throw TransportError(describe_transport_error(result.error(), t_verify_error, m_server), false);
    }
    const int status = result->status;
    if (status >= 200 && status < 300) {
      util::MemoryCharge parsed_charge(m_options.budget);
      auto json = parse_json_within(received, fields, parsed_charge, from);
      received = std::string();
      received_charge.reset();
      if (json.is_discarded()) {
        throw ApiError(status, "",
                       fmt::format("{} {}: the server answered with something that is not JSON", method, path));
      }
      return json;
    }
    if (status == 401 && !reauthenticated && m_credentials.invalidate()) {
      reauthenticated = true; // an expired exec-plugin credential: fetch a new one once, as client-go does
      continue;
    }
    if (attempt < m_options.retry.max_attempts && retryable(status, method)) {
      auto wait = retry_after(*result);
      if (wait.count() < 0) {
        wait = std::min(m_options.retry.base_backoff * (1 << std::min(attempt - 1, 10)), m_options.retry.max_backoff);
      }
      if (Clock::now() + wait < deadline) {
        m_options.retry.sleep(wait);
        continue;
      }
    }
    throw api_error_from_response(status, received, fmt::format("{} {}", method, path));
  }
}

} // namespace kube
