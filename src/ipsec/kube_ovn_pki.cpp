#include "ipsec/kube_ovn_pki.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipsec {

std::vector<std::string>
kube_ovn_enrollment(const FlagOwner& owner, std::string_view ns, bool ca_secret_exists,
                    const std::vector<std::string>& nodes)
{
  std::vector<std::string> steps;
  if (!owner.value) {
    steps.push_back(fmt::format("--enable-ovn-ipsec=false ({}, container {}): at every kube-ovn-cni start Kube-OVN "
                                "stops the IPsec daemons and removes the certificate files and their OVSDB keys; "
                                "certificates installed by anyone else are removed too",
                                owner.pod, owner.container));
    steps.push_back("to enroll the nodes, turn IPsec on (`kubectl ko ipsec on` sets --enable-ovn-ipsec=true on "
                    "kube-ovn-controller and kube-ovn-cni); Kube-OVN then does the following:");
  }
  steps.push_back(ca_secret_exists
                      ? fmt::format("kube-ovn-controller keeps the CA in Secret {}/ovn-ipsec-ca", ns)
                      : fmt::format("kube-ovn-controller creates the CA (ovs-pki) in Secret {}/ovn-ipsec-ca", ns));
  for (const auto& node : nodes) {
    steps.push_back(fmt::format("{}: kube-ovn-cni makes a key in {}, requests CSR ovn-ipsec-{} (signer {}), "
                                "kube-ovn-controller approves and signs it, and the daemons start",
                                node, k_kube_ovn_key_dir, node, k_kube_ovn_signer));
  }
  return steps;
}

std::string
node_csr_name(std::string_view node)
{
  return fmt::format("ovn-ipsec-{}", node);
}

void
attach_csrs(StatusReport& report, const std::vector<kube::CertificateSigningRequest>& csrs,
            std::chrono::system_clock::time_point now)
{
  for (auto& node : report.nodes) {
    const std::string name = node_csr_name(node.node);
    for (const auto& csr : csrs) {
      if (csr.name == name && csr.signer == k_kube_ovn_signer) {
        node.csr_state = csr.state;
        node.csr_age_seconds =
            csr.created.time_since_epoch().count() == 0
                ? 0
                : std::max<long>(0, std::chrono::duration_cast<std::chrono::seconds>(now - csr.created).count());
      }
    }
  }
}

std::string
init_refusal(const FlagOwner& owner, std::string_view ns)
{
  if (owner.value) {
    return fmt::format("Kube-OVN >= 1.13 runs the IPsec certificates here: {}/{} has --enable-ovn-ipsec=true, so "
                       "each kube-ovn-cni pod gets its certificate from kube-ovn-controller (CSR ovn-ipsec-<node>, "
                       "signer {}). Nothing was changed; `init --dry-run` shows what Kube-OVN does, and "
                       "`kubectl ko ipsec status` how far it got",
                       ns, owner.pod, k_kube_ovn_signer);
  }
  return fmt::format("Kube-OVN >= 1.13 manages IPsec here: {}/{} has --enable-ovn-ipsec=false, and every "
                     "kube-ovn-cni start removes certificates installed by anyone else. Nothing was changed; turn "
                     "IPsec on with `kubectl ko ipsec on` and Kube-OVN enrolls every node itself "
                     "(`init --dry-run` shows how)",
                     ns, owner.pod);
}

std::string
upgrade_note(const FlagOwner& owner, bool ca_secret_exists)
{
  if (owner.value || !ca_secret_exists) {
    return "";
  }
  return "IPsec is off by Kube-OVN's --enable-ovn-ipsec=false (its default after an upgrade from <= 1.12); "
         "`kubectl ko ipsec on` turns Kube-OVN's IPsec on, which keeps the CA in Secret ovn-ipsec-ca and "
         "re-enrolls every node";
}

} // namespace ipsec
