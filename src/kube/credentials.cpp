#include "kube/credentials.hpp"

#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"
#include "util/base64.hpp"

#include <fmt/format.h>

#include <atomic>

#include <unistd.h>

namespace kube {
namespace {

// Which credential generation this thread last sent, so that a 401 for a credential another
// thread has already replaced does not throw the fresh one away (client-go compares the
// credential of the failed request the same way).
// Owners are identified by a process-unique id, not an address that a later instance may reuse.
struct SeenGeneration {
  std::uint64_t owner = 0;
  std::uint64_t generation = 0;
};
thread_local SeenGeneration t_seen;

std::uint64_t
next_instance_id()
{
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

// How long the exec plugin may run now (see CredentialsOptions), and which flag set that ("" for
// the default), for the error when it runs out.
std::pair<std::chrono::milliseconds, std::string_view>
plugin_time_limit(const CredentialsOptions& options)
{
  std::pair<std::chrono::milliseconds, std::string_view> limit{options.exec_timeout, ""};
  if (!options.command_deadline.is_never()) {
    limit = {options.command_deadline.cap(std::chrono::milliseconds::zero()), "what was left of --timeout"};
  }
  if (options.request_timeout.count() > 0 && options.request_timeout < limit.first) {
    limit = {options.request_timeout, "--request-timeout"};
  }
  return limit;
}

} // namespace

Credentials::Credentials(const ClientConfig& config) : Credentials(config, CredentialsOptions{}) {}

Credentials::Credentials(const ClientConfig& config, CredentialsOptions options)
    : m_config(config), m_options(std::move(options)), m_id(next_instance_id())
{
  if (!m_options.now) {
    m_options.now = [] { return std::chrono::system_clock::now(); };
  }
  if (!m_options.stdin_is_terminal) {
    m_options.stdin_is_terminal = [] { return ::isatty(STDIN_FILENO) == 1; };
  }
}

bool
Credentials::uses_token_file() const
{
  return !m_config.token_file.empty();
}

// A token or basic auth already sets Authorization; client-go then never runs the plugin.
bool
Credentials::uses_exec() const
{
  return m_config.exec && m_config.token.empty() && m_config.token_file.empty() && m_config.username.empty() &&
         m_config.password.empty();
}

// client-go's cached file token source: re-read when older than the refresh period; if a
// re-read fails, keep the last good token; if there never was one, use the static token.
std::string
Credentials::file_token_locked(bool force)
{
  const auto now = m_options.now();
  if (force || !m_file_read_at || now - *m_file_read_at >= m_options.token_file_refresh) {
    try {
      std::string token = read_token_file(m_config.token_file);
      if (token != m_file_token) {
        m_file_token = std::move(token);
        ++m_generation;
      }
      m_file_read_at = now;
    } catch (const util::Error& e) {
      if (m_file_token.empty()) {
        if (!m_config.token.empty()) {
          return m_config.token;
        }
        throw ConfigError(std::string("reading bearer token: ") + e.what());
      }
    }
  }
  return m_file_token;
}

const ExecCredential&
Credentials::exec_credential_locked()
{
  if (m_exec && (!m_exec->expiry || m_options.now() <= *m_exec->expiry)) {
    return *m_exec;
  }
  m_exec.reset();
  const auto [timeout, limit_source] = plugin_time_limit(m_options);
  m_exec = run_exec_plugin(m_config, timeout, m_options.stdin_is_terminal(), limit_source);
  ++m_generation;
  return *m_exec;
}

void
Credentials::remember_generation_locked()
{
  t_seen = SeenGeneration{m_id, m_generation};
}

namespace {

// A header value goes into the request as it is: a CR or LF would end the header and start a
// forged one, NUL and other controls are not allowed in HTTP field values (RFC 9110 §5.5).
// Checked once here, where every credential and impersonation value passes, naming its source.
void
check_header_value(std::string_view value, const std::string& source)
{
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
      throw ConfigError(fmt::format("{} contains a control character (0x{:02x}); refusing to send it in an HTTP header",
                                    source, byte));
    }
  }
}

} // namespace

std::vector<std::pair<std::string, std::string>>
Credentials::headers()
{
  std::lock_guard lock(m_mutex);
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&out](const char* name, std::string value, const std::string& source) {
    check_header_value(value, source);
    out.emplace_back(name, std::move(value));
  };
  if (uses_token_file()) {
    const auto token = file_token_locked(false);
    add("Authorization", "Bearer " + token,
        token == m_config.token && token != m_file_token ? "the kubeconfig user's token"
                                                         : "the token in " + m_config.token_file);
  } else if (!m_config.token.empty()) {
    add("Authorization", "Bearer " + m_config.token, "the kubeconfig user's token");
  } else if (!m_config.username.empty() || !m_config.password.empty()) {
    check_header_value(m_config.username, "the kubeconfig user's username");
    check_header_value(m_config.password, "the kubeconfig user's password");
    add("Authorization", "Basic " + util::base64_encode(m_config.username + ":" + m_config.password), "basic auth");
  } else if (uses_exec()) {
    const ExecCredential& cred = exec_credential_locked();
    if (!cred.token.empty()) {
      add("Authorization", "Bearer " + cred.token, "the token from exec plugin " + m_config.exec->command);
    }
  }
  if (!m_config.impersonate_user.empty()) {
    add("Impersonate-User", m_config.impersonate_user, "the user to impersonate (--as or the kubeconfig's as)");
  }
  if (!m_config.impersonate_uid.empty()) {
    add("Impersonate-Uid", m_config.impersonate_uid, "the UID to impersonate (--as-uid or the kubeconfig's as-uid)");
  }
  for (const auto& group : m_config.impersonate_groups) {
    add("Impersonate-Group", group, "a group to impersonate (--as-group or the kubeconfig's as-groups)");
  }
  remember_generation_locked();
  return out;
}

std::optional<std::pair<std::string, std::string>>
Credentials::client_certificate()
{
  std::lock_guard lock(m_mutex);
  const auto& tls = m_config.endpoint.tls;
  if (!tls.client_cert_pem.empty()) {
    return std::make_pair(tls.client_cert_pem, tls.client_key_pem);
  }
  if (uses_exec()) {
    const ExecCredential& cred = exec_credential_locked();
    remember_generation_locked();
    if (!cred.client_certificate_pem.empty()) {
      return std::make_pair(cred.client_certificate_pem, cred.client_key_pem);
    }
  }
  return std::nullopt;
}

bool
Credentials::invalidate()
{
  std::lock_guard lock(m_mutex);
  const bool seen_here = t_seen.owner == m_id;
  if (uses_token_file()) {
    const std::uint64_t before = seen_here ? t_seen.generation : m_generation;
    try {
      file_token_locked(true);
    } catch (const ConfigError&) {
      return false;
    }
    return m_generation != before;
  }
  if (uses_exec()) {
    if (m_exec && !(seen_here && t_seen.generation != m_generation)) {
      m_exec.reset(); // the next headers() runs the plugin again
    }
    return true;
  }
  return false;
}

} // namespace kube
