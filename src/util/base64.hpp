#pragma once
// Standard base64 (RFC 4648 §4, padded), with the exact acceptance rules and error
// positions of Go's encoding/base64.StdEncoding, because kubeconfig *-data fields are
// decoded by Go and our messages should match kubectl's.

#include <string>
#include <string_view>

namespace util {

// Encodes bytes as padded standard base64.
std::string base64_encode(std::string_view data);

// Decodes padded standard base64; CR and LF anywhere are ignored (as Go does).
// Throws util::Error "illegal base64 data at input byte N" (N as Go reports it) on bad input.
std::string base64_decode(std::string_view text);

} // namespace util
