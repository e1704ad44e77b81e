// `rotate ca` against fake nodes that run the plugin's real shell steps with the real openssl and
// a model of strongSwan's CA list (support/pki_nodes: files read at start and on rereadcacerts):
// the whole rotation, what every node trusts and holds after each phase, a run stopped by a
// failing node in every phase and resumed, --abort before the swap, a Secret changed under it,
// init refused mid-rotation, and Kube-OVN >= 1.13 left alone.
#include "support/init_sim.hpp"
#include "support/pki_nodes.hpp"
#include "support/subprocess.hpp"

#include "ipsec/ca_rotation.hpp"
#include "ipsec/ca_secret.hpp"
#include "pki/certificate_info.hpp"

#include <doctest/doctest.h>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

using namespace testsupport::fakelab;

namespace {

const std::string k_next_file = "/etc/ipsec.d/cacerts/cacert-next.pem";
const std::string k_ca_file = "/etc/ipsec.d/cacerts/cacert.pem";

std::string
node_name(int node)
{
  return "n" + std::to_string(node);
}

std::string
cert_of(testsupport::PkiNodes& nodes, int node)
{
  return nodes.file(node_name(node), "/etc/ipsec.d/certs/" + k_chassis[static_cast<size_t>(node - 1)] + "-cert.pem");
}

kube::Secret
secret_of(testsupport::PkiNodes& nodes)
{
  const auto secret = nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca");
  REQUIRE(secret.has_value());
  return *secret;
}

std::string
key_id(const std::string& pem)
{
  return pki::inspect_certificate(pem, "CA").key_id;
}

bool
issued_by(const std::string& cert, const std::string& ca)
{
  return pki::inspect_certificate(cert, "node certificate", ca).issued_by_ca;
}

// Every node holds a certificate from `ca` and strongSwan there lists exactly `trusted` (key ids).
void
check_nodes(testsupport::PkiNodes& nodes, const std::string& ca, const std::vector<std::string>& trusted)
{
  for (int i = 1; i <= 3; ++i) {
    INFO("node " << i);
    CHECK(issued_by(cert_of(nodes, i), ca));
    auto loaded = nodes.loaded_ca_ids(node_name(i));
    std::sort(loaded.begin(), loaded.end());
    auto want = trusted;
    std::sort(want.begin(), want.end());
    CHECK(loaded == want);
  }
}

Run
rotate(testsupport::PkiNodes& nodes, std::vector<std::string> extra = {})
{
  std::vector<std::string> args{"rotate", "ca", "--key-bits", "2048"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(nodes.lab, args);
}

// init on the three nodes, then rereadcacerts as a started strongSwan would have read its files.
void
enroll(testsupport::PkiNodes& nodes)
{
  REQUIRE(run_cli(nodes.lab, {"init", "--key-bits", "2048"}).code == 0);
  *nodes.lab.nb = true;
}

} // namespace

TEST_CASE("cli rotate ca: every node ends on the new CA only; no node ever trusted fewer than its peers' CAs")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  enroll(nodes);
  const std::string old_ca = ipsec::ca_from_secret(secret_of(nodes)).cert;
  check_nodes(nodes, old_ca, {key_id(old_ca)});

  auto r = rotate(nodes, {"--dry-run"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("Would rotate the CA in Secret kube-system/ovn-ipsec-ca\n") == 0);
  CHECK(r.out.find("  to:   a new CA made when the rotation starts (CN=kubectl-ko-ipsec CA ") != std::string::npos);
  CHECK(r.out.find("  1. store the new CA beside the current one\n") != std::string::npos);
  CHECK(r.out.find("Nothing was changed (--dry-run).") != std::string::npos);
  CHECK(secret_of(nodes).data.size() == 2);
  CHECK(nodes.file("n1", k_next_file).empty());

  const size_t execs_before = nodes.lab.fake.execs().size();
  r = rotate(nodes);
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  const auto secret = secret_of(nodes);
  CHECK(secret.data.size() == 2); // cacert and cakey only: the rotation's keys are gone
  const std::string new_ca = ipsec::ca_from_secret(secret).cert;
  CHECK(new_ca != old_ca);
  CHECK(pki::inspect_certificate(new_ca, "CA").common_name.rfind("kubectl-ko-ipsec CA 20", 0) == 0);
  check_nodes(nodes, new_ca, {key_id(new_ca)});
  for (int i = 1; i <= 3; ++i) {
    CHECK(nodes.file(node_name(i), k_ca_file) == new_ca);
    CHECK(nodes.file(node_name(i), k_next_file).empty());
  }
  // Each phase's node step ran on every node, and after it the tunnels were waited for.
  CHECK(r.out.find("2/7: every node trusts both CAs\n") != std::string::npos);
  CHECK(r.out.find("4/7: every node gets a certificate from the new CA\n") != std::string::npos);
  CHECK(r.out.find("done (reissue: issued by another CA") != std::string::npos);
  CHECK(r.out.find("6/7: every node trusts the new CA only\n") != std::string::npos);
  size_t waits = 0;
  for (size_t at = 0; (at = r.out.find("every tunnel CONFIGURED", at)) != std::string::npos; ++at) {
    ++waits;
  }
  CHECK(waits == 3);
  CHECK(r.out.find("Done: every node's certificate is from ") != std::string::npos);

  // The order on the nodes, from what each was asked: the second CA file before any new
  // certificate, every new certificate before the first node drops the old CA.
  size_t last_trust = 0, first_keygen = SIZE_MAX, last_keygen = 0, first_retire = SIZE_MAX;
  const auto execs = nodes.lab.fake.execs();
  for (size_t i = execs_before; i < execs.size(); ++i) {
    const auto& argv = execs[i].command;
    const bool names_next = !argv.empty() && argv.back() == k_next_file;
    if (names_next && argv[2].find("cat >") != std::string::npos) {
      last_trust = i;
    }
    if (names_next && argv[2] == "rm -f \"$1\"") {
      first_retire = std::min(first_retire, i);
    }
    if (argv.size() > 2 && argv[2].find("openssl genrsa") != std::string::npos) {
      first_keygen = std::min(first_keygen, i);
      last_keygen = i;
    }
  }
  CHECK(last_trust < first_keygen);
  CHECK(last_keygen < first_retire);
  CHECK(first_retire != SIZE_MAX);

  // A second rotation works the same way from the CA the first one made.
  r = rotate(nodes, {"-o", "json"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json["completed"] == true);
  CHECK(json["steps"].size() == 7);
  CHECK(json["plan"][0] == "store the new CA beside the current one");
  const std::string third_ca = ipsec::ca_from_secret(secret_of(nodes)).cert;
  CHECK(third_ca != new_ca);
  check_nodes(nodes, third_ca, {key_id(third_ca)});
}

TEST_CASE("cli rotate ca: stopped by a failing node in each phase, the next run resumes from the phase recorded")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  enroll(nodes);
  const std::string old_ca = ipsec::ca_from_secret(secret_of(nodes)).cert;

  // Phase trust: n2 cannot take the second CA file. The Secret records trust; no certificate moved.
  nodes.fail_next("n2", k_next_file);
  auto r = rotate(nodes);
  CHECK(r.code == 1);
  CHECK(r.out.find("n2     " + k_chassis[1] + "   failed: installing the new CA as a second trusted CA failed") !=
        std::string::npos);
  CHECK(r.out.find("Stopped here (1 node(s) failed): run `rotate ca` again to resume") != std::string::npos);
  auto state = ipsec::read_rotation(secret_of(nodes));
  CHECK(state.phase == ipsec::CaPhase::trust);
  REQUIRE(state.next.has_value());
  const std::string new_ca = state.next->cert;
  for (int i = 1; i <= 3; ++i) {
    CHECK(issued_by(cert_of(nodes, i), old_ca)); // no certificate moved
  }
  auto n1_trusts = nodes.loaded_ca_ids("n1");
  std::sort(n1_trusts.begin(), n1_trusts.end());
  auto both = std::vector<std::string>{key_id(old_ca), key_id(new_ca)};
  std::sort(both.begin(), both.end());
  CHECK(n1_trusts == both);
  CHECK(nodes.loaded_ca_ids("n2") == std::vector<std::string>{key_id(old_ca)});

  // Phase reissue: n3's key generation fails. n1 and n2 are on the new CA already.
  nodes.break_keygen("n3");
  r = rotate(nodes);
  CHECK(r.code == 1);
  CHECK(r.out.find("(resuming at phase trust)") != std::string::npos);
  state = ipsec::read_rotation(secret_of(nodes));
  CHECK(state.phase == ipsec::CaPhase::reissue);
  CHECK(state.next->cert == new_ca); // the same new CA: a resumed run never makes another
  CHECK(issued_by(cert_of(nodes, 1), new_ca));
  CHECK(issued_by(cert_of(nodes, 3), old_ca));
  for (int i = 1; i <= 3; ++i) {
    auto loaded = nodes.loaded_ca_ids(node_name(i));
    CHECK(loaded.size() == 2); // every node still trusts both
  }

  // Phase retire: n1 cannot drop the second file; the Secret is swapped already.
  nodes.repair_keygen();
  nodes.fail_next("n1", "rm -f \"$1\" sh " + k_next_file);
  r = rotate(nodes);
  CHECK(r.code == 1);
  CHECK(r.out.find("(resuming at phase reissue)") != std::string::npos);
  CHECK(r.out.find("ok: valid for") != std::string::npos); // n1, n2: already from the new CA
  state = ipsec::read_rotation(secret_of(nodes));
  CHECK(state.phase == ipsec::CaPhase::retire);
  CHECK(state.current.cert == new_ca);
  REQUIRE(state.previous.has_value());
  CHECK(state.previous->cert == old_ca);
  CHECK(issued_by(cert_of(nodes, 3), new_ca));
  // --abort cannot undo the swap.
  r = rotate(nodes, {"--abort"});
  CHECK(r.code == 1);
  CHECK(r.err.find("the rotation can only be finished") != std::string::npos);

  r = rotate(nodes);
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("(resuming at phase retire)") != std::string::npos);
  CHECK(secret_of(nodes).data.size() == 2);
  check_nodes(nodes, new_ca, {key_id(new_ca)});
}

TEST_CASE("cli rotate ca --abort: before the swap every node goes back to the old CA only")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  enroll(nodes);
  const auto start = secret_of(nodes);
  const std::string old_ca = ipsec::ca_from_secret(start).cert;

  auto r = rotate(nodes, {"--abort"});
  CHECK(r.code == 1);
  CHECK(r.err.find("no CA rotation is under way: there is nothing to abort") != std::string::npos);

  // Stopped in reissue with n1 on the new CA (n2's key generation fails).
  nodes.break_keygen("n2");
  r = rotate(nodes, {"--concurrency", "1"});
  CHECK(r.code == 1);
  const auto state = ipsec::read_rotation(secret_of(nodes));
  CHECK(state.phase == ipsec::CaPhase::reissue);
  CHECK(issued_by(cert_of(nodes, 1), state.next->cert));

  // init and rotate certs refuse meanwhile: a certificate outside the rotation would be distrusted.
  r = run_cli(nodes.lab, {"init"});
  CHECK(r.code == 1);
  CHECK(r.err.find("a CA rotation is under way in Secret kube-system/ovn-ipsec-ca (phase reissue): init would give") !=
        std::string::npos);
  CHECK(run_cli(nodes.lab, {"rotate", "certs"}).code == 1);
  r = run_cli(nodes.lab, {"status"});
  CHECK(r.out.find("Certificates:     a CA rotation is under way (phase reissue): `kubectl ko ipsec rotate ca` "
                   "finishes it, `rotate ca --abort` rolls it back\n") != std::string::npos);

  nodes.repair_keygen();
  r = rotate(nodes, {"--abort"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(r.out.find("Rolling back the CA rotation in Secret kube-system/ovn-ipsec-ca (recorded phase: reissue)") == 0);
  CHECK(r.out.find("Rolled back: every node trusts and uses ") != std::string::npos);
  CHECK(secret_of(nodes).data == start.data);
  check_nodes(nodes, old_ca, {key_id(old_ca)});
  for (int i = 1; i <= 3; ++i) {
    CHECK(nodes.file(node_name(i), k_next_file).empty());
  }
}

TEST_CASE("cli rotate ca: a Secret changed under the run stops it; --ca-cert brings the new CA; no CA, no start")
{
  if (testsupport::skip_without_openssl()) {
    return;
  }
  testsupport::PkiNodes nodes;
  auto r = rotate(nodes);
  CHECK(r.code == 1);
  CHECK(r.err.find("no CA in Secret kube-system/ovn-ipsec-ca: there is no CA of this plugin to rotate") !=
        std::string::npos);
  CHECK(nodes.lab.fake.execs().empty()); // refused before any node was asked anything
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());

  enroll(nodes);
  // Someone else writes the Secret while the nodes are being given the new CA.
  auto edited = std::make_shared<std::atomic<bool>>(false);
  nodes.lab.fake.on_exec_first("ovs-ovn-2", [&nodes, edited](const kube::ExecRequest& request) -> kube::ExecResult {
    if (!request.command.empty() && request.command.back() == k_next_file && !edited->exchange(true)) {
      auto secret = secret_of(nodes);
      secret.data["note"] = "edited";
      nodes.lab.fake.update_secret(secret);
    }
    throw std::out_of_range("not this handler"); // the node itself answers
  });
  r = rotate(nodes);
  CHECK(r.code == 1);
  CHECK(r.err.find("Secret kube-system/ovn-ipsec-ca was changed by someone else during rotate ca") !=
        std::string::npos);
  // The step before is recorded; the edit is kept.
  CHECK(ipsec::read_rotation(secret_of(nodes)).phase == ipsec::CaPhase::trust);
  CHECK(secret_of(nodes).data.at("note") == "edited");

  // Resumed with --ca-cert: refused (the recorded new CA is the one it finishes with).
  testsupport::TempDir dir;
  const auto other = pki::create_ca("operator CA", std::chrono::system_clock::now(), 2048);
  dir.write("ca.pem", other.cert);
  dir.write("ca.key", other.key);
  r = rotate(nodes, {"--ca-cert", dir.path() + "/ca.pem", "--ca-key", dir.path() + "/ca.key"});
  CHECK(r.code == 1);
  CHECK(r.err.find("a rotation is under way (phase trust)") != std::string::npos);
  REQUIRE(rotate(nodes, {"--abort"}).code == 0);

  r = rotate(nodes, {"--ca-cert", dir.path() + "/ca.pem", "--ca-key", dir.path() + "/ca.key"});
  REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  CHECK(ipsec::ca_from_secret(secret_of(nodes)).cert == other.cert);
  check_nodes(nodes, other.cert, {key_id(other.cert)});
  // The CA it holds already is no rotation.
  r = rotate(nodes, {"--ca-cert", dir.path() + "/ca.pem", "--ca-key", dir.path() + "/ca.key"});
  CHECK(r.code == 1);
  CHECK(r.err.find("is the CA the Secret holds already") != std::string::npos);
}

TEST_CASE("cli rotate ca on Kube-OVN >= 1.13: says how Kube-OVN rotates its CA and changes nothing")
{
  testsupport::PkiNodes nodes;
  nodes.lab.fake.add_pod(make_pod("kube-system", "kube-ovn-controller-x", "n1", {{"app", "kube-ovn-controller"}},
                                  "kube-ovn-controller", {"--enable-ovn-ipsec=true"}));
  auto r = rotate(nodes);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("Kube-OVN >= 1.13 manages IPsec's certificates here (kube-ovn-controller-x has "
                   "--enable-ovn-ipsec=true); rotate ca changes nothing. How to rotate its CA:\n") == 0);
  CHECK(r.out.find("1. put the new CA after the current one in the Secret's cacert") != std::string::npos);
  CHECK(r.out.find("  - this plugin changed nothing: kube-ovn-cni owns the node certificates here\n") !=
        std::string::npos);
  r = rotate(nodes, {"-o", "json"});
  CHECK(nlohmann::json::parse(r.out)["changed"] == false);
  CHECK(nodes.lab.fake.execs().empty());
  CHECK_FALSE(nodes.lab.fake.get_secret("kube-system", "ovn-ipsec-ca").has_value());
}
