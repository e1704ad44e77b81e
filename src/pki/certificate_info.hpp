#pragma once
// What a node certificate says about itself and whether the current CA issued it: the facts
// `init` (skip, renew, reissue) and `status` (certificate columns) decide on. Pure.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pki {

struct CertificateInfo {
  std::string subject;
  std::string issuer;
  std::string common_name;
  std::vector<std::string> dns_names;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool is_ca = false;
  bool issued_by_ca = false; // its signature verifies with the CA given to inspect_certificate
  std::string key_id;        // subjectKeyIdentifier as strongSwan lists it ("1c:f6:..."), "" when none
  std::string sha256;        // fingerprint of the DER, "AB:CD:..." as `openssl x509 -fingerprint -sha256`
};

// Reads the first certificate in `pem`; with `ca_pem`, also checks the signature against it.
// Throws PkiError naming `what` when `pem` holds no certificate.
CertificateInfo inspect_certificate(std::string_view pem, std::string_view what,
                                    std::optional<std::string_view> ca_pem = std::nullopt);

// Whole days from `now` to notAfter (negative once expired).
long days_left(const CertificateInfo& info, std::chrono::system_clock::time_point now);

} // namespace pki
