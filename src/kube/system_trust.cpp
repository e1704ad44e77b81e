#include "kube/system_trust.hpp"

#include "crypto/openssl.hpp"
#include "kube/errors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdlib>
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

std::vector<std::string>
split_colons(const std::string& text)
{
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(':', start), text.size());
    if (end > start) {
      parts.push_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

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
    dirs = split_colons(*dir);
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
  const auto getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  };
  const auto exists = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  };
  const SystemTrustLocations where = system_trust_locations(getenv, exists);
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
