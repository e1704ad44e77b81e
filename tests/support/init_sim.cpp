#include "support/init_sim.hpp"

#include "support/skip.hpp"

#include "support/commands.hpp"
#include "kube/kubeconfig.hpp"
#include "pki/certificate_info.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include <filesystem>
#include <stdexcept>

namespace testsupport {

namespace {

constexpr const char* k_secret_path = "/api/v1/namespaces/kube-system/secrets/ovn-ipsec-ca";

// The pod-side path under the node's directory; throws on a path outside /etc/ipsec.d.
std::string
host_path(const std::string& dir, const std::string& path)
{
  if (path.rfind(k_ipsec_dir, 0) != 0) {
    throw std::invalid_argument("SimNode: " + path + " is not under /etc/ipsec.d");
  }
  return dir.empty() ? "" : dir + path;
}

} // namespace

std::string
read_or_empty(const std::string& path)
{
  std::error_code ec;
  return !path.empty() && std::filesystem::is_regular_file(path, ec) ? kube::read_file_text(path) : "";
}

std::string
openssl_unavailable_reason()
{
  return which("openssl").empty() || which("sh").empty() ? "init's node side needs sh and openssl on PATH" : "";
}

StoredCa
stored_ca(const TestApiServer& server)
{
  nlohmann::json secret;
  try {
    secret = server.control("GET", k_secret_path);
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find("HTTP 404") != std::string::npos) {
      return {};
    }
    throw;
  }
  const auto& data = secret["data"];
  const auto decoded = [&data](const char* key) {
    return data.contains(key) ? util::base64_decode(data[key].get<std::string>()) : std::string();
  };
  return {decoded("cacert"), decoded("cakey")};
}

void
delete_ca_secret(const TestApiServer& server)
{
  if (!stored_ca(server).cert.empty()) {
    server.control("DELETE", k_secret_path);
  }
}

void
put_ca_secret(const TestApiServer& server, const StoredCa& ca)
{
  const nlohmann::json secret{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", {{"name", "ovn-ipsec-ca"}, {"namespace", "kube-system"}}},
      {"type", "Opaque"},
      {"data", {{"cacert", util::base64_encode(ca.cert)}, {"cakey", util::base64_encode(ca.key)}}}};
  server.control("POST", "/api/v1/namespaces/kube-system/secrets", secret.dump());
}

SimNode::SimNode(const nlohmann::json& state, const std::string& node)
{
  for (const auto& n : state["nodes"]) {
    if (n["name"] == node) {
      m_chassis = n["chassis"].get<std::string>();
    }
  }
  if (m_chassis.empty()) {
    throw std::invalid_argument("SimNode: no simulated node " + node);
  }
  const auto& nodes = state["init"]["nodes"];
  if (nodes.contains(node)) {
    m_init = nodes[node];
    m_dir = m_init["dir"].get<std::string>();
  }
}

std::string
SimNode::cert_path() const
{
  return std::string(k_ipsec_dir) + "/certs/" + m_chassis + "-cert.pem";
}

std::string
SimNode::key_path() const
{
  return std::string(k_ipsec_dir) + "/private/" + m_chassis + "-privkey.pem";
}

std::string
SimNode::file(const std::string& path) const
{
  return read_or_empty(host_path(m_dir, path));
}

int
SimNode::mode(const std::string& path) const
{
  std::error_code ec;
  const auto st = std::filesystem::status(host_path(m_dir, path), ec);
  return ec || !std::filesystem::exists(st) ? -1 : static_cast<int>(st.permissions() & std::filesystem::perms::mask);
}

std::string
SimNode::other_config(const std::string& key) const
{
  const auto& oc = m_init.is_object() ? m_init["otherConfig"] : nlohmann::json();
  return oc.is_object() && oc.contains(key) ? oc[key].get<std::string>() : "";
}

int
SimNode::steps(const std::string& step) const
{
  const auto& s = m_init.is_object() ? m_init["steps"] : nlohmann::json();
  return s.is_object() && s.contains(step) ? s[step].get<int>() : 0;
}

PluginProcess::PluginProcess(const TestApiServer& server, const std::vector<std::string>& args)
{
  std::vector<std::string> env{"KUBECONFIG=" + server.write_kubeconfig("admin"), "KUBE_OVN_NS="};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var = *e;
    if (var.rfind("KUBECONFIG=", 0) != 0 && var.rfind("KUBE_OVN_NS=", 0) != 0) {
      env.push_back(var);
    }
  }
  std::vector<std::string> argv{KOI_PLUGIN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  std::vector<char*> c_env;
  for (auto& a : argv) {
    c_argv.push_back(a.data());
  }
  c_argv.push_back(nullptr);
  for (auto& e : env) {
    c_env.push_back(e.data());
  }
  c_env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&m_pid, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("PluginProcess: cannot start " + argv[0] + ": " + std::strerror(rc));
  }
}

PluginProcess::~PluginProcess()
{
  kill();
}

bool
PluginProcess::running()
{
  if (m_pid > 0 && ::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
    m_pid = -1;
  }
  return m_pid > 0;
}

void
PluginProcess::kill()
{
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }
}

RunResult
openssl_verify(const std::string& ca_pem, const std::vector<std::string>& certs)
{
  TempDir dir;
  std::vector<std::string> argv{"openssl", "verify", "-CAfile", dir.write("ca.pem", ca_pem)};
  for (size_t i = 0; i < certs.size(); ++i) {
    argv.push_back(dir.write("cert" + std::to_string(i) + ".pem", certs[i]));
  }
  return run(argv);
}

void
check_enrolled(const nlohmann::json& state, const std::string& ca)
{
  std::vector<std::string> certs;
  for (const auto& n : state["nodes"]) {
    const std::string name = n["name"].get<std::string>();
    CAPTURE(name);
    const SimNode node(state, name);
    const std::string cert = node.file(node.cert_path());
    REQUIRE_FALSE(cert.empty());
    certs.push_back(cert);
    const auto info = pki::inspect_certificate(cert, "node certificate", ca);
    CHECK(info.issued_by_ca);
    CHECK(info.common_name == node.chassis());
    CHECK(node.mode(node.key_path()) == 0600);
    CHECK(node.mode(node.key_path() + ".new") == -1);
    CHECK(node.file(SimNode::ca_path()) == ca);
    CHECK(node.other_config("certificate") == node.cert_path());
    CHECK(node.other_config("private_key") == node.key_path());
    CHECK(node.other_config("ca_cert") == SimNode::ca_path());
  }
  const auto verify = openssl_verify(ca, certs);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CHECK(count(verify.out, ": OK\n") == certs.size());
}

std::map<std::string, std::string>
pod_nodes(const TestApiServer& server)
{
  std::map<std::string, std::string> out;
  const auto list = server.control("GET", "/api/v1/namespaces/kube-system/pods");
  for (const auto& pod : list["items"]) {
    out[pod["metadata"]["name"].get<std::string>()] = pod["spec"].value("nodeName", "");
  }
  return out;
}

std::vector<nlohmann::json>
requests_since(const TestApiServer& server, size_t from)
{
  const auto all = server.control("GET", "/_test/requests");
  std::vector<nlohmann::json> out;
  for (size_t i = from; i < all.size(); ++i) {
    out.push_back(all[i]);
  }
  return out;
}

size_t
secret_writes(const std::vector<nlohmann::json>& requests)
{
  size_t n = 0;
  for (const auto& r : requests) {
    const std::string method = r.value("method", "");
    const bool write = method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
    n += write && r.value("path", "").find("/secrets") != std::string::npos ? 1 : 0;
  }
  return n;
}

void
check_no_key_material(const std::vector<nlohmann::json>& requests, const std::vector<std::string>& keys,
                      const std::string& printed)
{
  // A middle line of each key's base64 body: unique to that key, whatever wraps it.
  std::vector<std::string> needles{"PRIVATE KEY"};
  for (const auto& key : keys) {
    const auto lines = util::split(key, '\n');
    if (lines.size() > 3) {
      needles.push_back(lines[lines.size() / 2]);
    }
  }
  for (const auto& r : requests) {
    if (!r.contains("exec") || !r["exec"].is_object()) {
      continue;
    }
    std::string travelled = r["exec"].value("stdinText", "");
    for (const auto& arg : r["exec"]["argv"]) {
      travelled += "\n" + arg.get<std::string>();
    }
    for (const auto& needle : needles) {
      CHECK_MESSAGE(travelled.find(needle) == std::string::npos, "key material sent to pod " << r["exec"]["pod"]);
    }
  }
  for (const auto& needle : needles) {
    CHECK_MESSAGE(printed.find(needle) == std::string::npos, "key material printed");
  }
}

bool
skip_without_openssl()
{
  const auto why = openssl_unavailable_reason();
  return !why.empty() && skip_test(why);
}

} // namespace testsupport
