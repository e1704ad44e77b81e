#pragma once
// Checking a node's certificate request before the CA signs it, and signing it. Pure.

#include "pki/ca.hpp"
#include "pki/openssl_util.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace pki {

inline constexpr int k_min_key_bits = 2048;

struct CheckedRequest {
  X509ReqPtr request;
  std::string subject; // "C=CN, O=kubeovn, CN=<id>"
  int key_bits = 0;
};

// Accepts `pem` only when its self-signature verifies, its subject CN is `expected_cn` and it
// has at least one other RDN (strongSwan matches the whole DN), and its key is RSA with at
// least `min_bits`. Throws PkiError saying which check failed.
CheckedRequest check_request(std::string_view pem, std::string_view expected_cn, int min_bits = k_min_key_bits);

struct SignOptions {
  int days = 730;
  std::chrono::system_clock::time_point now;
};

// A node certificate for `checked`: its subject, SAN DNS:<cn>, CA:FALSE, digitalSignature +
// keyEncipherment, serverAuth + clientAuth, random 128-bit serial, SHA-256. Returns PEM.
std::string sign_request(const LoadedCa& ca, const CheckedRequest& checked, const SignOptions& options);

} // namespace pki
