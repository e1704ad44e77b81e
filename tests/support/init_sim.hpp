#pragma once
// Reading what `init` left in the test API server's simulated cluster (tests/apiserver/lib/
// sim_init.js): the CA Secret, each node's /etc/ipsec.d files and other_config, the steps the
// nodes ran, and checks shared by the init end-to-end tests.

#include "support/plugin_run.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace testsupport {

// GET /_test/sim, and POST /_test/sim with `patch`.
inline nlohmann::json
sim_state(const TestApiServer& server)
{
  return server.control("GET", "/_test/sim");
}
inline void
sim_tell(const TestApiServer& server, const nlohmann::json& patch)
{
  server.control("POST", "/_test/sim", patch.dump());
}

// A file's bytes, "" when it is missing (or `path` is "").
std::string read_or_empty(const std::string& path);

// Why init's node-side scripts cannot run here ("" when sh and openssl are on PATH).
std::string openssl_unavailable_reason();

// In a doctest case: prints "skipped: <why>" and returns true when openssl or sh is missing.
bool skip_without_openssl();

// Secret kube-system/ovn-ipsec-ca's decoded keys ("" when there is no Secret or no such key).
struct StoredCa {
  std::string cert;
  std::string key;
};
StoredCa stored_ca(const TestApiServer& server);
void delete_ca_secret(const TestApiServer& server); // nothing when there is none
// Creates the Secret with `ca`: a restarted test server forgets what was stored, a cluster does not.
void put_ca_secret(const TestApiServer& server, const StoredCa& ca);

// One simulated node as init sees it, from GET /_test/sim's "init" member (`state`).
class SimNode {
public:
  SimNode(const nlohmann::json& state, const std::string& node);
  const std::string& chassis() const { return m_chassis; }
  std::string cert_path() const; // "/etc/ipsec.d/certs/<chassis>-cert.pem"
  std::string key_path() const;  // "/etc/ipsec.d/private/<chassis>-privkey.pem"
  static std::string ca_path() { return "/etc/ipsec.d/cacerts/cacert.pem"; }
  // A file as the node's pod sees `path` (under /etc/ipsec.d); "" / -1 when missing.
  std::string file(const std::string& path) const;
  int mode(const std::string& path) const;
  std::string other_config(const std::string& key) const; // "" when unset
  int steps(const std::string& step) const;               // probe|keygen|install-ca|install-cert|configure|refresh

private:
  std::string m_dir;
  std::string m_chassis;
  nlohmann::json m_init;
};

// The built plugin running in the background against `server` (admin kubeconfig, output
// discarded), so a test can kill it mid-run. Killed (SIGKILL) and reaped at destruction.
class PluginProcess {
public:
  PluginProcess(const TestApiServer& server, const std::vector<std::string>& args);
  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;
  bool running(); // false once it ended (it is reaped then)
  void kill();    // SIGKILL now, then reap

private:
  int m_pid = -1;
};

// `openssl verify -CAfile` of every certificate in `certs` against `ca_pem` (one process).
RunResult openssl_verify(const std::string& ca_pem, const std::vector<std::string>& certs);

// Every node of `state` (GET /_test/sim) has a certificate from `ca` for its chassis, its key
// (0600, no leftover .new), the CA file, and other_config naming them; all of the certificates
// pass `openssl verify -CAfile`. Fails the current test otherwise.
void check_enrolled(const nlohmann::json& state, const std::string& ca);

// Pod name -> node name for the kube-system pods.
std::map<std::string, std::string> pod_nodes(const TestApiServer& server);

// The request log (GET /_test/requests) from entry `from` on, and how many Secret writes
// (POST/PUT/PATCH/DELETE on .../secrets) it holds.
std::vector<nlohmann::json> requests_since(const TestApiServer& server, size_t from);
size_t secret_writes(const std::vector<nlohmann::json>& requests);

// Fails the current test when a private key (PEM marker, or a line of `keys`' PEM bodies)
// appears in any exec argv or stdin of `requests`, or in `printed`.
void check_no_key_material(const std::vector<nlohmann::json>& requests, const std::vector<std::string>& keys,
                           const std::string& printed);

} // namespace testsupport
