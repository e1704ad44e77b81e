#pragma once
// Kube-OVN >= 1.13 runs IPsec's PKI itself: what it does, so `init` can say it instead of
// fighting it, and `status` can explain an upgrade from plugin-managed IPsec. Pure.
// Facts (kubeovn/kube-ovn v1.13.0-v1.16: pkg/controller/pki.go, pkg/controller/signer.go,
// pkg/daemon/ipsec.go, charts/kube-ovn; docs/reference/kube-ovn-ipsec.md §3):
// - kube-ovn-controller sets NB_Global.ipsec to --enable-ovn-ipsec at every start, and with
//   true creates Secret ovn-ipsec-ca (cacert, cakey) only when it is absent: an existing CA is kept;
// - each kube-ovn-cni pod with true makes its key in /etc/ovs_ipsec_keys, asks for a certificate
//   with CSR ovn-ipsec-<node> (signer kubeovn.io/signer), which the controller approves and signs
//   with that CA, points OVSDB at the files and starts the IPsec daemons;
// - with false, every kube-ovn-cni start stops the daemons, deletes the key files and removes
//   other_config certificate/private_key/ca_cert: certificates installed by anyone else go too.

#include "ipsec/nb_flag.hpp"
#include "ipsec/node_status.hpp"
#include "kube/types.hpp"

#include <chrono>
#include <optional>

#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

inline constexpr std::string_view k_kube_ovn_signer = "kubeovn.io/signer";
inline constexpr std::string_view k_kube_ovn_key_dir = "/etc/ovs_ipsec_keys";

// What Kube-OVN will do about certificates, one line per step, given its flag `owner`, whether
// Secret ovn-ipsec-ca exists in `ns`, and the nodes its kube-ovn-cni pods run on.
std::vector<std::string> kube_ovn_enrollment(const FlagOwner& owner, std::string_view ns, bool ca_secret_exists,
                                             const std::vector<std::string>& nodes);

// The CSR a node's kube-ovn-cni makes: ovn-ipsec-<node name>.
std::string node_csr_name(std::string_view node);

// Fills each node's csr_state / csr_age_seconds from the cluster's CSRs (signer kubeovn.io/signer).
void attach_csrs(StatusReport& report, const std::vector<kube::CertificateSigningRequest>& csrs,
                 std::chrono::system_clock::time_point now);

// How Kube-OVN >= 1.13 issues and renews node certificates, from its kube-ovn-cni pods.
// v1.13-v1.14 (pkg/daemon/ipsec.go ManageIPSecKeys, daily): a new certificate once it is 365
// days old. v1.15+ (SyncIPSecKeys): past half its lifetime (--ovn-ipsec-cert-duration, 2 years
// by default), optionally from cert-manager (--cert-manager-ipsec-cert, --cert-manager-issuer-name).
struct KubeOvnPki {
  std::string version; // "v1.14.10", from the cni-server image tag; "" when it says none
  int minor = 0;       // 14 for v1.14.x; 0 when unknown
  bool cert_manager = false;
  std::string issuer_name = "kube-ovn";
};
KubeOvnPki describe_pki(const std::vector<kube::Pod>& cni_pods);

// Days until kube-ovn-cni replaces a certificate valid from `not_before` to `not_after`; nullopt
// when the version is unknown.
std::optional<long> renew_in_days(const KubeOvnPki& pki, std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after,
                                  std::chrono::system_clock::time_point now);

// status's "Certificates:" line for Kube-OVN >= 1.13 with IPsec on: who issues and when they renew.
std::string pki_line(const KubeOvnPki& pki);

// `rotate certs` on Kube-OVN >= 1.13, one line per point: who renews the node certificates and
// when (pki_line), where to watch it, and that nothing was changed. With the flag false there is
// nothing to rotate: kube-ovn-cni removes certificates at every start.
std::vector<std::string> kube_ovn_renewal(const FlagOwner& owner, const KubeOvnPki& pki, std::string_view ns);

// `rotate ca` on Kube-OVN >= 1.13, one line per step; nothing is written. v1.15+ (pkg/daemon/ipsec.go
// linkCACertToIPSecDir, needNewCert; pkg/controller/signer.go) trusts every CA in the Secret's
// cacert (a bundle, split into /etc/ipsec.d/cacerts/ca-NNN.pem), signs with the first one and
// cakey, and re-issues a certificate that does not verify against the bundle; the steps are those
// of Kube-OVN's own e2e test "Should keep working when rotating CA" (test/e2e/ipsec/e2e_test.go).
// v1.13-v1.14 link the Secret's cacert as one file (strongSwan reads its first certificate only):
// a new CA there means an outage, so upgrade first. Unknown version: both are said.
std::vector<std::string> kube_ovn_ca_rotation(const FlagOwner& owner, const KubeOvnPki& pki, std::string_view ns);

// init's refusal on Kube-OVN >= 1.13: why it changes nothing, and what to run instead.
std::string init_refusal(const FlagOwner& owner, std::string_view ns);

// status's note for a Kube-OVN >= 1.13 cluster, "" when there is nothing to add: with the flag
// false and a CA Secret present (the plugin's, from <= 1.12), what turning it on will do with it.
std::string upgrade_note(const FlagOwner& owner, bool ca_secret_exists);

} // namespace ipsec
