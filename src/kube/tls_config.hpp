#pragma once
// What a TLS connection to the API server needs, already resolved from the kubeconfig:
// PEM texts (files were read by the resolver), never paths.

#include <string>

namespace kube {

struct TlsConfig {
  std::string ca_pem; // trusted CAs; empty = the system's default roots
  bool insecure_skip_verify = false;
  std::string server_name;     // SNI and the name the certificate must carry (tls-server-name or URL host)
  std::string client_cert_pem; // client certificate chain, empty when not using cert auth
  std::string client_key_pem;
};

// Where the API server is: scheme is always https for us; base_path is the URL path prefix
// ("" or "/k8s/clusters/c-1") that every request path is appended to.
struct Endpoint {
  std::string host; // as in the URL, without brackets for IPv6
  int port = 443;
  std::string base_path;
  TlsConfig tls;
};

} // namespace kube
