// Kube-OVN >= 1.13's PKI as status and init describe it: who issues, when kube-ovn-cni renews.
#include "ipsec/kube_ovn_pki.hpp"

#include "support/fake_cluster.hpp"

#include <doctest/doctest.h>

namespace {

kube::Pod
cni_pod(const std::string& image, std::vector<std::string> args)
{
  auto pod = testsupport::make_pod("kube-system", "kube-ovn-cni-abcde", "n1", {{"app", "kube-ovn-cni"}}, "cni-server",
                                   std::move(args));
  pod.containers[0].image = image;
  return pod;
}

using days = std::chrono::duration<long, std::ratio<86400>>;

} // namespace

TEST_CASE("kube-ovn pki: the version and cert-manager mode come from the cni-server container")
{
  auto pki = ipsec::describe_pki({cni_pod("docker.io/kubeovn/kube-ovn:v1.14.10", {"--enable-ovn-ipsec=true"})});
  CHECK(pki.version == "v1.14.10");
  CHECK(pki.minor == 14);
  CHECK_FALSE(pki.cert_manager);
  CHECK(ipsec::pki_line(pki) == "issued by kube-ovn-controller with Secret ovn-ipsec-ca, through CSR "
                                "ovn-ipsec-<node> (signer kubeovn.io/signer); kube-ovn-cni v1.14.10 renews them 365 "
                                "days after issue");
  pki = ipsec::describe_pki({cni_pod("registry.local:5000/kube-ovn:v1.15.3",
                                     {"--cert-manager-ipsec-cert=true", "--cert-manager-issuer-name=ipsec-ca"})});
  CHECK(pki.minor == 15);
  CHECK(pki.cert_manager);
  CHECK(ipsec::pki_line(pki) == "issued by cert-manager (ClusterIssuer ipsec-ca) through a CertificateRequest; "
                                "kube-ovn-cni v1.15.3 renews them at half their lifetime");
  pki = ipsec::describe_pki({cni_pod("registry.local:5000/kube-ovn", {})}); // no tag: a port is not a version
  CHECK(pki.version.empty());
  CHECK(pki.minor == 0);
}

TEST_CASE("kube-ovn pki: renewal is 365 days after issue on v1.13-1.14, half the lifetime from v1.15")
{
  const auto now = std::chrono::system_clock::now();
  const auto issued = now - days(100);
  const auto expires = issued + days(3650); // the v1.13 signer's 10 years
  ipsec::KubeOvnPki pki;
  pki.minor = 13;
  CHECK(ipsec::renew_in_days(pki, issued, expires, now) == 265);
  pki.minor = 15;
  CHECK(ipsec::renew_in_days(pki, issued, issued + days(730), now) == 265); // 2-year default: at 365 days
  CHECK(ipsec::renew_in_days(pki, issued, expires, now) == 1725);
  pki.minor = 0;
  CHECK_FALSE(ipsec::renew_in_days(pki, issued, expires, now).has_value());
}
