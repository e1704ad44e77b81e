// koi_bench_sign: how long `init`'s in-process CA work takes for a large cluster. Makes one CA
// and N certificate requests up front (as nodes would send them; a few RSA-2048 keys are
// shared between requests because key generation is the nodes' cost, not the CA's), then
// times only pki::check_request + pki::sign_request for all of them. Prints one JSON line:
//   {"csrs":N,"keys":K,"prepare_ms":P,"sign_ms":S,"per_csr_ms":X}
//
// usage: koi_bench_sign [N=1000] [KEYS=8]
#include "pki/ca.hpp"
#include "pki/openssl_util.hpp"
#include "pki/request.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// The subject Kube-OVN's node scripts ask for: /C=CN/O=kubeovn/OU=kube-ovn/CN=<system-id>.
std::string
make_request(EVP_PKEY* key, const std::string& cn)
{
  pki::X509ReqPtr req(X509_REQ_new());
  X509_NAME* name = req ? X509_REQ_get_subject_name(req.get()) : nullptr;
  if (name == nullptr) {
    throw std::runtime_error("cannot allocate a request");
  }
  const std::pair<const char*, std::string> fields[] = {{"C", "CN"}, {"O", "kubeovn"}, {"OU", "kube-ovn"}, {"CN", cn}};
  for (const auto& [field, value] : fields) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                               0);
  }
  if (X509_REQ_set_pubkey(req.get(), key) != 1 || X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    throw std::runtime_error("cannot sign a request");
  }
  return pki::request_pem(req.get());
}

double
ms_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int
main(int argc, char** argv)
{
  try {
    const int count = argc > 1 ? std::stoi(argv[1]) : 1000;
    const int key_count = argc > 2 ? std::stoi(argv[2]) : 8;
    const auto now = std::chrono::system_clock::now();

    const auto prepare = std::chrono::steady_clock::now();
    const pki::CaPem ca_pem = pki::create_ca("ovn-ipsec-ca", now);
    const pki::LoadedCa ca = pki::load_ca(ca_pem.cert, ca_pem.key, "benchmark CA", now);
    std::vector<pki::EvpPkeyPtr> keys;
    for (int k = 0; k < key_count; ++k) {
      keys.push_back(pki::generate_rsa_key(2048));
    }
    std::vector<std::pair<std::string, std::string>> requests; // (cn, pem)
    for (int i = 0; i < count; ++i) {
      const std::string cn = fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i);
      requests.emplace_back(cn, make_request(keys[static_cast<size_t>(i % key_count)].get(), cn));
    }
    const double prepare_ms = ms_since(prepare);

    const auto start = std::chrono::steady_clock::now();
    std::size_t signed_bytes = 0;
    for (const auto& [cn, pem] : requests) {
      const pki::CheckedRequest checked = pki::check_request(pem, cn);
      signed_bytes += pki::sign_request(ca, checked, pki::SignOptions{730, now}).size();
    }
    const double sign_ms = ms_since(start);
    if (signed_bytes == 0) {
      throw std::runtime_error("no certificate was produced");
    }
    std::cout << fmt::format(R"({{"csrs":{},"keys":{},"prepare_ms":{:.0f},"sign_ms":{:.1f},"per_csr_ms":{:.3f}}})",
                             count, key_count, prepare_ms, sign_ms, sign_ms / count)
              << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "koi_bench_sign: " << e.what() << "\n";
    return 1;
  }
}
