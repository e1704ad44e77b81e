#include "output/config_view.hpp"

#include <yaml-cpp/yaml.h>

namespace output {

std::string auth_kind_name(kube::AuthKind kind) {
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

std::string render_config_view(const kube::ClientConfig& config, const std::string& plugin_namespace) {
  const bool in_cluster = config.auth == kube::AuthKind::in_cluster;
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (in_cluster) {
    out << YAML::Key << "inCluster" << YAML::Value << true;
  } else {
    out << YAML::Key << "kubeconfig" << YAML::Value << YAML::Flow << config.files;
    out << YAML::Key << "context" << YAML::Value << config.context_name;
    out << YAML::Key << "cluster" << YAML::Value << config.cluster_name;
  }
  out << YAML::Key << "server" << YAML::Value << config.server;
  std::string ca = "<system roots>";
  if (config.ca_from_data) {
    ca = "<data>";
  } else if (!config.ca_file.empty()) {
    ca = config.ca_file;
  }
  out << YAML::Key << "certificateAuthority" << YAML::Value << ca;
  // The transport sets server_name to the URL host unless tls-server-name said otherwise.
  if (!config.endpoint.tls.server_name.empty() && config.endpoint.tls.server_name != config.endpoint.host) {
    out << YAML::Key << "tlsServerName" << YAML::Value << config.endpoint.tls.server_name;
  }
  if (config.endpoint.tls.insecure_skip_verify) {
    out << YAML::Key << "insecureSkipTLSVerify" << YAML::Value << true;
  }
  if (!in_cluster) {
    out << YAML::Key << "user" << YAML::Value << config.user_name;
  }
  out << YAML::Key << "authKind" << YAML::Value << auth_kind_name(config.auth);
  // A certificate is presented whatever else authenticates, so it is shown whenever configured.
  if (!config.endpoint.tls.client_cert_pem.empty()) {
    out << YAML::Key << "clientCertificate" << YAML::Value
        << (config.client_cert_from_data ? std::string("<data>") : config.client_cert_file);
    out << YAML::Key << "clientKey" << YAML::Value
        << (config.client_key_file.empty() ? std::string("<data>") : config.client_key_file);
  }
  if (!config.token_file.empty()) {
    out << YAML::Key << "tokenFile" << YAML::Value << config.token_file;
  }
  if (config.exec && config.auth == kube::AuthKind::exec) {
    out << YAML::Key << "exec" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "command" << YAML::Value << config.exec->command;
    out << YAML::Key << "apiVersion" << YAML::Value << config.exec->api_version;
    out << YAML::EndMap;
  }
  if (!config.impersonate_user.empty() || !config.impersonate_groups.empty() || !config.impersonate_uid.empty()) {
    out << YAML::Key << "impersonate" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!config.impersonate_user.empty()) {
      out << YAML::Key << "user" << YAML::Value << config.impersonate_user;
    }
    if (!config.impersonate_groups.empty()) {
      out << YAML::Key << "groups" << YAML::Value << YAML::Flow << config.impersonate_groups;
    }
    if (!config.impersonate_uid.empty()) {
      out << YAML::Key << "uid" << YAML::Value << config.impersonate_uid;
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "contextNamespace" << YAML::Value
      << (config.context_namespace.empty() ? std::string("default") : config.context_namespace);
  out << YAML::Key << "namespace" << YAML::Value << plugin_namespace;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

} // namespace output
