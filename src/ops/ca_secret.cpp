#include "ops/ca_secret.hpp"

#include "ipsec/ca_secret.hpp"
#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace ops {

namespace {

constexpr std::string_view k_ca_name = "kubectl-ko-ipsec CA";

std::string
secret_ref(const std::string& ns)
{
  return fmt::format("Secret {}/{}", ns, ipsec::k_ca_secret_name);
}

// Stores `ca`; when another run created the Secret meanwhile, that one wins.
CaChoice
store(kube::Cluster& cluster, const std::string& ns, CaChoice choice)
{
  try {
    cluster.create_secret(ipsec::ca_secret(ns, choice.pem));
    return choice;
  } catch (const kube::ApiError& e) {
    if (e.status() != 409) {
      throw;
    }
  }
  const auto secret = cluster.get_secret(ns, std::string(ipsec::k_ca_secret_name));
  if (!secret) {
    throw util::Error(fmt::format("{} was created and deleted again while init ran; run init again", secret_ref(ns)));
  }
  return {ipsec::ca_from_secret(*secret), "existing"};
}

} // namespace

std::optional<pki::CaPem>
load_given_ca(const std::string& ca_cert_file, const std::string& ca_key_file,
              std::chrono::system_clock::time_point now)
{
  if (ca_cert_file.empty() != ca_key_file.empty()) {
    throw util::UsageError("--ca-cert and --ca-key go together");
  }
  if (ca_cert_file.empty()) {
    return std::nullopt;
  }
  const auto loaded = pki::load_ca(kube::read_file_text(ca_cert_file), kube::read_file_text(ca_key_file),
                                   "--ca-cert " + ca_cert_file, now);
  return pki::CaPem{loaded.cert_pem, pki::private_key_pem(loaded.key.get())};
}

CaChoice
obtain_ca(kube::Cluster& cluster, const std::string& ns, const std::optional<kube::Secret>& secret,
          const std::string& ca_cert_file, const std::string& ca_key_file, bool dry_run,
          std::chrono::system_clock::time_point now)
{
  if (auto given = load_given_ca(ca_cert_file, ca_key_file, now)) {
    if (secret) {
      const auto stored = ipsec::ca_from_secret(*secret);
      const auto stored_loaded = pki::load_ca(stored.cert, stored.key, secret_ref(ns), now);
      if (stored_loaded.cert_pem != given->cert) {
        throw util::Error(fmt::format("{} already holds a different CA; nodes enrolled with it would stop "
                                      "verifying. Delete the Secret first to switch CAs, or drop --ca-cert/--ca-key",
                                      secret_ref(ns)));
      }
      return {stored, "existing"};
    }
    return dry_run ? CaChoice{*given, "would import"} : store(cluster, ns, {*given, "imported"});
  }
  if (secret) {
    return {ipsec::ca_from_secret(*secret), "existing"};
  }
  CaChoice fresh{pki::create_ca(std::string(k_ca_name), now), dry_run ? "would create" : "created"};
  return dry_run ? fresh : store(cluster, ns, fresh);
}

} // namespace ops
