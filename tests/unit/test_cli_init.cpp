// `init` end to end against fake nodes that run the plugin's real shell steps with the real
// openssl: first run, re-run, a new node, a failing node repaired, --force, --dry-run, a pod
// that lost its files, Kube-OVN's own signer, and the secrets that must never travel.
#include "support/init_sim.hpp"
#include "support/pki_nodes.hpp"
#include "support/subprocess.hpp"

#include "ipsec/ca_secret.hpp"
#include "ipsec/chassis_ids.hpp"
#include "pki/certificate_info.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace testsupport::fakelab;

namespace {

std::string
cert_path(int node)
{
  return "/etc/ipsec.d/certs/" + k_chassis[static_cast<size_t>(node - 1)] + "-cert.pem";
}

std::string
key_path(int node)
{
  return "/etc/ipsec.d/private/" + k_chassis[static_cast<size_t>(node - 1)] + "-privkey.pem";
}

const std::string k_ca_path = "/etc/ipsec.d/cacerts/cacert.pem";

size_t
count_commands(const testsupport::FakeCluster& fake, const std::string& needle)
{
  size_t n = 0;
  for (const auto& e : fake.execs()) {
    for (const auto& arg : e.command) {
      n += arg.find(needle) != std::string::npos ? 1 : 0;
    }
  }
  return n;
}

using testsupport::skip_without_openssl;

} // namespace

TEST_CASE("cli init: first run creates the CA Secret and enrolls every node; a re-run changes nothing")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  auto r = run_cli(nodes.lab, {"init"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find(
            "CA: Secret kube-system/ovn-ipsec-ca (created): O=Kube-OVN, OU=ovn-ipsec, CN=kubectl-ko-ipsec CA\n") == 0);
  CHECK(r.out.find("n1     " + k_chassis[0] + "   enroll   no certificate yet   done\n") != std::string::npos);
  CHECK(r.out.find("3 node(s): 3 ok, 0 failed\n") != std::string::npos);

  const auto secret = nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca");
  REQUIRE(secret.has_value());
  const auto ca = ipsec::ca_from_secret(*secret);
  testsupport::TempDir dir;
  const std::string ca_file = dir.write("ca.pem", ca.cert);
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "n" + std::to_string(i);
    const std::string cert = nodes.file(name, cert_path(i));
    const auto verify = testsupport::run({"openssl", "verify", "-CAfile", ca_file, dir.write(name + ".pem", cert)});
    CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
    const auto info = pki::inspect_certificate(cert, "node certificate", ca.cert);
    CHECK(info.subject == "C=CN, O=kubeovn, OU=kube-ovn, CN=" + k_chassis[static_cast<size_t>(i - 1)]);
    CHECK(nodes.file(name, k_ca_path) == ca.cert);
    CHECK(nodes.file_mode(name, key_path(i)) == 0600);
    CHECK(nodes.file(name, key_path(i) + ".new").empty());
    CHECK(nodes.other_config(name, "certificate") == cert_path(i));
    CHECK(nodes.other_config(name, "private_key") == key_path(i));
    CHECK(nodes.other_config(name, "ca_cert") == k_ca_path);
    const auto pair =
        testsupport::run({"sh", "-c", "openssl x509 -noout -pubkey -in \"$1\"; openssl pkey -pubout -in \"$2\"", "sh",
                          dir.write(name + "-c.pem", cert), dir.write(name + "-k.pem", nodes.file(name, key_path(i)))});
    const auto half = pair.out.size() / 2;
    CHECK(pair.out.substr(0, half) == pair.out.substr(half)); // the key is the certificate's
  }
  // The CA key stays in the Secret and in this process: no command line or stdin carries a key.
  for (const auto& e : nodes.lab.fake.execs()) {
    CHECK(e.stdin_data.value_or("").find("PRIVATE KEY") == std::string::npos);
    for (const auto& arg : e.command) {
      CHECK(arg.find("PRIVATE KEY") == std::string::npos);
    }
  }
  CHECK(r.out.find("PRIVATE KEY") == std::string::npos);
  CHECK(count_commands(nodes.lab.fake, "openssl genrsa") == 3);

  const auto first_cert = nodes.file("n2", cert_path(2));
  r = run_cli(nodes.lab, {"init", "--key-bits", "2048"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("CA: Secret kube-system/ovn-ipsec-ca (existing)") == 0);
  CHECK(r.out.find("n2     " + k_chassis[1] + "   skip     valid for 729 more days   ok\n") != std::string::npos);
  CHECK(count_commands(nodes.lab.fake, "openssl genrsa") == 3); // no new key anywhere
  CHECK(nodes.file("n2", cert_path(2)) == first_cert);
}

TEST_CASE("cli init and nodes: two nodes with one chassis id, or an id that is not a UUID, get no certificate")
{
  if (skip_without_openssl()) {
    return;
  }
  CHECK(ipsec::is_uuid(k_chassis[0]));
  CHECK_FALSE(ipsec::is_uuid("node1"));
  CHECK_FALSE(ipsec::is_uuid("11111111-aaaa-4000-8000-00000000000g"));
  testsupport::PkiNodes nodes;
  // n3 reports n1's system-id (a cloned disk image with /etc/openvswitch/system-id.conf in it).
  nodes.lab.fake.on_exec_first("ovs-ovn-3", [](const kube::ExecRequest& request) -> kube::ExecResult {
    if (request.command != testsupport::k_system_id) {
      throw std::out_of_range("not the system-id");
    }
    return {0, "\"" + k_chassis[0] + "\"\n", ""};
  });
  auto r = run_cli(nodes.lab, {"nodes"});
  CHECK(r.code == 1);
  CHECK(r.out.find("error: chassis id " + k_chassis[0] +
                   " is also reported by n3 (each node needs its own "
                   "external_ids:system-id)") != std::string::npos);
  CHECK(r.out.find("error: chassis id " + k_chassis[0] + " is also reported by n1") != std::string::npos);

  r = run_cli(nodes.lab, {"init"});
  CHECK(r.code == 1);
  CHECK(r.out.find("no certificate issued: both nodes would get CN " + k_chassis[0]) != std::string::npos);
  CHECK(count_commands(nodes.lab.fake, "openssl genrsa") == 1); // n2 only
  CHECK(nodes.file("n1", cert_path(1)).empty());
  CHECK_FALSE(nodes.file("n2", cert_path(2)).empty());

  // A failure after a node's new key was made takes that key away again.
  nodes.lab.fake.on_exec_first("ovs-ovn-3", [](const kube::ExecRequest& request) -> kube::ExecResult {
    if (request.command != testsupport::k_system_id) {
      throw std::out_of_range("not the system-id");
    }
    return {0, "\"" + k_chassis[2] + "\"\n", ""};
  });
  nodes.break_install("n3");
  r = run_cli(nodes.lab, {"init", "--node", "n3"});
  CHECK(r.code == 1);
  CHECK(r.out.find("the certificate arrived incomplete") != std::string::npos);
  CHECK(nodes.file("n3", key_path(3) + ".new").empty());
  CHECK(nodes.file("n3", cert_path(3) + ".new").empty());
  CHECK(nodes.file("n3", cert_path(3)).empty());

  // A hand-set name instead of a UUID.
  nodes.lab.fake.on_exec_first("ovs-ovn-3", [](const kube::ExecRequest& request) -> kube::ExecResult {
    if (request.command != testsupport::k_system_id) {
      throw std::out_of_range("not the system-id");
    }
    return {0, "\"node3\"\n", ""};
  });
  r = run_cli(nodes.lab, {"init"});
  CHECK(r.code == 1);
  CHECK(r.out.find("system-id node3 is not a UUID") != std::string::npos);
  CHECK(count_commands(nodes.lab.fake, "openssl genrsa") == 3); // n3's failed attempt, n1 now, never node3
}

TEST_CASE("cli init: a failing node does not stop the others; re-running finishes it; a new node is enrolled")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  nodes.break_keygen("n2");
  auto r = run_cli(nodes.lab, {"init", "--key-bits", "2048"});
  CHECK(r.code == 1);
  CHECK(r.out.find("n2     " + k_chassis[1] +
                   "   enroll   no certificate yet   failed: making the key and request failed in "
                   "kube-system/ovs-ovn-2 (exit code 1): openssl: error while loading shared libraries") !=
        std::string::npos);
  CHECK(r.out.find("3 node(s): 2 ok, 1 failed; run init again to finish them\n") != std::string::npos);
  CHECK_FALSE(nodes.file("n1", cert_path(1)).empty());
  CHECK(nodes.file("n2", cert_path(2)).empty());
  CHECK(nodes.other_config("n2", "certificate").empty()); // nothing half-configured

  nodes.repair_keygen();
  nodes.add_node("n4", "44444444-dddd-4000-8000-000000000004");
  r = run_cli(nodes.lab, {"init", "--key-bits", "2048"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("n1     " + k_chassis[0] + "   skip     valid for 729 more days   ok\n") != std::string::npos);
  CHECK(r.out.find("n2     " + k_chassis[1] + "   enroll   no certificate yet        done\n") != std::string::npos);
  CHECK(r.out.find("n4     44444444-dddd-4000-8000-000000000004   enroll   no certificate yet        done\n") !=
        std::string::npos);
}

TEST_CASE("cli init: --dry-run changes nothing; a lost file is repaired; --force reissues and refreshes the monitor")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  auto r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--dry-run"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("(would create)") != std::string::npos);
  CHECK(r.out.find("enroll   no certificate yet   would enroll\n") != std::string::npos);
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());
  CHECK(count_commands(nodes.lab.fake, "openssl genrsa") == 0);

  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  nodes.remove_file("n3", cert_path(3)); // ≤ 1.12 does not persist /etc/ipsec.d across pod restarts
  r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--node", "n3"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("repair   configured in OVSDB but the certificate file is missing   done\n") != std::string::npos);
  CHECK_FALSE(nodes.file("n3", cert_path(3)).empty());
  CHECK(r.out.find("n1") == std::string::npos);

  const auto before = nodes.file("n1", cert_path(1));
  r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--force"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("reissue   --force   done\n") != std::string::npos);
  CHECK(nodes.file("n1", cert_path(1)) != before);
  // The repair above and the three reissues kept their paths, so OVSDB did not change: strongSwan
  // is told to load the new key and certificate each time, never through the monitor's refresh
  // (it tears every SA down: ipsec/init_plan.hpp).
  CHECK(count_commands(nodes.lab.fake, "ipsec rereadsecrets && ipsec reload") == 4);
  CHECK(count_commands(nodes.lab.fake, "refresh") == 0);
}

TEST_CASE("cli init: Kube-OVN >= 1.13 signing certificates itself stops init unless --force; --dry-run says what "
          "Kube-OVN does")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  nodes.lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                                  "kube-ovn-controller", {"--enable-ovn-ipsec=true"}));
  auto r = run_cli(nodes.lab, {"init", "--key-bits", "2048"});
  CHECK(r.code == 1);
  CHECK(r.err.find("error: Kube-OVN >= 1.13 runs the IPsec certificates here: kube-system/kube-ovn-controller-x has "
                   "--enable-ovn-ipsec=true") == 0);
  CHECK(nodes.lab.fake.execs().empty());
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());

  r = run_cli(nodes.lab, {"init", "--dry-run"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out == "Kube-OVN >= 1.13 manages IPsec's certificates here (kube-ovn-controller-x has "
                 "--enable-ovn-ipsec=true); init changes nothing. What Kube-OVN does:\n"
                 "  - kube-ovn-controller creates the CA (ovs-pki) in Secret kube-system/ovn-ipsec-ca\n"
                 "  - n1: kube-ovn-cni makes a key in /etc/ovs_ipsec_keys, requests CSR ovn-ipsec-n1 (signer "
                 "kubeovn.io/signer), kube-ovn-controller approves and signs it, and the daemons start\n"
                 "  - n2: kube-ovn-cni makes a key in /etc/ovs_ipsec_keys, requests CSR ovn-ipsec-n2 (signer "
                 "kubeovn.io/signer), kube-ovn-controller approves and signs it, and the daemons start\n"
                 "  - n3: kube-ovn-cni makes a key in /etc/ovs_ipsec_keys, requests CSR ovn-ipsec-n3 (signer "
                 "kubeovn.io/signer), kube-ovn-controller approves and signs it, and the daemons start\n");
  CHECK(nodes.lab.fake.execs().empty());
  r = run_cli(nodes.lab, {"init", "--dry-run", "-o", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["managedBy"]["enableOvnIpsec"] == true);
  CHECK(doc["kubeOvnWillDo"].size() == 4);

  r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--force", "--node", "n1"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.err.find("warning: --force") == 0);
}

TEST_CASE("cli init and status: Kube-OVN >= 1.13 with --enable-ovn-ipsec=false (an upgrade from <= 1.12)")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048", "--node", "n1"}).code == 0); // the plugin's CA, as on 1.12
  nodes.lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                                  "kube-ovn-controller", {"--enable-ovn-ipsec=false"}));
  const auto before = nodes.lab.fake.execs().size();
  auto r = run_cli(nodes.lab, {"init", "--key-bits", "2048"});
  CHECK(r.code == 1);
  CHECK(r.err.find("every kube-ovn-cni start removes certificates installed by anyone else. Nothing was changed") !=
        std::string::npos);
  CHECK(nodes.lab.fake.execs().size() == before);
  r = run_cli(nodes.lab, {"init", "--dry-run"});
  CHECK(r.out.find("  - kube-ovn-controller keeps the CA in Secret kube-system/ovn-ipsec-ca\n") != std::string::npos);

  r = run_cli(nodes.lab, {"status"});
  CHECK(r.out.find("Note:             IPsec is off by Kube-OVN's --enable-ovn-ipsec=false (its default after an "
                   "upgrade from <= 1.12); `kubectl ko ipsec on` turns Kube-OVN's IPsec on, which keeps the CA in "
                   "Secret ovn-ipsec-ca and re-enrolls every node\n") != std::string::npos);
}

TEST_CASE("cli init: --ca-cert/--ca-key import a CA; a different CA already stored is refused")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  testsupport::TempDir dir;
  const auto mine = pki::create_ca("my CA", std::chrono::system_clock::now(), 2048);
  const auto cert = dir.write("ca.pem", mine.cert);
  const auto key = dir.write("ca.key", mine.key, 0600);
  auto r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--ca-cert", cert, "--ca-key", key, "--node", "n1"});
  CHECK_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("(imported): O=Kube-OVN, OU=ovn-ipsec, CN=my CA") != std::string::npos);
  CHECK(ipsec::ca_from_secret(*nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca")).cert == mine.cert);

  const auto other = pki::create_ca("other CA", std::chrono::system_clock::now(), 2048);
  r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--ca-cert", dir.write("o.pem", other.cert), "--ca-key",
                          dir.write("o.key", other.key)});
  CHECK(r.code == 1);
  CHECK(r.err.find("already holds a different CA") != std::string::npos);

  r = run_cli(nodes.lab, {"init", "--key-bits", "2048", "--ca-cert", cert});
  CHECK(r.code == 1);
  CHECK(r.err.find("See 'kubectl ko ipsec init --help' for usage.") != std::string::npos);
}

TEST_CASE("cli init then status: certificate columns, and a lost file shown until init repairs it")
{
  if (skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  auto r = run_cli(nodes.lab, {"status"});
  CHECK(r.out.find("Certificates:     no Secret kube-system/ovn-ipsec-ca") != std::string::npos);
  CHECK(r.out.find("n1     running   0         -     none   off      -\n") != std::string::npos);

  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  nodes.remove_file("n2", cert_path(2));
  r = run_cli(nodes.lab, {"status", "-o", "wide"});
  CHECK(r.code == 3); // IPsec is off; the certificates do not change that verdict
  CHECK(r.out.find("Certificates:") == std::string::npos);
  CHECK(r.out.find("ok (729d)") != std::string::npos);
  CHECK(r.out.find("C=CN, O=kubeovn, OU=kube-ovn, CN=" + k_chassis[0]) != std::string::npos);
  CHECK(r.out.find("file missing") != std::string::npos);

  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  r = run_cli(nodes.lab, {"status", "-o", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& node : doc["nodes"]) {
    CHECK(node["certificate"]["state"] == "ok");
    CHECK(node["certificate"]["fromCurrentCa"] == true);
    CHECK(node["certificate"]["daysLeft"] == 729);
  }
}
