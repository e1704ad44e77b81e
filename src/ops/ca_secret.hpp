#pragma once
// The CA `init` signs with: Secret ovn-ipsec-ca when it exists, else the CA given with
// --ca-cert/--ca-key, else a new one; stored in the Secret (never on the user's disk).

#include "kube/cluster.hpp"
#include "pki/ca.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace ops {

struct CaChoice {
  pki::CaPem pem;
  std::string origin; // "existing", "imported", "created", or "would create" (dry run)
};

// The CA in --ca-cert/--ca-key, its key as PKCS#8 whatever the file's format (Kube-OVN's signer
// reads only that); nullopt when neither flag is given. Throws when only one is, or when the files
// do not hold a usable CA.
std::optional<pki::CaPem> load_given_ca(const std::string& ca_cert_file, const std::string& ca_key_file,
                                        std::chrono::system_clock::time_point now);

// `secret` is Secret ovn-ipsec-ca as just read (nullopt: there is none). Throws util::Error when
// the Secret and --ca-cert disagree or the material is unusable.
CaChoice obtain_ca(kube::Cluster& cluster, const std::string& ns, const std::optional<kube::Secret>& secret,
                   const std::string& ca_cert_file, const std::string& ca_key_file, bool dry_run,
                   std::chrono::system_clock::time_point now);

} // namespace ops
