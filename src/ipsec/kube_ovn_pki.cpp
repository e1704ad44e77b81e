#include "ipsec/kube_ovn_pki.hpp"

#include "ipsec/ca_secret.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

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

KubeOvnPki
describe_pki(const std::vector<kube::Pod>& cni_pods)
{
  KubeOvnPki pki;
  for (const auto& pod : cni_pods) {
    for (const auto& container : pod.containers) {
      if (container.name != "cni-server") {
        continue;
      }
      const auto colon = container.image.rfind(':');
      const auto slash = container.image.rfind('/');
      if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        pki.version = container.image.substr(colon + 1);
        int major = 0;
        int minor = 0;
        if (std::sscanf(pki.version.c_str(), "v%d.%d", &major, &minor) == 2 && major == 1) {
          pki.minor = minor;
        }
      }
      for (const auto& arg : container.args) {
        if (arg == "--cert-manager-ipsec-cert" || arg == "--cert-manager-ipsec-cert=true") {
          pki.cert_manager = true;
        } else if (arg.rfind("--cert-manager-issuer-name=", 0) == 0) {
          pki.issuer_name = arg.substr(std::string_view("--cert-manager-issuer-name=").size());
        }
      }
      return pki;
    }
  }
  return pki;
}

std::optional<long>
renew_in_days(const KubeOvnPki& pki, std::chrono::system_clock::time_point not_before,
              std::chrono::system_clock::time_point not_after, std::chrono::system_clock::time_point now)
{
  using days = std::chrono::duration<long, std::ratio<86400>>;
  if (pki.minor == 13 || pki.minor == 14) {
    return std::chrono::floor<days>(not_before + days(365) - now).count();
  }
  if (pki.minor >= 15) {
    return std::chrono::floor<days>(not_before + (not_after - not_before) / 2 - now).count();
  }
  return std::nullopt;
}

std::string
pki_line(const KubeOvnPki& pki)
{
  const std::string issuer =
      pki.cert_manager ? fmt::format("cert-manager (ClusterIssuer {}) through a CertificateRequest", pki.issuer_name)
                       : fmt::format("kube-ovn-controller with Secret ovn-ipsec-ca, through CSR ovn-ipsec-<node> "
                                     "(signer {})",
                                     k_kube_ovn_signer);
  const std::string version = pki.version.empty() ? "" : " " + pki.version;
  const std::string renewal = pki.minor == 13 || pki.minor == 14 ? "365 days after issue"
                              : pki.minor >= 15                  ? "at half their lifetime"
                                                                 : "as its version does";
  return fmt::format("issued by {}; kube-ovn-cni{} renews them {}", issuer, version, renewal);
}

std::vector<std::string>
kube_ovn_renewal(const FlagOwner& owner, const KubeOvnPki& pki, std::string_view ns)
{
  if (!owner.value) {
    return {fmt::format("IPsec is off in Kube-OVN ({}/{} has --enable-ovn-ipsec=false): every kube-ovn-cni start "
                        "removes node certificates, so there are none to rotate",
                        ns, owner.pod),
            "`kubectl ko ipsec on` turns it on; Kube-OVN then enrolls every node itself"};
  }
  return {fmt::format("node certificates are {}", pki_line(pki)),
          "`kubectl ko ipsec status` shows each node's certificate, its days left and when kube-ovn-cni renews it",
          fmt::format("this plugin writes no certificate here: one it installed would be replaced (or, with "
                      "--enable-ovn-ipsec=false, removed) by kube-ovn-cni; the CA is Secret {}/{}",
                      ns, k_ca_secret_name)};
}

std::vector<std::string>
kube_ovn_ca_rotation(const FlagOwner& owner, const KubeOvnPki& pki, std::string_view ns)
{
  const std::string secret = fmt::format("{}/{}", ns, k_ca_secret_name);
  if (!owner.value) {
    return {fmt::format("IPsec is off in Kube-OVN ({}/{} has --enable-ovn-ipsec=false): no node uses a CA, so there "
                        "is none to rotate",
                        ns, owner.pod),
            fmt::format("to start with a new CA, replace Secret {} (keys cacert, cakey: PEM, the key PKCS#8) before "
                        "`kubectl ko ipsec on`; Kube-OVN keeps a CA it finds there",
                        secret)};
  }
  std::vector<std::string> steps;
  const std::string version = pki.version.empty() ? "this Kube-OVN (version unknown)" : "Kube-OVN " + pki.version;
  if (pki.minor == 0 || pki.minor >= 15) {
    steps = {
        fmt::format("{} {} the CA in Secret {} itself; without an outage, as Kube-OVN's own e2e test rotates it:",
                    version, pki.minor == 0 ? "(>= 1.15) reads" : "reads", secret),
        "1. put the new CA after the current one in the Secret's cacert (a bundle; cakey unchanged) and wait until "
        "every kube-ovn-cni pod lists both (`ipsec listcacerts` in container cni-server)",
        "2. make the new CA first in cacert, keep the old one second, and put the new CA's key in cakey: "
        "kube-ovn-controller signs with the first certificate and cakey",
        fmt::format("3. have every node ask for a new certificate: remove /etc/ovs_ipsec_keys/ipsec-cert-*.pem in "
                    "each kube-ovn-cni pod, then `kubectl -n {} rollout restart daemonset/kube-ovn-cni`",
                    ns),
        "4. once every node's certificate is from the new CA (`kubectl ko ipsec status`), leave only the new CA "
        "in cacert",
    };
  }
  if (pki.minor == 0 || pki.minor < 15) {
    steps.push_back(
        fmt::format("Kube-OVN v1.13-v1.14 trust only the first CA in cacert and keep a node's certificate while it is "
                    "valid: after a new CA there the nodes' certificates from the old one are refused by every peer "
                    "(kube-ovn issue 5709, fixed in v1.15); upgrade to >= v1.15 first{}",
                    pki.minor == 0 ? " if this is one of them" : ""));
  }
  steps.emplace_back("this plugin changed nothing: kube-ovn-cni owns the node certificates here");
  return steps;
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
