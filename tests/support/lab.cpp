#include "support/lab.hpp"

#include "support/plugin_run.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace testsupport {

namespace {

const std::string k_lab_script = std::string(KOI_SOURCE_DIR) + "/tests/lab/lab";
// The tests' own namespace prefix: `lab down --force` with it can never touch the demo's lab-*.
const std::string k_lab_prefix = "koie2e";
constexpr int k_lab_timeout_ms = 180000;
// A UML guest boots and brings the lab up in ~2 min idle, several times that on a loaded machine.
constexpr int k_uml_timeout_ms = 1500000; // above lab-uml's own boot deadline (1200 s)
constexpr int k_plugin_timeout_ms = 120000;
constexpr int k_uml_plugin_timeout_ms = 600000;
constexpr auto k_lock_wait = std::chrono::minutes(10);

std::string
describe(const std::vector<std::string>& args, const RunResult& r)
{
  std::string line = "lab";
  for (const auto& a : args) {
    line += " " + a;
  }
  return line + (r.timed_out ? " timed out" : " exited " + std::to_string(r.exit_code)) + "\n" + r.out + r.err;
}

// An exclusive flock on `path`, polled so a stuck holder makes us fail instead of hang.
int
take_lock(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("Lab: cannot open lock file " + path + ": " + std::strerror(errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + k_lock_wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::close(fd);
      throw std::runtime_error("Lab: another test run held " + path + " for 10 minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fd;
}

// Why the lab that `check` (`tests/lab/lab [--uml] check`) checks cannot run here; "" when it can.
std::string
check_reason(const std::vector<std::string>& check, const std::string& needs_root)
{
  if (std::string why = apiserver_unavailable_reason(); !why.empty()) {
    return why;
  }
  if (::geteuid() != 0) {
    return needs_root;
  }
  std::vector<std::string> argv{"bash", k_lab_script};
  argv.insert(argv.end(), check.begin(), check.end());
  const RunResult r = run(argv, {}, "", 30000);
  if (r.exit_code != 0) {
    const std::string text = r.err.empty() ? r.out : r.err;
    std::string line = "tests/lab/lab";
    for (const auto& word : check) {
      line += " " + word;
    }
    return line + ": " + text.substr(0, text.find('\n'));
  }
  return "";
}

} // namespace

std::string
lab_unavailable_reason()
{
  static const std::string reason =
      check_reason({"check"}, "the lab needs root (network namespaces and mounts); run the tests as root");
  return reason;
}

std::string
uml_lab_unavailable_reason()
{
  static const std::string reason = []() -> std::string {
    if (const char* skip = std::getenv("KOI_SKIP_UML"); skip != nullptr && std::string(skip) == "1") {
      return "KOI_SKIP_UML=1";
    }
    return check_reason({"--uml", "check"},
                        "the UML lab needs root (the guest reads the host's root-only files); run the tests as root");
  }();
  return reason;
}

// ---- Lab -----------------------------------------------------------------------------------

Lab::Lab(const LabOptions& options)
    : m_dir(tmp_root() + (options.uml ? "/koi-e2e-uml-" : "/koi-e2e-lab-") + std::to_string(::geteuid())),
      m_uml(options.uml)
{
  m_lock_fd = take_lock(m_dir + ".e2e.lock");
  try {
    std::vector<std::string> up{"up", "--nodes", std::to_string(options.nodes), "--layout", options.layout};
    if (m_uml) {
      command_ok({"down"}); // the guest a crashed run left (the UML lab has no namespaces on the host)
    } else {
      command_ok({"down", "--force", "--prefix", k_lab_prefix});
      up.insert(up.end(), {"--prefix", k_lab_prefix});
    }
    if (!options.certs) {
      up.emplace_back("--no-certs");
    }
    if (!options.enable_ovn_ipsec.empty()) {
      up.insert(up.end(), {"--enable-ovn-ipsec", options.enable_ovn_ipsec});
    }
    command_ok(up);
  } catch (...) {
    // `up` cleans up after itself, unless its time limit killed it: a UML guest would live on.
    command({"down"});
    ::close(m_lock_fd);
    throw;
  }
}

Lab::~Lab()
{
  command({"down"});
  ::close(m_lock_fd);
}

RunResult
Lab::command(const std::vector<std::string>& args) const
{
  std::vector<std::string> argv{"bash", k_lab_script};
  if (m_uml) {
    argv.emplace_back("--uml");
  }
  argv.insert(argv.end(), {"--dir", m_dir});
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {}, "", m_uml ? k_uml_timeout_ms : k_lab_timeout_ms);
}

std::string
Lab::command_ok(const std::vector<std::string>& args) const
{
  const RunResult r = command(args);
  if (r.exit_code != 0) {
    throw std::runtime_error(describe(args, r));
  }
  return r.out;
}

std::string
Lab::cluster_file(const std::string& layout) const
{
  if (layout.empty()) {
    return m_dir + "/cluster.json";
  }
  const std::string path = m_dir + "/cluster-" + layout + ".json";
  command_ok({"cluster-json", "--layout", layout, "--out", path});
  return path;
}

const std::string&
Lab::dir() const
{
  return m_dir;
}

bool
Lab::uml() const
{
  return m_uml;
}

// ---- LabCluster ----------------------------------------------------------------------------

LabCluster::LabCluster(const LabOptions& options) : m_lab(options)
{
  serve();
}

void
LabCluster::serve(const std::string& layout)
{
  m_server.reset();
  ApiServerOptions options;
  options.cluster_file = m_lab.cluster_file(layout);
  m_server = std::make_unique<TestApiServer>(options);
}

Lab&
LabCluster::lab()
{
  return m_lab;
}

const TestApiServer&
LabCluster::server() const
{
  return *m_server;
}

RunResult
LabCluster::plugin(const std::vector<std::string>& args) const
{
  return run_plugin(*m_server, args, "admin", m_lab.uml() ? k_uml_plugin_timeout_ms : k_plugin_timeout_ms);
}

} // namespace testsupport
