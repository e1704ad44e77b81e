// A pod's own service account (client-go rest.InClusterConfig + the in-cluster ClientConfig's
// overrides): https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, token file, CA file.

#include "kube/kubeconfig.hpp"

#include "kube/errors.hpp"
#include "kube/kubeconfig_detail.hpp"

#include <sys/stat.h>

namespace kube {
namespace {

std::string
trim(const std::string& text)
{
  const auto first = text.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string::npos) {
    return "";
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n\v\f") - first + 1);
}

} // namespace

std::optional<ClientConfig>
in_cluster_client_config(const ConfigOverrides& o, const Environment& env)
{
  const std::string host = env.value("KUBERNETES_SERVICE_HOST");
  const std::string port = env.value("KUBERNETES_SERVICE_PORT");
  const std::string dir = env.service_account_dir;
  const std::string token_path = dir + "/token";
  struct stat st {};
  if (host.empty() || port.empty() || ::stat(token_path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  constexpr const char* k_where = "in-cluster config";

  ClientConfig out;
  out.auth = AuthKind::in_cluster;
  // net.JoinHostPort: an IPv6 address gets brackets.
  out.server = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  try {
    parse_server_url(out.server, out.endpoint);
  } catch (const ConfigError& e) {
    detail::fail(e.what(), std::string(k_where) + " from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT");
  }
  out.endpoint.tls.server_name = out.endpoint.host;
  out.token_file = token_path;

  // client-go logs an unreadable CA and goes on with the system roots; so do we.
  try {
    std::string ca = read_file_text(dir + "/ca.crt");
    if (!detail::ca_pem_problem(ca)) {
      out.endpoint.tls.ca_pem = std::move(ca);
      out.ca_file = dir + "/ca.crt";
    }
  } catch (const FileReadError&) {
  }

  std::string ns = env.value("POD_NAMESPACE");
  if (ns.empty()) {
    try {
      ns = trim(read_file_text(dir + "/namespace"));
    } catch (const FileReadError&) {
    }
  }
  out.context_namespace = ns;

  if (!o.token.empty()) {
    out.token = o.token;
    out.token_file.clear();
  }
  if (!o.certificate_authority.empty() || o.insecure_skip_tls_verify.value_or(false)) {
    out.endpoint.tls.ca_pem.clear();
    out.ca_file.clear();
    out.endpoint.tls.insecure_skip_verify = o.insecure_skip_tls_verify.value_or(false);
    if (!o.certificate_authority.empty()) {
      out.ca_file = absolute_path(o.certificate_authority, current_directory());
      try {
        out.endpoint.tls.ca_pem = read_file_text(out.ca_file);
      } catch (const FileReadError& e) {
        detail::fail("unable to read certificate-authority " + out.ca_file + " due to " + e.what(),
                     "--certificate-authority flag");
      }
      if (auto problem = detail::ca_pem_problem(out.endpoint.tls.ca_pem)) {
        detail::fail(*problem, "--certificate-authority flag");
      }
    }
  }
  if (!o.tls_server_name.empty()) {
    out.endpoint.tls.server_name = o.tls_server_name;
  }
  out.impersonate_user = o.as;
  out.impersonate_uid = o.as_uid;
  out.impersonate_groups = o.as_groups;
  if ((!o.as_uid.empty() || !o.as_groups.empty()) && o.as.empty()) {
    detail::fail("requesting uid, groups or user-extra for  without impersonating a user", "command-line flags");
  }
  if (out.token.empty()) {
    try {
      read_token_file(out.token_file);
    } catch (const util::Error& e) {
      detail::fail(e.what(), k_where);
    }
  }
  return out;
}

} // namespace kube
