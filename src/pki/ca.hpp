#pragma once
// The IPsec CA: created once (RSA, SHA-256, PKCS#8 key, as Kube-OVN >= 1.13 reads it from its
// Secret) or loaded and checked before it signs anything. Pure computation, no I/O.

#include "pki/openssl_util.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace pki {

struct CaPem {
  std::string cert; // PEM CERTIFICATE
  std::string key;  // PEM PRIVATE KEY (PKCS#8)
};

inline constexpr int k_ca_bits = 3072;
inline constexpr int k_ca_days = 3650;

// A self-signed CA: CN `common_name`, O=Kube-OVN, OU=ovn-ipsec; CA:TRUE (critical),
// keyCertSign + cRLSign, subject/authority key ids, random 128-bit serial.
CaPem create_ca(const std::string& common_name, std::chrono::system_clock::time_point now, int bits = k_ca_bits,
                int days = k_ca_days);

// A CA ready to sign.
struct LoadedCa {
  X509Ptr cert;
  EvpPkeyPtr key;
  std::string cert_pem; // the certificate as given (first PEM block)
};

// Checks that `cert_pem` is a CA certificate (CA:TRUE, keyCertSign if it has a keyUsage, a
// subjectKeyIdentifier), valid at `now` (begun, not expired), and `key_pem` an unencrypted RSA
// key (>= 2048 bits) belonging to it. Throws PkiError naming `where`
// ("Secret kube-system/ovn-ipsec-ca", "--ca-cert ca.pem") and what is wrong.
LoadedCa load_ca(std::string_view cert_pem, std::string_view key_pem, std::string_view where,
                 std::chrono::system_clock::time_point now);

// Whole days from `now` until the CA expires (0 when less than one is left).
int ca_days_left(const LoadedCa& ca, std::chrono::system_clock::time_point now);

} // namespace pki
