#pragma once
// The kubeconfig resolved the way client-go resolves it (see kube/kubeconfig.hpp for the
// loading rules): which context, cluster and user a command will use, and everything needed
// to open an authenticated connection to that cluster.

#include "kube/tls_config.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kube {

enum class AuthKind { none, token, client_certificate, basic, exec, in_cluster };

// A client.authentication.k8s.io exec credential plugin, as configured under users[].user.exec.
struct ExecPluginConfig {
  std::string api_version; // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;     // absolute when it contained a '/', else looked up on PATH
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env; // added to the plugin's environment
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode; // Never | IfAvailable | Always
  std::string
      cluster_exec_extension_json; // clusters[].cluster.extensions[client.authentication.k8s.io/exec], as JSON, or ""
};

struct ClientConfig {
  // Where it came from (shown by `config view`).
  std::vector<std::string> files; // kubeconfig files that were read, in load order
  std::string context_name;       // "" for in-cluster
  std::string cluster_name;
  std::string user_name;
  std::string context_namespace; // the context's namespace ("" when unset)

  // The cluster.
  std::string server;  // URL as written (after overrides)
  Endpoint endpoint;   // host/port/base_path and TLS material (PEM already read)
  std::string ca_file; // absolute path, "" when CA came from data or is unset
  bool ca_from_data = false;
  std::string proxy_url; // always "" here: a set proxy-url is refused at load time

  // The user.
  AuthKind auth = AuthKind::none;
  std::string token;            // static bearer token (never printed)
  std::string token_file;       // absolute path; re-read at most once a minute
  std::string client_cert_file; // absolute paths, "" when from data
  std::string client_key_file;
  bool client_cert_from_data = false;
  std::string username; // basic auth
  std::string password;
  std::optional<ExecPluginConfig> exec;
  std::string impersonate_user;
  std::string impersonate_uid;
  std::vector<std::string> impersonate_groups;
};

// Command-line flags that kubectl also has; an empty string means "not given".
struct ConfigOverrides {
  std::string kubeconfig;
  std::string context;
  std::string cluster;
  std::string user;
  std::string server;
  std::string certificate_authority;
  std::string tls_server_name;
  std::optional<bool> insecure_skip_tls_verify;
  std::string client_certificate;
  std::string client_key;
  std::string token;
  std::string username;
  std::string password;
  std::string as;
  std::string as_uid;
  std::vector<std::string> as_groups;
};

// The process environment, injectable for tests.
struct Environment {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  // The real environment of this process.
  static Environment process();
  // The variable's value; "" when it is unset (or getenv is not set).
  std::string value(const std::string& name) const;
};

} // namespace kube
