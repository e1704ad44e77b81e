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

pki::CaPem
ca_from_secret(const kube::Secret& secret)
{
  pki::CaPem ca;
  for (const auto& [key, into] : {std::pair{k_ca_cert_key, &ca.cert}, std::pair{k_ca_key_key, &ca.key}}) {
    const auto it = secret.data.find(std::string(key));
    if (it == secret.data.end() || it->second.empty()) {
      throw pki::PkiError(fmt::format("Secret {}/{} has no \"{}\" key", secret.ns, secret.name, key));
    }
    *into = it->second;
  }
  return ca;
}

} // namespace ipsec
