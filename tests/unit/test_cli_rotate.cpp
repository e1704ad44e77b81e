// `rotate certs` against fake nodes that run the plugin's real shell steps with the real openssl
// (as test_cli_init.cpp): every certificate new and from the same CA, --before choosing the
// nodes, --dry-run, the wait for the tunnels, no CA, Kube-OVN >= 1.13, and status's warnings.
#include "support/init_sim.hpp"
#include "support/pki_nodes.hpp"
#include "support/subprocess.hpp"

#include "ipsec/ca_secret.hpp"
#include "ipsec/init_plan.hpp"
#include "pki/certificate_info.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace testsupport::fakelab;

namespace {

std::string
node_cert_path(int node)
{
  return "/etc/ipsec.d/certs/" + k_chassis[static_cast<size_t>(node - 1)] + "-cert.pem";
}

std::string
ca_of(testsupport::PkiNodes& nodes)
{
  const auto secret = nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca");
  REQUIRE(secret.has_value());
  return ipsec::ca_from_secret(*secret).cert;
}

size_t
key_generations(const testsupport::FakeCluster& fake)
{
  size_t n = 0;
  for (const auto& e : fake.execs()) {
    for (const auto& arg : e.command) {
      n += arg.find("openssl genrsa") != std::string::npos ? 1 : 0;
    }
  }
  return n;
}

} // namespace

TEST_CASE("cli rotate certs: every node's certificate is new and from the same CA; --dry-run changes nothing")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  const std::string ca = ca_of(nodes);
  std::vector<std::string> before;
  for (int i = 1; i <= 3; ++i) {
    before.push_back(nodes.file("n" + std::to_string(i), node_cert_path(i)));
  }
  const size_t keys_before = key_generations(nodes.lab.fake);

  auto r = run_cli(nodes.lab, {"rotate", "certs", "--dry-run"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("reissue   --force   would reissue\n") != std::string::npos);
  CHECK(key_generations(nodes.lab.fake) == keys_before);

  // IPsec on: after the certificates it waits until every tunnel is CONFIGURED again.
  *nodes.lab.nb = true;
  r = run_cli(nodes.lab, {"rotate", "certs", "--key-bits", "2048"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("CA: Secret kube-system/ovn-ipsec-ca (existing)") == 0);
  CHECK(r.out.find("3 node(s): 3 ok, 0 failed\n") != std::string::npos);
  CHECK(r.out.find("done: ") != std::string::npos);
  CHECK(key_generations(nodes.lab.fake) == keys_before + 3); // each node made its own new key
  // Each node's strongSwan loads its new key and certificate itself (rereadsecrets, reload, then the
  // bring-up), never through the monitor's refresh, which tears every SA down
  // (ipsec/init_plan.hpp, reload_credentials_command).
  size_t reloads = 0;
  size_t refreshes = 0;
  for (const auto& e : nodes.lab.fake.execs()) {
    reloads += e.command == ipsec::reload_credentials_command() ? 1 : 0;
    refreshes += std::find(e.command.begin(), e.command.end(), "refresh") != e.command.end() ? 1 : 0;
  }
  CHECK(reloads == 3);
  CHECK(refreshes == 0);
  CHECK(ca_of(nodes) == ca);
  for (int i = 1; i <= 3; ++i) {
    const std::string cert = nodes.file("n" + std::to_string(i), node_cert_path(i));
    CHECK(cert != before[static_cast<size_t>(i - 1)]);
    CHECK(pki::inspect_certificate(cert, "node certificate", ca).issued_by_ca);
  }
}

TEST_CASE("cli rotate certs --before: only certificates expiring within the window; status warns about them")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  // n2 gets a certificate that ends in 20 days.
  REQUIRE(run_cli(nodes.lab,
                  {"init", "--key-bits", "2048", "--force", "--node", "n2", "--cert-days", "20", "--renew-before", "5"})
              .code == 0);
  auto r = run_cli(nodes.lab, {"status"});
  CHECK(r.code == 3); // IPsec off, no tunnels: the warning does not change the verdict
  CHECK_MESSAGE(r.out.find("Warning: n2's IPsec certificate expires in 19 day(s); renew it with `kubectl ko ipsec "
                           "rotate certs --before 30d`\n") != std::string::npos,
                r.out);
  CHECK(r.out.find("n1's IPsec certificate") == std::string::npos);
  r = run_cli(nodes.lab, {"status", "-o", "json"});
  CHECK(nlohmann::json::parse(r.out)["certificateWarnings"].size() == 1);

  const std::string n1 = nodes.file("n1", node_cert_path(1));
  const std::string n2 = nodes.file("n2", node_cert_path(2));
  r = run_cli(nodes.lab, {"rotate", "certs", "--key-bits", "2048", "--before", "30d"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("n2     " + k_chassis[1] + "   renew") != std::string::npos);
  CHECK(r.out.find("n1     " + k_chassis[0] + "   skip") != std::string::npos);
  CHECK(nodes.file("n1", node_cert_path(1)) == n1);
  CHECK(nodes.file("n2", node_cert_path(2)) != n2);
  r = run_cli(nodes.lab, {"status"});
  CHECK(r.out.find("Warning:") == std::string::npos);

  CHECK(run_cli(nodes.lab, {"rotate", "certs", "--before", "30"}).code == 1);
  r = run_cli(nodes.lab, {"rotate", "certs", "--before", "800d"});
  CHECK(r.code == 1);
  CHECK(r.err.find("--cert-days must be at least 1 and longer than --before") != std::string::npos);
}

TEST_CASE("cli rotate certs: no CA Secret is an error before any node is touched; Kube-OVN >= 1.13 is explained")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  auto r = run_cli(nodes.lab, {"rotate", "certs"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: no CA in Secret kube-system/ovn-ipsec-ca: there are no certificates of this plugin to "
                 "rotate certs; `init` creates the CA and enrolls every node\n");
  CHECK(nodes.lab.fake.execs().empty());
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());

  nodes.lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                                  "kube-ovn-controller", {"--enable-ovn-ipsec=true"}));
  r = run_cli(nodes.lab, {"rotate", "certs"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("Kube-OVN >= 1.13 manages IPsec's certificates here (kube-ovn-controller-x has "
                   "--enable-ovn-ipsec=true); rotate certs changes nothing.") == 0);
  CHECK(r.out.find("  - node certificates are issued by kube-ovn-controller with Secret ovn-ipsec-ca") !=
        std::string::npos);
  CHECK(nodes.lab.fake.execs().empty());
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());
}
