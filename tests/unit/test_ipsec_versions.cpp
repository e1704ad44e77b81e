// `version`'s cluster side: what OVS and OVN print for --version, and Kube-OVN's image tags.
#include "ipsec/versions.hpp"

#include <doctest/doctest.h>

TEST_CASE("versions: --version of ovs-vsctl and ovn-nbctl as they print it; anything else is not a version")
{
  CHECK(ipsec::parse_ovs_version("ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n") == "3.1.0");
  CHECK(ipsec::parse_ovn_version("ovn-nbctl 23.03.1\nOpen vSwitch Library 3.1.0\nDB Schema 7.0.0\n") == "23.03.1");
  CHECK(ipsec::parse_ovn_version("ovn-nbctl 24.03.2-1\n") == "24.03.2-1");
  CHECK_FALSE(ipsec::parse_ovs_version(""));
  CHECK_FALSE(ipsec::parse_ovs_version("sh: ovs-vsctl: not found\n"));
  CHECK_FALSE(ipsec::parse_ovs_version("ovs-vsctl (Open vSwitch) \n"));
  CHECK_FALSE(ipsec::parse_ovn_version("ovn-nbctl: unix:/var/run/ovn/ovnnb_db.sock: database connection failed\n"));
  CHECK_FALSE(ipsec::parse_ovn_version("ovn-nbctl x y\n"));
}

TEST_CASE("versions: Kube-OVN's release is its image tag; two during an upgrade; a digest alone is none")
{
  const auto pod = [](const std::string& image) {
    kube::Pod p;
    p.containers.push_back({"cni-server", {}, {}, true, image});
    p.containers.push_back({"other", {}, {}, true, "busybox:1.36"});
    return p;
  };
  CHECK(ipsec::image_tags({pod("docker.io/kubeovn/kube-ovn:v1.12.22")}, "cni-server") == "v1.12.22");
  CHECK(ipsec::image_tags({pod("docker.io/kubeovn/kube-ovn:v1.12.22"), pod("registry:5000/kubeovn/kube-ovn:v1.13.3"),
                           pod("kubeovn/kube-ovn:v1.12.22")},
                          "cni-server") == "v1.12.22, v1.13.3");
  CHECK(ipsec::image_tags({pod("registry:5000/kubeovn/kube-ovn@sha256:0123")}, "cni-server").empty());
  CHECK(ipsec::image_tags({pod("kubeovn/kube-ovn:v1.14.4@sha256:0123")}, "cni-server") == "v1.14.4");
  CHECK(ipsec::image_tags({}, "cni-server").empty());
}
