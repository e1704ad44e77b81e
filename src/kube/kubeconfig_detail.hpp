#pragma once
// Internals shared by the kubeconfig resolver's source files; not an interface for other layers.

#include "kube/kubeconfig_parse.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kube::detail {

// One validation failure: kubectl's message, and where it comes from (`cluster "c" in FILE`).
struct Problem {
  std::string message;
  std::string where;
};

// Throws ConfigError: one problem as "<message> (<where>)", several as kubectl's aggregate
// ("invalid configuration (<where>):" then one "* <message>" line each; "(<where>)" moves to the
// end of each line when they differ).
[[noreturn]] void fail(const std::vector<Problem>& problems);
[[noreturn]] void fail(const std::string& message, const std::string& where);

// client-go's validateAuthInfo, same checks, order and texts.
void validate_auth_info(const std::string& name, const KubeconfigUser& user, const std::string& where,
                        std::vector<Problem>& out);

// client-go's validateClusterInfo for a non-empty cluster, except that any proxy-url is refused.
// `ca_where` names where the certificate-authority came from (file stanza or flag).
void validate_cluster_info(const std::string& name, const KubeconfigCluster& cluster, const std::string& where,
                           const std::string& ca_where, std::vector<Problem>& out);

// Go's crypto/x509 + crypto/tls checks on PEM material, with their messages; nullopt when fine.
std::optional<std::string> ca_pem_problem(const std::string& pem);
std::optional<std::string> client_pem_problem(const std::string& cert_pem, const std::string& key_pem);

} // namespace kube::detail
