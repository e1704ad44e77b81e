// Completion through the real kubectl (>= 1.26 runs kubectl_complete-<plugin> from PATH) for
// both invocation forms, with node names from the test API server, context names from the
// kubeconfig, a dead cluster that must not hang; the checked-in completions/ and the man page.
#include "integration/test_plugin_env.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using plugintest::candidates;
using plugintest::contains;
using testsupport::run;

namespace {

// A loopback port that accepts TCP connections and never says a word: a dead API server.
class SilentListener {
public:
  SilentListener()
  {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    auto* raw = reinterpret_cast<sockaddr*>(&addr);
    REQUIRE(::bind(m_fd, raw, len) == 0);
    REQUIRE(::listen(m_fd, 64) == 0);
    REQUIRE(::getsockname(m_fd, raw, &len) == 0);
    m_port = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(m_fd); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return m_port; }

private:
  int m_fd = -1;
  int m_port = 0;
};

std::string
read_text(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::vector<std::string> k_nodes{"kube-ovn-control-plane", "kube-ovn-worker", "kube-ovn-worker2"};

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("completion via kubectl: `kubectl __complete ko ipsec …` and `ko-ipsec …` reach our hooks")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    testsupport::TestApiServer server;
    plugintest::PluginBin bin;
    const std::vector<std::string> env{bin.path_env(), "KUBECONFIG=" + server.write_kubeconfig("admin"),
                                       "KUBE_OVN_NS="};

    for (const std::vector<std::string>& plugin_words :
         {std::vector<std::string>{"ko", "ipsec"}, std::vector<std::string>{"ko-ipsec"}}) {
      auto words = plugin_words;
      CAPTURE(words.size());
      std::vector<std::string> argv{"kubectl", "__complete"};
      argv.insert(argv.end(), words.begin(), words.end());

      auto args = argv;
      args.push_back("");
      auto r = run(args, env);
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      auto got = candidates(r.out);
      for (const char* sub : {"completion", "config", "nodes", "off", "on", "tunnels", "version"}) {
        CHECK_MESSAGE(std::find(got.begin(), got.end(), sub) != got.end(), sub);
      }
      CHECK(contains(r.out, "on\tTurn OVN IPsec on (NB_Global.ipsec=true) through the NB leader\n"));
      CHECK(r.out.substr(r.out.size() - 3) == ":4\n");
      // kubectl's debug line names the hook it ran.
      CHECK(contains(r.err, words.size() == 2 ? "kubectl_complete-ko-ipsec" : "kubectl_complete-ko_ipsec"));

      args = argv;
      args.insert(args.end(), {"tunnels", "--node", ""});
      r = run(args, env);
      CHECK(candidates(r.out) == k_nodes);

      args = argv;
      args.insert(args.end(), {"tunnels", "-o", "w"});
      r = run(args, env);
      CHECK(r.out == "wide\n:4\n");
    }

    // Kube-OVN's namespace flag typed on the line is honoured (no pods there: nothing).
    auto r = run({"kubectl", "__complete", "ko", "ipsec", "nodes", "-n", "elsewhere", "--node", ""}, env);
    CHECK(r.out == ":4\n");
  }

  TEST_CASE("completion via kubectl: --context from the kubeconfig, secrets never printed")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    testsupport::TestApiServer server;
    plugintest::PluginBin bin;
    const std::string config = server.write_kubeconfig("admin");
    const auto r = run({"kubectl", "__complete", "ko", "ipsec", "nodes", "--context", ""},
                       {bin.path_env(), "KUBECONFIG=" + config});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto got = candidates(r.out);
    REQUIRE(got.size() == 1);
    CHECK(contains(read_text(config), "current-context: " + got[0]));
    CHECK_FALSE(contains(r.out, server.token("admin")));
  }

  TEST_CASE("completion: a dead cluster gives no node names within the 2 s limit instead of hanging")
  {
    SilentListener dead;
    testsupport::TempDir dir;
    const std::string config =
        dir.write("config", "apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster:\n"
                            "    server: https://127.0.0.1:" +
                                std::to_string(dead.port()) +
                                "\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n"
                                "    token: t0k3n\ncontexts:\n- name: dead\n  context: {cluster: dead, user: u}\n"
                                "current-context: dead\n");
    const auto start = std::chrono::steady_clock::now();
    const auto r = run({KOI_PLUGIN_BINARY, "__complete", "tunnels", "--node", ""}, {"KUBECONFIG=" + config}, "", 20000);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.out == ":4\n");
    CHECK(took < std::chrono::seconds(6));          // the 2 s limit, with room for a loaded machine
    CHECK(took >= std::chrono::milliseconds(1500)); // it really waited for the server, then gave up
  }

  TEST_CASE("completion: the checked-in completions/ are what the binary prints (regenerate: --target completions)")
  {
    plugintest::PluginBin bin;
    const std::string dir = std::string(KOI_SOURCE_DIR) + "/completions/";
    const std::vector<std::pair<std::string, std::vector<std::string>>> files{
        {"kubectl-ko-ipsec.bash", {bin.dir() + "/kubectl-ko-ipsec", "completion", "bash"}},
        {"_kubectl-ko-ipsec", {bin.dir() + "/kubectl-ko-ipsec", "completion", "zsh"}},
        {"kubectl-ko-ipsec.fish", {bin.dir() + "/kubectl-ko-ipsec", "completion", "fish"}},
        {"kubectl_complete-ko-ipsec", {bin.dir() + "/kubectl-ko-ipsec", "completion", "kubectl"}},
        {"kubectl_complete-ko_ipsec", {bin.dir() + "/kubectl-ko_ipsec", "completion", "kubectl"}},
    };
    for (const auto& item : files) {
      const auto& file = std::get<0>(item);
      const auto& argv = std::get<1>(item); // clang 14: no lambda capture of bindings
      const auto r = run(argv);
      REQUIRE(r.exit_code == 0);
      CHECK_MESSAGE(read_text(dir + file) == r.out,
                    "completions/" << file << " is stale: cmake --build <dir> --target completions");
    }
    CHECK(::access((dir + "kubectl_complete-ko-ipsec").c_str(), X_OK) == 0);
    CHECK(::access((dir + "kubectl_complete-ko_ipsec").c_str(), X_OK) == 0);
  }

  TEST_CASE("man page: __man renders with groff without warnings and with man -l")
  {
    KOI_SKIP_WITHOUT_PROGRAM("groff");
    testsupport::TempDir dir;
    const auto page = run({KOI_PLUGIN_BINARY, "__man"});
    REQUIRE(page.exit_code == 0);
    const std::string file = dir.write("kubectl-ko-ipsec.1", page.out);
    auto r = run({"groff", "-man", "-Tutf8", "-ww", "-z", file});
    CHECK(r.exit_code == 0);
    CHECK_MESSAGE(r.err.empty(), r.err);
    if (testsupport::which("man").empty()) {
      MESSAGE("man is not on PATH: rendered with groff only");
      return;
    }
    r = run({"man", "-l", file}, {"MANWIDTH=100", "MANPAGER=cat", "PAGER=cat"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.out, "KUBECTL-KO-IPSEC(1)"));
    CHECK(contains(r.out, "kubectl-ko-ipsec - Switch on, prove and watch OVN IPsec in a Kube-OVN cluster"));
    CHECK(contains(r.out, "kubectl ko ipsec tunnels --node kube-ovn-worker -o wide"));
    CHECK(contains(r.out, "--request-timeout"));
  }
}
