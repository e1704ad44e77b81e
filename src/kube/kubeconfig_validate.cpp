// kubectl's configuration checks (client-go tools/clientcmd/validation.go, as of 1.32) and the
// PEM checks the transport would do later, so that a bad kubeconfig fails early with kubectl's words.

#include "kube/kubeconfig_detail.hpp"

#include "util/error.hpp"

#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

namespace kube::detail {
namespace {

std::string
describe(const Problem& p)
{
  return p.where.empty() ? p.message : p.message + " (" + p.where + ")";
}

// Go's os.Open, for the "unable to read ..." checks: only whether the file can be opened.
std::optional<std::string>
open_problem(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return "open " + path + ": " + util::errno_text(errno);
  }
  ::close(fd);
  return std::nullopt;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

BioPtr
memory_bio(const std::string& data)
{
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Never let OpenSSL prompt on the terminal for an encrypted key's passphrase.
int
no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/)
{
  return 0;
}

} // namespace

void
fail(const std::vector<Problem>& problems)
{
  if (problems.size() == 1) {
    throw ConfigError(describe(problems.front()));
  }
  // One "where" for all of them goes in the heading instead of on every line.
  const bool same_where = std::all_of(problems.begin(), problems.end(),
                                      [&](const Problem& p) { return p.where == problems.front().where; });
  std::string text = "invalid configuration";
  text += same_where && !problems.front().where.empty() ? " (" + problems.front().where + "):" : ":";
  for (const auto& p : problems) {
    text += "\n* " + (same_where ? p.message : describe(p));
  }
  throw ConfigError(text);
}

void
fail(const std::string& message, const std::string& where)
{
  fail(std::vector<Problem>{{message, where}});
}

void
validate_auth_info(const std::string& name, const KubeconfigUser& user, const std::string& where,
                   std::vector<Problem>& out)
{
  std::vector<std::string> methods;
  if (!user.token.empty()) {
    methods.emplace_back("token");
  }
  if (!user.username.empty() || !user.password.empty()) {
    methods.emplace_back("basicAuth");
  }
  if (!user.client_certificate.empty() || !user.client_certificate_data.empty()) {
    if (!user.client_certificate.empty() && !user.client_certificate_data.empty()) {
      out.push_back(
          {"client-cert-data and client-cert are both specified for " + name + ". client-cert-data will override.",
           where});
    }
    if (!user.client_key.empty() && !user.client_key_data.empty()) {
      out.push_back(
          {"client-key-data and client-key are both specified for " + name + "; client-key-data will override", where});
    }
    if (user.client_key.empty() && user.client_key_data.empty()) {
      out.push_back({"client-key-data or client-key must be specified for " + name +
                         " to use the clientCert authentication method.",
                     where});
    }
    if (!user.client_certificate.empty()) {
      if (auto problem = open_problem(user.client_certificate)) {
        out.push_back(
            {"unable to read client-cert " + user.client_certificate + " for " + name + " due to " + *problem, where});
      }
    }
    if (!user.client_key.empty()) {
      if (auto problem = open_problem(user.client_key)) {
        out.push_back({"unable to read client-key " + user.client_key + " for " + name + " due to " + *problem, where});
      }
    }
  }
  if (user.exec) {
    const auto& exec = *user.exec;
    if (user.has_auth_provider) {
      out.push_back({"authProvider cannot be provided in combination with an exec plugin for " + name, where});
    }
    if (exec.command.empty()) {
      out.push_back({"command must be specified for " + name + " to use exec authentication plugin", where});
    }
    if (exec.api_version.empty()) {
      out.push_back({"apiVersion must be specified for " + name + " to use exec authentication plugin", where});
    }
    for (const auto& var : exec.env) {
      if (var.first.empty()) {
        out.push_back(
            {"env variable name must be specified for " + name + " to use exec authentication plugin", where});
      }
    }
    if (exec.interactive_mode.empty()) {
      out.push_back({"interactiveMode must be specified for " + name + " to use exec authentication plugin", where});
    } else if (exec.interactive_mode != "Never" && exec.interactive_mode != "IfAvailable" &&
               exec.interactive_mode != "Always") {
      out.push_back({"invalid interactiveMode for " + name + ": \"" + exec.interactive_mode + "\"", where});
    }
  }
  if (methods.size() > 1) {
    std::string found;
    for (const auto& m : methods) {
      found += (found.empty() ? "" : " ") + m;
    }
    out.push_back(
        {"more than one authentication method found for " + name + "; found [" + found + "], only one is allowed",
         where});
  }
  if ((!user.as_uid.empty() || !user.as_groups.empty() || !user.as_user_extra.empty()) && user.as.empty()) {
    out.push_back({"requesting uid, groups or user-extra for " + name + " without impersonating a user", where});
  }
}

void
validate_cluster_info(const std::string& name, const KubeconfigCluster& cluster, const std::string& where,
                      const std::string& ca_where, std::vector<Problem>& out)
{
  if (cluster.server.empty()) {
    out.push_back(
        {name.empty() ? "default cluster has no server defined" : "no server found for cluster \"" + name + "\"",
         where});
  }
  if (!cluster.proxy_url.empty()) {
    // kubectl would dial through it; our WebSocket/REST transport has no proxy support, and a
    // silently ignored proxy would mean talking to the server by another route.
    out.push_back({"proxy-url is not supported by kubectl-ko-ipsec", where});
  }
  if (!cluster.certificate_authority.empty() && !cluster.certificate_authority_data.empty()) {
    out.push_back({"certificate-authority-data and certificate-authority are both specified for " + name +
                       ". certificate-authority-data will override.",
                   where});
  }
  if (!cluster.certificate_authority.empty()) {
    if (auto problem = open_problem(cluster.certificate_authority)) {
      out.push_back({"unable to read certificate-authority " + cluster.certificate_authority + " for " + name +
                         " due to " + *problem,
                     ca_where});
    }
  }
}

std::optional<std::string>
ca_pem_problem(const std::string& pem)
{
  auto bio = memory_bio(pem);
  int count = 0;
  // Like Go's AppendCertsFromPEM: other PEM blocks and unparsable certificates are skipped.
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!cert) {
      break;
    }
    ++count;
  }
  ERR_clear_error();
  if (count == 0) {
    return "unable to load root certificates: unable to parse bytes as PEM block";
  }
  return std::nullopt;
}

std::optional<std::string>
client_pem_problem(const std::string& cert_pem, const std::string& key_pem)
{
  auto cert_bio = memory_bio(cert_pem);
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!cert) {
    return "tls: failed to find any PEM data in certificate input";
  }
  auto key_bio = memory_bio(key_pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return "tls: failed to find any PEM data in key input";
  }
  const bool match = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!match) {
    return "tls: private key does not match public key";
  }
  return std::nullopt;
}

} // namespace kube::detail
