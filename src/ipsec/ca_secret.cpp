#include "ipsec/ca_secret.hpp"

#include "pki/errors.hpp"

#include <fmt/format.h>

namespace ipsec {

kube::Secret
ca_secret(const std::string& ns, const pki::CaPem& ca)
{
  kube::Secret secret;
  secret.ns = ns;
  secret.name = std::string(k_ca_secret_name);
  secret.type = "Opaque";
  secret.data[std::string(k_ca_cert_key)] = ca.cert;
  secret.data[std::string(k_ca_key_key)] = ca.key;
  return secret;
}

std::optional<pki::CaPem>
ca_pair_in(const kube::Secret& secret, std::string_view cert_key, std::string_view key_key)
{
  const auto cert = secret.data.find(std::string(cert_key));
  const auto key = secret.data.find(std::string(key_key));
  const bool has_cert = cert != secret.data.end() && !cert->second.empty();
  const bool has_key = key != secret.data.end() && !key->second.empty();
  if (!has_cert && !has_key) {
    return std::nullopt;
  }
  if (has_cert != has_key) {
    throw pki::PkiError(fmt::format("Secret {}/{} has \"{}\" without \"{}\"", secret.ns, secret.name,
                                    has_cert ? cert_key : key_key, has_cert ? key_key : cert_key));
  }
  return pki::CaPem{cert->second, key->second};
}

pki::CaPem
ca_from_secret(const kube::Secret& secret)
{
  auto ca = ca_pair_in(secret, k_ca_cert_key, k_ca_key_key);
  if (!ca) {
    throw pki::PkiError(fmt::format("Secret {}/{} has no \"{}\" key", secret.ns, secret.name, k_ca_cert_key));
  }
  return std::move(*ca);
}

} // namespace ipsec
