// Context/cluster/user selection, flag overrides and the final ClientConfig (client-go
// tools/clientcmd/client_config.go: DirectClientConfig.ClientConfig, getContext, getCluster,
// getAuthInfo, ConfirmUsable), with a few deliberate strictnesses noted where they happen.

#include "kube/kubeconfig.hpp"

#include "kube/errors.hpp"
#include "kube/kubeconfig_detail.hpp"

#include <algorithm>
#include <cctype>

namespace kube {
namespace {

using detail::fail;
using detail::Problem;

std::string
in_quotes(const std::string& s)
{
  return "\"" + s + "\"";
}

std::string
in_file(const std::string& kind, const std::string& name, const std::string& origin)
{
  return kind + " " + in_quotes(name) + " in " + origin;
}

std::string
files_text(const Kubeconfig& config)
{
  if (config.files.empty()) {
    return "no kubeconfig file was read";
  }
  std::string text = "kubeconfig ";
  for (std::size_t i = 0; i < config.files.size(); ++i) {
    text += (i > 0 ? ", " : "") + config.files[i];
  }
  return text;
}

template<typename Map>
const typename Map::mapped_type*
find(const Map& map, const std::string& name)
{
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

// A cluster equal to client-go's empty Cluster: no stanza and nothing from flags.
bool
is_empty(const KubeconfigCluster& c)
{
  return c.server.empty() && c.tls_server_name.empty() && !c.insecure_skip_tls_verify &&
         c.certificate_authority.empty() && c.certificate_authority_data.empty() && c.proxy_url.empty() &&
         !c.disable_compression && !c.exec_extension && c.origin.empty();
}

std::optional<std::string>
server_url_problem(const std::string& server, Endpoint& endpoint)
{
  // Checked first so that no later message echoes a password.
  if (server.find('@') != std::string::npos) {
    return std::string("the server URL must not contain a user name or password");
  }
  for (char c : server) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "invalid character in server URL " + in_quotes(server);
    }
  }
  const std::size_t scheme_end = server.find("://");
  if (scheme_end == std::string::npos) {
    return "server " + in_quotes(server) +
           " has no scheme: kubectl would talk plain http to it, kubectl-ko-ipsec only uses https (write https://" +
           server + ")";
  }
  std::string scheme = server.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t authority_end = std::min(server.find_first_of("/?#", authority_start), server.size());
  const std::string authority = server.substr(authority_start, authority_end - authority_start);
  if (scheme == "http") {
    return "server " + in_quotes(server) +
           " uses http: kubectl-ko-ipsec only talks https, so that credentials never cross the network in clear";
  }
  if (scheme != "https") {
    return "unsupported scheme " + in_quotes(scheme) + " in server " + in_quotes(server) + ": only https is supported";
  }
  std::string host;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) {
      return "missing ']' in IPv6 host of server " + in_quotes(server);
    }
    host = authority.substr(1, close - 1);
    const std::string rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return "invalid host in server " + in_quotes(server);
    }
    port = rest.empty() ? "" : rest.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    port = colon == std::string::npos ? "" : authority.substr(colon + 1);
  }
  if (host.empty()) {
    return "no host in server " + in_quotes(server);
  }
  int port_number = 443;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return "invalid port " + in_quotes(port) + " in server " + in_quotes(server);
    }
    port_number = std::stoi(port);
  }
  std::string path = server.substr(authority_end, server.find_first_of("?#", authority_end) - authority_end);
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  endpoint.host = host;
  endpoint.port = port_number;
  endpoint.base_path = path;
  return std::nullopt;
}

// Flag values override the merged stanza field by field (mergo.Merge WithOverride: only
// non-empty values count), plus client-go's special rules for CA/insecure and tls-server-name.
void
apply_cluster_overrides(KubeconfigCluster& cluster, const ConfigOverrides& o, const std::string& cwd)
{
  const std::string ca_flag = o.certificate_authority.empty() ? "" : absolute_path(o.certificate_authority, cwd);
  if (!o.server.empty()) {
    cluster.server = o.server;
  }
  if (!o.tls_server_name.empty()) {
    cluster.tls_server_name = o.tls_server_name;
  }
  // --insecure-skip-tls-verify=false is a zero value to mergo, so like kubectl it changes nothing.
  const bool insecure_flag = o.insecure_skip_tls_verify.value_or(false);
  if (insecure_flag || !ca_flag.empty()) {
    cluster.insecure_skip_tls_verify = insecure_flag;
    cluster.certificate_authority = ca_flag;
    cluster.certificate_authority_data.clear();
  }
  // A new --server makes the kubeconfig's tls-server-name meaningless unless given again.
  if (!o.tls_server_name.empty() || !o.server.empty()) {
    cluster.tls_server_name = o.tls_server_name;
  }
}

void
apply_user_overrides(KubeconfigUser& user, const ConfigOverrides& o, const std::string& cwd)
{
  if (!o.token.empty()) {
    user.token = o.token; // like kubectl, a kubeconfig tokenFile still wins when readable
  }
  if (!o.username.empty()) {
    user.username = o.username;
  }
  if (!o.password.empty()) {
    user.password = o.password;
  }
  // Reference §2.2: a certificate or key flag replaces both the file and the data variant.
  // (kubectl 1.32 itself still reports "both specified" here; we take the intended rule.)
  if (!o.client_certificate.empty()) {
    user.client_certificate = absolute_path(o.client_certificate, cwd);
    user.client_certificate_data.clear();
  }
  if (!o.client_key.empty()) {
    user.client_key = absolute_path(o.client_key, cwd);
    user.client_key_data.clear();
  }
  if (!o.as.empty()) {
    user.as = o.as;
  }
  if (!o.as_uid.empty()) {
    user.as_uid = o.as_uid;
  }
  if (!o.as_groups.empty()) {
    user.as_groups = o.as_groups;
  }
}

std::string
read_material(const std::string& path, const std::string& what, const std::string& owner, const std::string& where)
{
  try {
    return read_file_text(path);
  } catch (const FileReadError& e) {
    fail("unable to read " + what + " " + path + " for " + owner + " due to " + e.what(), where);
  }
}

AuthKind
auth_kind(const ClientConfig& c)
{
  if (!c.token.empty() || !c.token_file.empty()) {
    return AuthKind::token;
  }
  if (!c.username.empty() || !c.password.empty()) {
    return AuthKind::basic;
  }
  if (c.exec) {
    return AuthKind::exec;
  }
  if (!c.endpoint.tls.client_cert_pem.empty()) {
    return AuthKind::client_certificate;
  }
  return AuthKind::none;
}

} // namespace

void
parse_server_url(const std::string& server, Endpoint& endpoint)
{
  if (auto problem = server_url_problem(server, endpoint)) {
    throw ConfigError(*problem);
  }
}

std::optional<ClientConfig>
resolve_client_config(const Kubeconfig& config, const ConfigOverrides& o, const std::string& cwd)
{
  // Same lookup order as DirectClientConfig.ClientConfig: auth info, context, cluster.
  const std::string context_name = o.context.empty() ? config.current_context : o.context;
  const KubeconfigContext* context = find(config.contexts, context_name);
  const std::string user_name = !o.user.empty() ? o.user : (context != nullptr ? context->user : "");
  const KubeconfigUser* user_entry = find(config.users, user_name);
  if (!o.user.empty() && user_entry == nullptr) {
    fail("auth info " + in_quotes(o.user) + " does not exist", files_text(config));
  }
  if (!o.context.empty() && context == nullptr) {
    fail("context " + in_quotes(o.context) + " does not exist", files_text(config));
  }
  const std::string cluster_name = !o.cluster.empty() ? o.cluster : (context != nullptr ? context->cluster : "");
  const KubeconfigCluster* cluster_entry = find(config.clusters, cluster_name);
  if (!o.cluster.empty() && cluster_entry == nullptr) {
    fail("cluster " + in_quotes(o.cluster) + " does not exist", files_text(config));
  }

  KubeconfigCluster cluster = cluster_entry != nullptr ? *cluster_entry : KubeconfigCluster{};
  apply_cluster_overrides(cluster, o, cwd);
  KubeconfigUser user = user_entry != nullptr ? *user_entry : KubeconfigUser{};
  apply_user_overrides(user, o, cwd);

  const std::string cluster_where =
      cluster_entry != nullptr ? in_file("cluster", cluster_name, cluster_entry->origin) : "command-line flags";
  const std::string ca_where = o.certificate_authority.empty() ? cluster_where : "--certificate-authority flag";
  const std::string user_where =
      user_entry != nullptr ? in_file("user", user_name, user_entry->origin) : "command-line flags";

  std::vector<Problem> problems;
  if (!context_name.empty() && context == nullptr) {
    problems.push_back({"context was not found for specified context: " + context_name, files_text(config)});
  }
  // Stricter than kubectl, which silently uses an empty cluster (and then http://localhost:8080)
  // or no credentials when a context names something that does not exist.
  if (context != nullptr) {
    const std::string context_where = in_file("context", context_name, context->origin);
    if (o.cluster.empty() && !context->cluster.empty() && cluster_entry == nullptr) {
      problems.push_back(
          {"cluster " + in_quotes(context->cluster) + " was not found for context " + in_quotes(context_name),
           context_where});
    } else if (o.cluster.empty() && context->cluster.empty() && o.server.empty()) {
      problems.push_back({"cluster was not specified for context " + in_quotes(context_name), context_where});
    }
    if (o.user.empty() && !context->user.empty() && user_entry == nullptr) {
      problems.push_back({"user " + in_quotes(context->user) + " was not found for context " + in_quotes(context_name),
                          context_where});
    }
  }
  detail::validate_auth_info(user_name, user, user_where, problems);
  if (is_empty(cluster)) {
    if (problems.empty()) {
      return std::nullopt; // nothing configured: the caller tries in-cluster config
    }
  } else {
    detail::validate_cluster_info(cluster_name, cluster, cluster_where, ca_where, problems);
  }
  if (!problems.empty()) {
    fail(problems);
  }

  ClientConfig out;
  out.files = config.files;
  out.context_name = context != nullptr ? context_name : "";
  out.cluster_name = cluster_name;
  out.user_name = user_name;
  out.context_namespace = context != nullptr ? context->ns : "";
  out.server = cluster.server;
  if (auto problem = server_url_problem(cluster.server, out.endpoint)) {
    fail(*problem, cluster_where);
  }

  // The checks client-go makes later, while building the transport, in its order.
  if (user.token.empty() && !user.token_file.empty()) {
    try {
      read_token_file(user.token_file);
    } catch (const util::Error& e) {
      fail(e.what(), user_where + ", tokenFile");
    }
  }
  if (user.exec && user.exec->api_version != "client.authentication.k8s.io/v1" &&
      user.exec->api_version != "client.authentication.k8s.io/v1beta1") {
    fail("exec plugin: invalid apiVersion " + in_quotes(user.exec->api_version), user_where);
  }
  if (cluster.insecure_skip_tls_verify &&
      (!cluster.certificate_authority.empty() || !cluster.certificate_authority_data.empty())) {
    fail("specifying a root certificates file with the insecure flag is not allowed", cluster_where);
  }

  auto& tls = out.endpoint.tls;
  tls.insecure_skip_verify = cluster.insecure_skip_tls_verify;
  tls.server_name = cluster.tls_server_name.empty() ? out.endpoint.host : cluster.tls_server_name;
  if (!cluster.certificate_authority_data.empty()) {
    tls.ca_pem = cluster.certificate_authority_data;
    out.ca_from_data = true;
  } else if (!cluster.certificate_authority.empty()) {
    tls.ca_pem = read_material(cluster.certificate_authority, "certificate-authority", cluster_name, ca_where);
    out.ca_file = cluster.certificate_authority;
  }
  if (!tls.ca_pem.empty()) {
    if (auto problem = detail::ca_pem_problem(tls.ca_pem)) {
      fail(*problem, ca_where);
    }
  }

  out.token = user.token;
  out.token_file = user.token_file;
  out.username = user.username;
  out.password = user.password;
  if (!user.client_certificate.empty() || !user.client_certificate_data.empty()) {
    out.client_cert_from_data = !user.client_certificate_data.empty();
    tls.client_cert_pem = out.client_cert_from_data
                              ? user.client_certificate_data
                              : read_material(user.client_certificate, "client-cert", user_name, user_where);
    tls.client_key_pem = !user.client_key_data.empty()
                             ? user.client_key_data
                             : read_material(user.client_key, "client-key", user_name, user_where);
    out.client_cert_file = out.client_cert_from_data ? "" : user.client_certificate;
    out.client_key_file = user.client_key_data.empty() ? user.client_key : "";
    if (auto problem = detail::client_pem_problem(tls.client_cert_pem, tls.client_key_pem)) {
      fail(*problem, user_where);
    }
  }
  if (user.exec) {
    ExecPluginConfig exec;
    exec.api_version = user.exec->api_version;
    exec.command = user.exec->command;
    exec.args = user.exec->args;
    exec.env = user.exec->env;
    exec.install_hint = user.exec->install_hint;
    exec.provide_cluster_info = user.exec->provide_cluster_info;
    exec.interactive_mode = user.exec->interactive_mode;
    exec.cluster_exec_extension_json = cluster.exec_extension.value_or("");
    out.exec = std::move(exec);
  }
  out.impersonate_user = user.as;
  out.impersonate_uid = user.as_uid;
  out.impersonate_groups = user.as_groups;
  out.auth = auth_kind(out);
  return out;
}

} // namespace kube
