// rotate ca's phase planning and Secret bookkeeping (ipsec/ca_rotation), pure: the steps from every
// recorded phase (a run interrupted anywhere resumes or rolls back), the Secret after each step,
// a Secret edited by hand refused, strongSwan's CA list read, and Kube-OVN >= 1.13's explanation.
#include "ipsec/ca_rotation.hpp"
#include "ipsec/ca_secret.hpp"
#include "ipsec/kube_ovn_pki.hpp"
#include "pki/errors.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using ipsec::CaPhase;
using ipsec::CaStep;

namespace {

kube::Secret
ca_secret_with(std::map<std::string, std::string> data)
{
  kube::Secret secret;
  secret.ns = "kube-system";
  secret.name = "ovn-ipsec-ca";
  secret.resource_version = "7";
  secret.data = std::move(data);
  return secret;
}

std::string
joined(const std::vector<std::string>& lines)
{
  std::string text;
  for (const auto& line : lines) {
    text += line + "\n";
  }
  return text;
}

} // namespace

TEST_CASE("ca rotation: the steps from every recorded phase, forward and --abort")
{
  using enum CaStep;
  CHECK(ipsec::plan_ca_rotation(CaPhase::none, false) ==
        std::vector<CaStep>{store_next, trust, mark_reissue, reissue, swap, retire, finish});
  CHECK(ipsec::plan_ca_rotation(CaPhase::trust, false) ==
        std::vector<CaStep>{trust, mark_reissue, reissue, swap, retire, finish});
  // Resumed in reissue: pods restarted meanwhile lost cacert-next.pem, so trust runs again first.
  CHECK(ipsec::plan_ca_rotation(CaPhase::reissue, false) == std::vector<CaStep>{trust, reissue, swap, retire, finish});
  CHECK(ipsec::plan_ca_rotation(CaPhase::retire, false) == std::vector<CaStep>{retire, finish});

  CHECK(ipsec::plan_ca_rotation(CaPhase::trust, true) == std::vector<CaStep>{untrust, drop_next});
  CHECK(ipsec::plan_ca_rotation(CaPhase::reissue, true) ==
        std::vector<CaStep>{trust, reissue_back, untrust, drop_next});
  CHECK_THROWS_WITH_AS(ipsec::plan_ca_rotation(CaPhase::none, true),
                       "no CA rotation is under way: there is nothing to abort", util::Error);
  CHECK_THROWS_WITH_AS(ipsec::plan_ca_rotation(CaPhase::retire, true),
                       doctest::Contains("the rotation can only be finished"), util::Error);

  // Every step that touches nodes is followed by a Secret step or the end; none is a no-op.
  for (const auto step : {trust, reissue, retire, reissue_back, untrust}) {
    CHECK(ipsec::is_node_step(step));
  }
  for (const auto step : {store_next, mark_reissue, swap, finish, drop_next}) {
    CHECK_FALSE(ipsec::is_node_step(step));
  }
}

TEST_CASE("ca rotation: the Secret after each step; read back, it resumes where it stopped")
{
  const pki::CaPem old_ca{"OLD-CERT", "OLD-KEY"};
  const pki::CaPem new_ca{"NEW-CERT", "NEW-KEY"};
  const auto start = ca_secret_with({{"cacert", old_ca.cert}, {"cakey", old_ca.key}});
  CHECK(ipsec::read_rotation(start).phase == CaPhase::none);

  const auto trusting = ipsec::begin_rotation(start, new_ca);
  CHECK(trusting.resource_version == "7"); // a concurrent change fails the update
  auto state = ipsec::read_rotation(trusting);
  CHECK(state.phase == CaPhase::trust);
  CHECK(state.current.cert == "OLD-CERT");
  REQUIRE(state.next.has_value());
  CHECK(state.next->key == "NEW-KEY");

  const auto reissuing = ipsec::enter_phase(trusting, CaPhase::reissue);
  CHECK(ipsec::read_rotation(reissuing).phase == CaPhase::reissue);

  // The swap: Kube-OVN's keys hold the new CA, the old one is kept until the end.
  const auto retiring = ipsec::swap_ca(reissuing);
  state = ipsec::read_rotation(retiring);
  CHECK(state.phase == CaPhase::retire);
  CHECK(retiring.data.at("cacert") == "NEW-CERT");
  CHECK(retiring.data.at("cakey") == "NEW-KEY");
  CHECK(retiring.data.at("previous-cacert") == "OLD-CERT");
  CHECK(retiring.data.count("next-cacert") == 0);
  REQUIRE(state.previous.has_value());
  CHECK(state.previous->key == "OLD-KEY");

  const auto done = ipsec::finish_rotation(retiring);
  CHECK(done.data == std::map<std::string, std::string>{{"cacert", "NEW-CERT"}, {"cakey", "NEW-KEY"}});

  // Rolled back before the swap: exactly the Secret it started from.
  CHECK(ipsec::abort_rotation(reissuing).data == start.data);
  CHECK(ipsec::abort_rotation(trusting).data == start.data);
}

TEST_CASE("ca rotation: a Secret edited by hand is refused, naming the key, never guessed at")
{
  const std::map<std::string, std::string> base{{"cacert", "C"}, {"cakey", "K"}};
  auto data = base;
  data["rotation-phase"] = "reissue";
  CHECK_THROWS_WITH_AS(ipsec::read_rotation(ca_secret_with(data)),
                       "Secret kube-system/ovn-ipsec-ca records rotation phase reissue but has no \"next-cacert\"",
                       pki::PkiError);
  data["rotation-phase"] = "halfway";
  CHECK_THROWS_WITH_AS(ipsec::read_rotation(ca_secret_with(data)),
                       doctest::Contains("\"rotation-phase\" = \"halfway\", which is none of trust, reissue, retire"),
                       pki::PkiError);
  data = base;
  data["next-cacert"] = "N";
  CHECK_THROWS_WITH_AS(ipsec::read_rotation(ca_secret_with(data)),
                       "Secret kube-system/ovn-ipsec-ca has \"next-cacert\" without \"next-cakey\"", pki::PkiError);
  data["next-cakey"] = "NK";
  CHECK_THROWS_WITH_AS(ipsec::read_rotation(ca_secret_with(data)),
                       doctest::Contains("has next-cacert but no \"rotation-phase\""), pki::PkiError);
  data = base;
  data["rotation-phase"] = "retire";
  CHECK_THROWS_WITH_AS(ipsec::read_rotation(ca_secret_with(data)), doctest::Contains("no \"previous-cacert\""),
                       pki::PkiError);
  CHECK_THROWS_AS(ipsec::read_rotation(ca_secret_with({{"cacert", "C"}})), pki::PkiError);
}

TEST_CASE("ca rotation: strongSwan's CA list read by key id; the second CA file and its commands")
{
  // `ipsec listcacerts` as strongSwan 5.9 prints it (captured in the lab).
  const std::string listed = R"LIST(
List of X.509 CA Certificates

  subject:  "C=US, ST=CA, O=Open vSwitch, OU=switchca, CN=OVS switchca CA Certificate (2026 Dec 06 06:03:56)"
  issuer:   "C=US, ST=CA, O=Open vSwitch, OU=switchca, CN=OVS switchca CA Certificate (2026 Dec 06 06:03:56)"
  validity:  not before Dec 06 06:03:56 2026, ok
             not after  Dec 03 06:03:56 2036, ok (expires in 3649 days)
  serial:    01
  flags:     CA self-signed 
  subjkeyId: 1c:f6:bb:06:d3:0e:cf:d5:45:7d:7d:a5:e4:9c:ab:b0:ec:86:42:b9
  pubkey:    RSA 2048 bits
  keyid:     79:78:d2:62:b3:c0:df:ae:0c:a3:06:d5:2f:44:97:b9:b8:10:c2:66
  subjkey:   1c:f6:bb:06:d3:0e:cf:d5:45:7d:7d:a5:e4:9c:ab:b0:ec:86:42:b9

  subject:  "CN=new test CA"
  subjkeyId: AA:BB:CC
)LIST";
  CHECK(ipsec::listed_ca_key_ids(listed) ==
        std::vector<std::string>{"1c:f6:bb:06:d3:0e:cf:d5:45:7d:7d:a5:e4:9c:ab:b0:ec:86:42:b9", "aa:bb:cc"});
  CHECK(ipsec::listed_ca_key_ids("").empty());
  CHECK(ipsec::next_ca_path() == "/etc/ipsec.d/cacerts/cacert-next.pem");
  const auto install = ipsec::install_next_ca_command();
  CHECK(install.back() == "/etc/ipsec.d/cacerts/cacert-next.pem");
  CHECK(install[2].find("openssl x509 -noout") != std::string::npos); // only a certificate replaces the file
  CHECK(ipsec::remove_next_ca_command() ==
        std::vector<std::string>{"sh", "-c", "rm -f \"$1\"", "sh", "/etc/ipsec.d/cacerts/cacert-next.pem"});
  const auto when = std::chrono::sys_days{std::chrono::year{2026} / 12 / 6} + std::chrono::hours{6} +
                    std::chrono::minutes{13} + std::chrono::seconds{42};
  CHECK(ipsec::rotated_ca_name(when) == "kubectl-ko-ipsec CA 2026-12-06 06:13");
}

TEST_CASE("ca rotation on Kube-OVN >= 1.13: the bundle steps from v1.15, upgrade first before, nothing written")
{
  const ipsec::FlagOwner on{"kube-ovn-controller-1", "kube-ovn-controller", true};
  ipsec::KubeOvnPki v115;
  v115.version = "v1.15.2";
  v115.minor = 15;
  const auto steps = joined(ipsec::kube_ovn_ca_rotation(on, v115, "kube-system"));
  CHECK(steps.find("Kube-OVN v1.15.2 reads the CA in Secret kube-system/ovn-ipsec-ca itself") != std::string::npos);
  CHECK(steps.find("1. put the new CA after the current one") != std::string::npos);
  CHECK(steps.find("rollout restart daemonset/kube-ovn-cni") != std::string::npos);
  CHECK(steps.find("v1.13-v1.14") == std::string::npos);
  CHECK(steps.find("this plugin changed nothing") != std::string::npos);

  ipsec::KubeOvnPki v113;
  v113.version = "v1.13.4";
  v113.minor = 13;
  const auto old_steps = joined(ipsec::kube_ovn_ca_rotation(on, v113, "kube-system"));
  CHECK(old_steps.find("1. put the new CA") == std::string::npos);
  CHECK(old_steps.find("upgrade to >= v1.15 first\n") != std::string::npos);

  const auto unknown = joined(ipsec::kube_ovn_ca_rotation(on, ipsec::KubeOvnPki{}, "kube-system"));
  CHECK(unknown.find("1. put the new CA") != std::string::npos);
  CHECK(unknown.find("upgrade to >= v1.15 first if this is one of them") != std::string::npos);

  const ipsec::FlagOwner off{"kube-ovn-controller-1", "kube-ovn-controller", false};
  const auto off_steps = joined(ipsec::kube_ovn_ca_rotation(off, v115, "kube-system"));
  CHECK(off_steps.find("no node uses a CA, so there is none to rotate") != std::string::npos);
}
