#pragma once
// Where the system's CA certificates are when the kubeconfig names no certificate-authority.
// The release binary is one static file for every distribution, so OpenSSL's compiled-in
// directory (Debian's /usr/lib/ssl) is not enough: this looks where kubectl (Go's crypto/x509,
// root_linux.go and root_unix.go) looks, in the same order, with the same variables.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <openssl/types.h>

namespace kube {

struct SystemTrustLocations {
  std::string file;              // one CA bundle ("" if none exists)
  std::vector<std::string> dirs; // hashed certificate directories (OpenSSL's c_rehash layout)
  std::vector<std::string> looked_in;
};

// SSL_CERT_FILE replaces the list of bundle files and SSL_CERT_DIR (colon-separated) the list
// of directories, as for kubectl; otherwise the first bundle that exists among Go's list
// (Debian/Ubuntu, Fedora/RHEL, openSUSE, OpenELEC, CentOS/RHEL 7, Alpine) and the directories
// that exist. `getenv` and `exists` are the process's own in load_system_trust.
SystemTrustLocations system_trust_locations(const std::function<std::optional<std::string>(const std::string&)>& getenv,
                                            const std::function<bool(const std::string&)>& exists);

// Adds the system's CA certificates to `ctx`. Throws ConfigError naming where it looked when
// there are none, rather than failing every handshake later with "unable to get local issuer".
void load_system_trust(SSL_CTX* ctx);

} // namespace kube
