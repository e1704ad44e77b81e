// Fuzzes the CA's check of a node's certificate request: arbitrary bytes as PEM text, or as DER
// wrapped in PEM armour so that OpenSSL's ASN.1 decoder and the checks behind it see them.

#include "pki/request.hpp"
#include "util/base64.hpp"
#include "util/error.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

namespace {

std::string
der_as_pem(const std::string& der)
{
  const std::string body = util::base64_encode(der);
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) {
    pem += body.substr(i, 64) + "\n";
  }
  return pem + "-----END CERTIFICATE REQUEST-----\n";
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  FuzzedDataProvider provider(data, size);
  const bool as_der = provider.ConsumeBool();
  const std::string bytes = provider.ConsumeRemainingBytesAsString();
  try {
    // 512 bits as the minimum keeps small fuzzer-made keys on the path to the later checks.
    (void)pki::check_request(as_der ? der_as_pem(bytes) : bytes, "node-1", 512);
  } catch (const util::Error&) {
    // PkiError naming the failed check is the expected answer to a bad request.
  }
  return 0;
}
