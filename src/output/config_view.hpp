#pragma once
// `kubectl ko ipsec config view`: the resolved kubeconfig as YAML. Secrets (token, password,
// key material) are never part of the output.

#include "kube/client_config.hpp"

#include <string>

namespace output {

// Renders where the config came from, the cluster, server, CA, user, auth kind and namespaces,
// in a fixed key order; `plugin_namespace` is where this plugin works (Kube-OVN's namespace).
std::string render_config_view(const kube::ClientConfig& config, const std::string& plugin_namespace);

// The authKind word for `config view` (token, client-certificate, exec, basic, in-cluster, none).
std::string auth_kind_name(kube::AuthKind kind);

} // namespace output
