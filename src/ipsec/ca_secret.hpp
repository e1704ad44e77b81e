#pragma once
// Where the IPsec CA lives in the cluster: Secret `ovn-ipsec-ca` in Kube-OVN's namespace with
// keys `cacert` and `cakey`, the format Kube-OVN >= 1.13's controller creates and reads, so a
// later upgrade to the built-in IPsec keeps the same CA.

#include "kube/types.hpp"
#include "pki/ca.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ipsec {

inline constexpr std::string_view k_ca_secret_name = "ovn-ipsec-ca";
inline constexpr std::string_view k_ca_cert_key = "cacert";
inline constexpr std::string_view k_ca_key_key = "cakey";

// The Secret holding `ca` in `ns`.
kube::Secret ca_secret(const std::string& ns, const pki::CaPem& ca);

// The certificate and key stored under `cert_key`/`key_key`, nullopt when neither is there; throws
// pki::PkiError naming the Secret when only one of them is.
std::optional<pki::CaPem> ca_pair_in(const kube::Secret& secret, std::string_view cert_key, std::string_view key_key);

// The CA stored in `secret` (`cacert`/`cakey`); throws pki::PkiError naming the Secret and the missing key.
pki::CaPem ca_from_secret(const kube::Secret& secret);

} // namespace ipsec
