#pragma once
// The kubeconfig resolved exactly as client-go/kubectl resolve it (reference §2): which files
// are read and merged, which context/cluster/user is used, flag overrides, kubectl's validation
// and error texts, relative paths, and the in-cluster fallback. The result is a ClientConfig
// with PEM material already read, ready for the transport and kube::Credentials.

#include "kube/client_config.hpp"
#include "kube/kubeconfig_parse.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>

namespace kube {

// Loads and resolves the kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG
// (':'-separated list, first-wins merge, missing files skipped), else ~/.kube/config ($HOME from
// env); then in-cluster config when nothing was configured and KUBERNETES_SERVICE_HOST/PORT +
// token file exist. Throws ConfigError whose message names the file and the field, kubectl-like.
ClientConfig load_client_config(const ConfigOverrides& overrides, const Environment& env);

// The files kubectl would read and their merge, relative paths already made absolute.
// Throws ConfigError for an unreadable or undecodable file (a missing --kubeconfig included).
Kubeconfig load_kubeconfig(const ConfigOverrides& overrides, const Environment& env);

// Selects context, cluster and user, applies the flag overrides, validates like kubectl and
// reads the referenced files. nullopt when nothing is selected at all (no context, no cluster,
// no server): the caller may then fall back to in-cluster config. `cwd` makes flag paths absolute.
std::optional<ClientConfig> resolve_client_config(const Kubeconfig& config, const ConfigOverrides& overrides,
                                                  const std::string& cwd);

// The pod's service-account config (rest.InClusterConfig) with the flag overrides applied, or
// nullopt when KUBERNETES_SERVICE_HOST/PORT are unset or the token file is missing.
std::optional<ClientConfig> in_cluster_client_config(const ConfigOverrides& overrides, const Environment& env);

// Splits a server URL into endpoint host/port/base_path. Only https is accepted (http and
// scheme-less servers are refused: credentials would travel in clear). Throws ConfigError.
void parse_server_url(const std::string& server, Endpoint& endpoint);

// Reading a file failed; the message is worded like Go's os.ReadFile ("open P: no such file or
// directory", "read P: is a directory") because kubectl's messages embed it.
class FileReadError : public util::Error {
public:
  FileReadError(const std::string& what, int error_number) : util::Error(what), m_errno(error_number) {}
  int error_number() const { return m_errno; }

private:
  int m_errno;
};

// Reads a whole file; throws FileReadError.
std::string read_file_text(const std::string& path);

// A bearer token file as client-go's file token source reads it: whitespace-trimmed; throws
// FileReadError when unreadable and util::Error `read empty token from file "P"` when empty.
std::string read_token_file(const std::string& path);

// The process's working directory ("/" if unknown); flag paths are relative to it.
std::string current_directory();

} // namespace kube
