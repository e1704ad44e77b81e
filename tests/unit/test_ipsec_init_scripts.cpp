// init's node-side shell steps (ipsec/init_plan.hpp) run with the real sh and openssl in a temp
// dir standing for /etc/ipsec.d: what arrives on stdin cut short (a client that died mid-stream)
// or made for another key never replaces the installed files.
#include "support/init_sim.hpp"

#include "ipsec/init_plan.hpp"
#include "pki/ca.hpp"
#include "pki/request.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

using testsupport::read_or_empty;

namespace {

using testsupport::skip_without_openssl;

bool
exists(const std::string& path)
{
  return std::filesystem::exists(path);
}

} // namespace

TEST_CASE("ipsec init scripts: install_cert refuses a cut-short certificate or one for another key, then installs the "
          "right one")
{
  if (skip_without_openssl()) {
    return;
  }
  const testsupport::TempDir dir;
  const auto paths = ipsec::node_paths("node-x", dir.path() + "/etc/ipsec.d");
  const auto keygen = testsupport::run(ipsec::keygen_command(paths, ipsec::node_subject("node-x"), 2048));
  REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
  const auto now = std::chrono::system_clock::now();
  const auto ca_pem = pki::create_ca("test CA", now, 2048);
  const auto ca = pki::load_ca(ca_pem.cert, ca_pem.key, "test CA", now);
  const std::string cert = pki::sign_request(ca, pki::check_request(keygen.out, "node-x", 2048), {30, now});
  dir.write("etc/ipsec.d/certs/node-x-cert.pem", "old certificate\n");
  dir.write("etc/ipsec.d/private/node-x-privkey.pem", "old key\n", 0600);
  const std::string new_key = read_or_empty(paths.key + ".new");
  REQUIRE_FALSE(new_key.empty());

  for (const std::string& bad : {cert.substr(0, cert.size() / 2), ca_pem.cert, std::string()}) {
    const auto r = testsupport::run(ipsec::install_cert_command(paths), {}, bad);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("arrived incomplete or is not for") != std::string::npos);
    CHECK(read_or_empty(paths.cert) == "old certificate\n");
    CHECK(read_or_empty(paths.key) == "old key\n");
    CHECK(read_or_empty(paths.key + ".new") == new_key); // kept for nothing, but not lost either
    CHECK_FALSE(exists(paths.cert + ".new"));
  }

  const auto r = testsupport::run(ipsec::install_cert_command(paths), {}, cert);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(read_or_empty(paths.cert) == cert);
  CHECK(read_or_empty(paths.key) == new_key);
  CHECK_FALSE(exists(paths.key + ".new"));
}

TEST_CASE("ipsec init scripts: install_ca keeps the CA file when what arrives is not a whole certificate")
{
  if (skip_without_openssl()) {
    return;
  }
  const testsupport::TempDir dir;
  const auto paths = ipsec::node_paths("node-x", dir.path() + "/etc/ipsec.d");
  const auto now = std::chrono::system_clock::now();
  const auto first = pki::create_ca("first CA", now, 2048);
  auto r = testsupport::run(ipsec::install_ca_command(paths), {}, first.cert);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(read_or_empty(paths.ca) == first.cert);

  const auto second = pki::create_ca("second CA", now, 2048);
  r = testsupport::run(ipsec::install_ca_command(paths), {}, second.cert.substr(0, second.cert.size() - 40));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the CA certificate arrived incomplete; nothing was changed") != std::string::npos);
  CHECK(read_or_empty(paths.ca) == first.cert);
  CHECK_FALSE(exists(paths.ca + ".new"));
}

TEST_CASE(
    "ipsec init scripts: the probe on a node with nothing prints what the simulated cluster answers without a shell")
{
  // tests/apiserver/lib/sim_init.js answers the probe of a node init never touched with this
  // text instead of starting a shell; it must be what the real script prints there.
  const testsupport::TempDir dir;
  // ovs-vsctl as on a node whose OVSDB has no such key: prints nothing.
  dir.write("bin/ovs-vsctl", "#!/bin/sh\nexit 0\n", 0755);
  const auto paths = ipsec::node_paths("node-x", dir.path() + "/etc/ipsec.d");
  const char* path_env = std::getenv("PATH");
  const auto r = testsupport::run(ipsec::probe_command(paths),
                                  {"PATH=" + dir.path() + "/bin:" + (path_env ? path_env : "/usr/bin:/bin")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == "certificate=\nprivate_key=\nca_cert=\nkey=absent\nca=absent\n--- certificate\n");
  const auto probe = ipsec::parse_probe(r.out);
  REQUIRE(probe.has_value());
  CHECK_FALSE(probe->key_present);
  CHECK(probe->cert_pem.empty());
}
