#include "output/config_view.hpp"

#include "kube/kubeconfig_parse.hpp"

#include <yaml-cpp/yaml.h>

#include <vector>

namespace output {
namespace {

// Names like "y", "true" or "1e3" are legal in a kubeconfig (quoted there); quote them here
// too, or a YAML reader would see a boolean or a number.
struct Str {
  const std::string& text;
};

YAML::Emitter&
operator<<(YAML::Emitter& out, Str s)
{
  if (s.text.empty() || !kube::plain_scalar_stays_string(s.text)) {
    out << YAML::DoubleQuoted << s.text;
  } else {
    out << s.text;
  }
  return out;
}

YAML::Emitter&
operator<<(YAML::Emitter& out, const std::vector<std::string>& list)
{
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& item : list) {
    out << Str{item};
  }
  return out << YAML::EndSeq;
}

} // namespace

std::string
auth_kind_name(kube::AuthKind kind)
{
  switch (kind) {
  case kube::AuthKind::token:
    return "token";
  case kube::AuthKind::client_certificate:
    return "client-certificate";
  case kube::AuthKind::basic:
    return "basic";
  case kube::AuthKind::exec:
    return "exec";
  case kube::AuthKind::in_cluster:
    return "in-cluster";
  case kube::AuthKind::none:
    break;
  }
  return "none";
}

std::string
render_config_view(const kube::ClientConfig& config, const std::string& plugin_namespace)
{
  const bool in_cluster = config.auth == kube::AuthKind::in_cluster;
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (in_cluster) {
    out << YAML::Key << "inCluster" << YAML::Value << true;
  } else {
    out << YAML::Key << "kubeconfig" << YAML::Value << config.files;
    out << YAML::Key << "context" << YAML::Value << Str{config.context_name};
    out << YAML::Key << "cluster" << YAML::Value << Str{config.cluster_name};
  }
  out << YAML::Key << "server" << YAML::Value << Str{config.server};
  std::string ca = "<system roots>";
  if (config.ca_from_data) {
    ca = "<data>";
  } else if (!config.ca_file.empty()) {
    ca = config.ca_file;
  }
  out << YAML::Key << "certificateAuthority" << YAML::Value << Str{ca};
  // The transport sets server_name to the URL host unless tls-server-name said otherwise.
  if (!config.endpoint.tls.server_name.empty() && config.endpoint.tls.server_name != config.endpoint.host) {
    out << YAML::Key << "tlsServerName" << YAML::Value << Str{config.endpoint.tls.server_name};
  }
  if (config.endpoint.tls.insecure_skip_verify) {
    out << YAML::Key << "insecureSkipTLSVerify" << YAML::Value << true;
  }
  if (!in_cluster) {
    out << YAML::Key << "user" << YAML::Value << Str{config.user_name};
  }
  out << YAML::Key << "authKind" << YAML::Value << auth_kind_name(config.auth);
  // A certificate is presented whatever else authenticates, so it is shown whenever configured.
  if (!config.endpoint.tls.client_cert_pem.empty()) {
    const std::string cert = config.client_cert_from_data ? std::string("<data>") : config.client_cert_file;
    const std::string key = config.client_key_file.empty() ? std::string("<data>") : config.client_key_file;
    out << YAML::Key << "clientCertificate" << YAML::Value << Str{cert};
    out << YAML::Key << "clientKey" << YAML::Value << Str{key};
  }
  if (!config.token_file.empty()) {
    out << YAML::Key << "tokenFile" << YAML::Value << Str{config.token_file};
  }
  if (config.exec && config.auth == kube::AuthKind::exec) {
    out << YAML::Key << "exec" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "command" << YAML::Value << Str{config.exec->command};
    out << YAML::Key << "apiVersion" << YAML::Value << Str{config.exec->api_version};
    out << YAML::EndMap;
  }
  if (!config.impersonate_user.empty() || !config.impersonate_groups.empty() || !config.impersonate_uid.empty()) {
    out << YAML::Key << "impersonate" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!config.impersonate_user.empty()) {
      out << YAML::Key << "user" << YAML::Value << Str{config.impersonate_user};
    }
    if (!config.impersonate_groups.empty()) {
      out << YAML::Key << "groups" << YAML::Value << config.impersonate_groups;
    }
    if (!config.impersonate_uid.empty()) {
      out << YAML::Key << "uid" << YAML::Value << Str{config.impersonate_uid};
    }
    out << YAML::EndMap;
  }
  const std::string context_namespace = config.context_namespace.empty() ? "default" : config.context_namespace;
  out << YAML::Key << "contextNamespace" << YAML::Value << Str{context_namespace};
  out << YAML::Key << "namespace" << YAML::Value << Str{plugin_namespace};
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

} // namespace output
