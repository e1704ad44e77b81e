#include "support/test_apiserver.hpp"

#include "support/subprocess.hpp"
#include "support/testdata.hpp"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace testsupport {

namespace {

const std::string k_apiserver_dir = std::string(KOI_SOURCE_DIR) + "/tests/apiserver";
constexpr int k_start_timeout_ms = 10000;
constexpr int k_stop_timeout_ms = 3000;

// FNV-1a: a stable name for the PKI dir, so editing gen-pki.sh yields a fresh PKI.
std::string
short_hash(const std::string& text)
{
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h = (h ^ c) * 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 8);
}

// Generates the PKI once per test run (gen-pki.sh is idempotent and race-safe across runs).
std::string
ensure_pki()
{
  static std::once_flag once;
  static std::string dir;
  static std::string error;
  std::call_once(once, [] {
    const std::string script = k_apiserver_dir + "/gen-pki.sh";
    const std::string candidate =
        tmp_root() + "/koi-test-pki-" + std::to_string(::getuid()) + "-" + short_hash(read_file_or_empty(script));
    const RunResult r = run({"bash", script, candidate}, {}, "", 120000);
    struct stat st {};
    if (r.exit_code != 0) {
      error = "gen-pki.sh " + candidate + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err;
    } else if (::stat(candidate.c_str(), &st) != 0 || st.st_uid != ::getuid()) {
      error = "PKI dir " + candidate + " is missing or owned by another user";
    } else {
      dir = candidate;
    }
  });
  if (!error.empty()) {
    throw std::runtime_error(error);
  }
  return dir;
}

std::string
quoted(const std::string& s)
{
  return nlohmann::json(s).dump(); // a JSON string is a valid YAML double-quoted scalar
}

} // namespace

std::string
apiserver_unavailable_reason()
{
  static const std::string reason = []() -> std::string {
    if (which("node").empty()) {
      return "node (Node.js) not found on PATH";
    }
    if (!fs::exists(k_apiserver_dir + "/node_modules/ws/package.json")) {
      return k_apiserver_dir + "/node_modules/ws is missing (run `npm ci` in tests/apiserver)";
    }
    if (which("openssl").empty()) {
      return "openssl not found on PATH (tests/apiserver/gen-pki.sh needs it)";
    }
    return "";
  }();
  return reason;
}

// ---- TempDir -------------------------------------------------------------------------------

std::string
tmp_root()
{
  const char* t = std::getenv("TMPDIR");
  return t != nullptr && *t != '\0' ? t : "/tmp";
}

TempDir::TempDir()
{
  std::string templ = tmp_root() + "/koi-test-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("TempDir: mkdtemp in " + tmp_root() + ": " + std::strerror(errno));
  }
  m_path = templ;
}

TempDir::~TempDir()
{
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

const std::string&
TempDir::path() const
{
  return m_path;
}

std::string
TempDir::write(const std::string& name, const std::string& content, int mode) const
{
  const fs::path full = fs::path(m_path) / name;
  fs::create_directories(full.parent_path());
  {
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
      throw std::runtime_error("TempDir: cannot write " + full.string());
    }
  }
  ::chmod(full.c_str(), static_cast<mode_t>(mode));
  return full.string();
}

// ---- TestApiServer -------------------------------------------------------------------------

TestApiServer::TestApiServer(ApiServerOptions options) : m_options(std::move(options))
{
  const std::string why = apiserver_unavailable_reason();
  if (!why.empty()) {
    throw std::runtime_error("test API server unavailable: " + why);
  }
  m_pki = ensure_pki();

  const fs::path file = fs::path(m_options.cluster_file).is_absolute()
                            ? fs::path(m_options.cluster_file)
                            : fs::path(k_apiserver_dir) / "clusters" / m_options.cluster_file;
  try {
    m_cluster = nlohmann::json::parse(read_file_or_empty(file.string()));
    if (!m_options.extra_cluster_json.empty()) {
      m_cluster.merge_patch(nlohmann::json::parse(m_options.extra_cluster_json));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("TestApiServer: bad cluster JSON (" + file.string() +
                             " + extra_cluster_json): " + e.what());
  }
  if (!m_cluster.is_object()) {
    throw std::runtime_error("TestApiServer: cluster file " + file.string() + " is not a JSON object");
  }
  // The merged copy lives in a temp dir; relative stdoutFile paths stay relative to the original.
  if (!m_cluster.contains("baseDir")) {
    m_cluster["baseDir"] = file.parent_path().string();
  }
  const std::string cluster_path = m_dir.write("cluster.json", m_cluster.dump(2));
  const std::string log_path = m_dir.path() + "/server.log";

  std::vector<std::string> args = {
      which("node"),   k_apiserver_dir + "/server.js", "--cluster", cluster_path, "--pki", m_pki,
      "--server-cert", m_options.server_cert,          "--port",    "0"};
  std::vector<char*> c_args;
  for (auto& a : args) {
    c_args.push_back(a.data());
  }
  c_args.push_back(nullptr);
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0 || ::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    const std::string reason = std::strerror(errno);
    for (int fd : {log_fd, in[0], in[1], out[0], out[1]}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
    throw std::runtime_error("TestApiServer: cannot set up pipes: " + reason);
  }
  std::signal(SIGPIPE, SIG_IGN);
  m_pid = ::fork();
  if (m_pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(log_fd, 2);
    ::execv(c_args[0], c_args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(log_fd);
  m_stdin_fd = in[1];
  m_stdout_fd = out[0];
  if (m_pid < 0) {
    stop();
    throw std::runtime_error(std::string("TestApiServer: fork: ") + std::strerror(errno));
  }

  // Wait for exactly "LISTENING <port>\n"; EOF means the server died (its reason is in the log).
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_start_timeout_ms);
  while (line.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{m_stdout_fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      stop();
      throw std::runtime_error("TestApiServer: no LISTENING line within 10 s; server log: " +
                               read_file_or_empty(log_path));
    }
    char buf[256];
    const ssize_t r = ::read(m_stdout_fd, buf, sizeof buf);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) {
        continue;
      }
      stop();
      throw std::runtime_error("TestApiServer: server exited during start; server log: " +
                               read_file_or_empty(log_path));
    }
    line.append(buf, static_cast<std::size_t>(r));
  }
  if (line.rfind("LISTENING ", 0) != 0 || (m_port = std::atoi(line.c_str() + 10)) <= 0) {
    stop();
    throw std::runtime_error("TestApiServer: unexpected first line from server: " + line);
  }
}

TestApiServer::~TestApiServer()
{
  stop();
}

void
TestApiServer::stop() noexcept
{
  if (m_stdin_fd >= 0) {
    ::close(m_stdin_fd);
    m_stdin_fd = -1;
  }
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int waited = 0; waited < k_stop_timeout_ms && !reaped; waited += 10) {
      reaped = ::waitpid(m_pid, &status, WNOHANG) == m_pid;
      if (!reaped) {
        ::usleep(10000);
      }
    }
    if (!reaped) {
      ::kill(-m_pid, SIGKILL);
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
    }
    m_pid = -1;
  }
  if (m_stdout_fd >= 0) {
    ::close(m_stdout_fd);
    m_stdout_fd = -1;
  }
}

int
TestApiServer::port() const
{
  return m_port;
}

std::string
TestApiServer::url() const
{
  return "https://127.0.0.1:" + std::to_string(m_port);
}

std::string
TestApiServer::pki_dir() const
{
  return m_pki;
}

const nlohmann::json&
TestApiServer::cluster() const
{
  return m_cluster;
}

std::string
TestApiServer::server_log() const
{
  return read_file_or_empty(m_dir.path() + "/server.log");
}

std::string
TestApiServer::token(const std::string& user) const
{
  for (const auto& u : m_cluster.value("users", nlohmann::json::array())) {
    if (u.value("name", "") == user && u.contains("token")) {
      return u["token"].get<std::string>();
    }
  }
  throw std::runtime_error("TestApiServer::token: no user \"" + user + "\" with a token in the cluster file");
}

kube::Endpoint
TestApiServer::endpoint(const std::string& server_name) const
{
  kube::Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port();
  endpoint.tls.ca_pem = testsupport::read_file(pki_dir() + "/ca.crt");
  endpoint.tls.server_name = server_name;
  return endpoint;
}

std::vector<std::pair<std::string, std::string>>
TestApiServer::bearer(const std::string& user) const
{
  return {{"Authorization", "Bearer " + token(user)}};
}

std::string
TestApiServer::write_kubeconfig(const std::string& user) const
{
  std::string credentials;
  // "cert-X" means a client certificate: cert-admin -> admin.crt, cert-viewer -> cert-viewer.crt.
  if (user.rfind("cert-", 0) == 0) {
    for (const std::string& base : {user, user.substr(5)}) {
      if (fs::exists(m_pki + "/" + base + ".crt")) {
        credentials = "    client-certificate: " + quoted(m_pki + "/" + base + ".crt") + "\n" +
                      "    client-key: " + quoted(m_pki + "/" + base + ".key") + "\n";
        break;
      }
    }
  }
  for (const auto& u : m_cluster.value("users", nlohmann::json::array())) {
    if (!credentials.empty()) {
      break;
    }
    if (u.value("name", "") != user) {
      continue;
    }
    if (u.contains("token")) {
      credentials = "    token: " + quoted(u["token"].get<std::string>()) + "\n";
    } else if (u.contains("username")) {
      credentials = "    username: " + quoted(u["username"].get<std::string>()) + "\n" +
                    "    password: " + quoted(u.value("password", "")) + "\n";
    }
  }
  if (credentials.empty()) {
    throw std::runtime_error("TestApiServer::write_kubeconfig: unknown user \"" + user +
                             "\" (want admin, viewer, basic-admin, cert-admin, cert-viewer or a cluster-file user)");
  }
  const std::string text = "apiVersion: v1\nkind: Config\nclusters:\n- name: koi-test\n  cluster:\n"
                           "    server: " +
                           quoted(url()) +
                           "\n"
                           "    certificate-authority: " +
                           quoted(m_pki + "/ca.crt") +
                           "\n"
                           "users:\n- name: " +
                           quoted(user) + "\n  user:\n" + credentials +
                           "contexts:\n- name: koi-test\n  context:\n    cluster: koi-test\n"
                           "    user: " +
                           quoted(user) +
                           "\n"
                           "current-context: koi-test\n";
  return m_dir.write("kubeconfig-" + std::to_string(++m_kubeconfigs) + "/config", text, 0600);
}

nlohmann::json
TestApiServer::control(const std::string& method, const std::string& path, const std::string& body) const
{
  httplib::SSLClient client("127.0.0.1", m_port);
  // The control channel must work even when the server presents a deliberately bad cert.
  client.enable_server_certificate_verification(false);
  client.set_bearer_token_auth(token("admin"));
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  httplib::Result res = method == "GET"      ? client.Get(path.c_str())
                        : method == "POST"   ? client.Post(path.c_str(), body, "application/json")
                        : method == "PUT"    ? client.Put(path.c_str(), body, "application/json")
                        : method == "DELETE" ? client.Delete(path.c_str())
                                             : throw std::invalid_argument("TestApiServer::control: method " + method);
  if (!res) {
    throw std::runtime_error("TestApiServer::control " + method + " " + path + ": " + httplib::to_string(res.error()));
  }
  if (res->status < 200 || res->status >= 300) {
    // Show the Status message unescaped when there is one, else the raw body.
    const auto status = nlohmann::json::parse(res->body, nullptr, false);
    const std::string what = status.is_object() && status.contains("message") && status["message"].is_string()
                                 ? status["message"].get<std::string>()
                                 : res->body;
    throw std::runtime_error("TestApiServer::control " + method + " " + path + ": HTTP " + std::to_string(res->status) +
                             ": " + what);
  }
  return res->body.empty() ? nlohmann::json() : nlohmann::json::parse(res->body);
}

} // namespace testsupport
