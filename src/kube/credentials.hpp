#pragma once
// Per-request credentials for the API server, from a resolved ClientConfig: bearer token (static,
// or a token file re-read at most once a minute), basic auth, client certificate, impersonation,
// and client-go exec credential plugins (cached until expiry, re-run after a 401).

#include "kube/client_config.hpp"
#include "util/deadline.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kube {

// Knobs for tests; the defaults are what the plugin uses.
struct CredentialsOptions {
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
  std::function<bool()> stdin_is_terminal; // default: isatty(0)
  // How long the exec plugin may run: what is left of command_deadline (the command's --timeout)
  // when it has one, else exec_timeout; never longer than request_timeout (0 = no cap).
  std::chrono::milliseconds exec_timeout = std::chrono::minutes(2);
  util::Deadline command_deadline = util::Deadline::never();
  std::chrono::milliseconds request_timeout{0};
  std::chrono::seconds token_file_refresh = std::chrono::seconds(60);
};

// What an exec credential plugin returned.
struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry; // none = valid for the process lifetime
};

class Credentials { // thread-safe
public:
  explicit Credentials(const ClientConfig& config);
  Credentials(const ClientConfig& config, CredentialsOptions options);
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;

  // Headers for the next request: Authorization (Bearer/Basic) and Impersonate-User/-Group/-Uid.
  // May run the exec plugin (once, however many threads ask). Throws ConfigError.
  std::vector<std::pair<std::string, std::string>> headers();
  // Client certificate+key PEMs to present in TLS: from the config, or from the exec plugin's output.
  std::optional<std::pair<std::string, std::string>> client_certificate();
  // After a 401: forget a cached exec credential (and re-read the token file). True if retrying may help.
  bool invalidate();

private:
  bool uses_token_file() const;
  bool uses_exec() const;
  std::string file_token_locked(bool force);
  const ExecCredential& exec_credential_locked();
  void remember_generation_locked();

  ClientConfig m_config;
  CredentialsOptions m_options;
  std::uint64_t m_id; // process-unique, for the per-thread "last credential sent" record
  std::mutex m_mutex; // guards all below; held while the plugin runs so it runs only once
  std::string m_file_token;
  std::optional<std::chrono::system_clock::time_point> m_file_read_at;
  std::optional<ExecCredential> m_exec;
  std::uint64_t m_generation = 0; // bumped whenever the credential in use changes
};

// The KUBERNETES_EXEC_INFO value for this config (cluster details only with provideClusterInfo).
std::string exec_info_json(const ClientConfig& config, bool interactive);

// Parses a plugin's stdout like client-go. Throws ConfigError "getting credentials: <client-go text>".
ExecCredential parse_exec_credential(std::string_view output, const std::string& api_version);

// Runs config.exec once (stderr passes through; stdin only when interactive) and parses its
// output. Throws ConfigError worded like kubectl ("getting credentials: exec: executable X ...");
// one still running at `timeout` is killed: "... X timed out after 2s (`limit_source`) and was killed".
ExecCredential run_exec_plugin(const ClientConfig& config, std::chrono::milliseconds timeout, bool stdin_is_terminal,
                               std::string_view limit_source = {});

// An RFC 3339 time ("2026-05-01T10:00:00Z", "...05.5+02:00"); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// client-go's cleanANSIEscapeCodes: control characters other than \t..\r become "U+001B" etc.
std::string sanitize_install_hint(std::string_view text);

} // namespace kube
