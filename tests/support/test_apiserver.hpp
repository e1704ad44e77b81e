#pragma once
// Starts tests/apiserver/server.js (a test Kubernetes API server in Node.js) for integration
// tests, and writes kubeconfigs that point at it. See tests/apiserver/README.md for the server.

#include "kube/tls_config.hpp"
#include "support/skip.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace testsupport {

// Why integration tests must skip on this machine ("" when they can run): node missing, or
// tests/apiserver/node_modules/ws missing, or openssl missing.
std::string apiserver_unavailable_reason();

// In a doctest case: ends the case with "skipped: <why>" when the server cannot run here.
#define KOI_SKIP_WITHOUT_APISERVER() KOI_SKIP_IF_REASON(::testsupport::apiserver_unavailable_reason())

// How to start a server; the defaults give the small Kube-OVN-shaped cluster with a valid cert.
struct ApiServerOptions {
  std::string cluster_file = "small.json"; // relative to tests/apiserver/clusters, or absolute
  std::string server_cert = "server";      // server|expired|notyet|wronghost|other-server
  std::string extra_cluster_json;          // optional JSON object merged over the file's top level
};

// $TMPDIR, else /tmp.
std::string tmp_root();

// A fresh temp dir (under $TMPDIR or /tmp) removed with everything in it at destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const;
  // Writes `content` to path()/name (parent dirs created) with `mode`; returns the full path.
  std::string write(const std::string& name, const std::string& content, int mode = 0644) const;

private:
  std::string m_path;
};

// One running server process, stopped at destruction. The server also exits by itself when
// this process dies (it watches its stdin), so a crashed test run leaves nothing behind.
class TestApiServer {
public:
  explicit TestApiServer(ApiServerOptions options = {}); // starts node, waits for LISTENING (10 s timeout, throws)
  ~TestApiServer();                                      // SIGTERM, wait, SIGKILL after 3 s
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  int port() const;
  std::string url() const;                          // "https://127.0.0.1:<port>"
  std::string pki_dir() const;                      // generated once per test run under the build/tmp dir
  std::string token(const std::string& user) const; // from the cluster file
  // The server as a kube::Endpoint trusting its CA; `server_name` is the TLS name checked.
  kube::Endpoint endpoint(const std::string& server_name = "127.0.0.1") const;
  // An Authorization header with `user`'s token.
  std::vector<std::pair<std::string, std::string>> bearer(const std::string& user = "admin") const;
  // Writes a kubeconfig for `user` (one of: "admin" (token), "viewer" (token), "basic-admin", "cert-admin",
  // "cert-viewer") into a fresh temp dir and returns its path; CA via certificate-authority (path).
  std::string write_kubeconfig(const std::string& user) const;
  // Control API (admin token): e.g. control("POST", "/_test/faults", R"({"status429":{"count":2,"retryAfter":1}})")
  // Throws std::runtime_error on a transport error or a non-2xx answer; returns the parsed body.
  nlohmann::json control(const std::string& method, const std::string& path, const std::string& body = "") const;
  // The merged cluster JSON the server was started with, and the server's stderr so far.
  const nlohmann::json& cluster() const;
  std::string server_log() const;

private:
  void stop() noexcept;

  ApiServerOptions m_options;
  TempDir m_dir;
  nlohmann::json m_cluster;
  std::string m_pki;
  int m_pid = -1;
  int m_stdin_fd = -1;
  int m_stdout_fd = -1;
  int m_port = 0;
  mutable int m_kubeconfigs = 0;
};

} // namespace testsupport
