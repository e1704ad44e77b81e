#include "kube/system_trust.hpp"

#include "crypto/openssl.hpp"
#include "kube/client_config.hpp"
#include "kube/errors.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <sys/stat.h>

namespace kube {

namespace {

// Go 1.22 crypto/x509/root_linux.go: certFiles, then certDirectories.
const char* const k_bundle_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo etc.
    "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
    "/etc/ssl/ca-bundle.pem",                            // OpenSUSE
    "/etc/pki/tls/cacert.pem",                           // OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7
    "/etc/ssl/cert.pem",                                 // Alpine Linux
};
const char* const k_cert_dirs[] = {"/etc/ssl/certs", "/etc/pki/tls/certs"};

} // namespace

SystemTrustLocations
system_trust_locations(const std::function<std::optional<std::string>(const std::string&)>& getenv,
                       const std::function<bool(const std::string&)>& exists)
{
  SystemTrustLocations found;
  std::vector<std::string> files(std::begin(k_bundle_files), std::end(k_bundle_files));
  if (auto file = getenv("SSL_CERT_FILE"); file && !file->empty()) {
    files = {*file};
  }
  std::vector<std::string> dirs(std::begin(k_cert_dirs), std::end(k_cert_dirs));
  if (auto dir = getenv("SSL_CERT_DIR"); dir && !dir->empty()) {
    dirs = util::split(*dir, ':');
    std::erase(dirs, std::string()); // "a::b" and a trailing ':' name no directory
  }
  for (const std::string& file : files) {
    found.looked_in.push_back(file);
    if (exists(file)) {
      found.file = file;
      break;
    }
  }
  for (const std::string& dir : dirs) {
    found.looked_in.push_back(dir);
    if (exists(dir)) {
      found.dirs.push_back(dir);
    }
  }
  return found;
}

void
load_system_trust(SSL_CTX* ctx)
{
  const auto exists = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  };
  const SystemTrustLocations where = system_trust_locations(Environment::process().getenv, exists);
  if (where.file.empty() && where.dirs.empty()) {
    throw ConfigError(fmt::format("the kubeconfig names no certificate-authority and there are no system CA "
                                  "certificates (looked in {}; SSL_CERT_FILE or SSL_CERT_DIR name others)",
                                  fmt::join(where.looked_in, ", ")));
  }
  if (!where.file.empty() && SSL_CTX_load_verify_file(ctx, where.file.c_str()) != 1) {
    throw ConfigError(
        fmt::format("cannot load the system CA certificates from {}: {}", where.file, crypto::take_openssl_error()));
  }
  for (const std::string& dir : where.dirs) {
    // Only registers the directory: certificates are looked up by hash during verification.
    if (SSL_CTX_load_verify_dir(ctx, dir.c_str()) != 1) {
      throw ConfigError(fmt::format("cannot use the CA directory {}: {}", dir, crypto::take_openssl_error()));
    }
  }
}

} // namespace kube
