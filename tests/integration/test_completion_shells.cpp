// Real shells complete `kubectl ko ipsec …` (kubectl's own completion + our kubectl_complete
// hook) and `kubectl-ko-ipsec …` (our scripts from completions/): bash and fish through their
// completion functions, zsh interactively in tmux.
#include "support/skip.hpp"
#include "integration/test_plugin_env.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

using plugintest::block;
using plugintest::k_bash_driver;
using plugintest::quoted;
using plugintest::Tmux;

namespace {

const std::string k_completions = std::string(KOI_SOURCE_DIR) + "/completions/";
const std::string k_bash_completion = "/usr/share/bash-completion/bash_completion";

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("completion in bash: kubectl's script + our hook, and our script for the binary itself")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    KOI_SKIP_WITHOUT_PROGRAM("bash");
    if (::access(k_bash_completion.c_str(), R_OK) != 0 &&
        testsupport::skip_test(k_bash_completion + " is missing (Debian package bash-completion)")) {
      return;
    }
    testsupport::TestApiServer server;
    plugintest::PluginBin bin;
    const std::string script = "source " + k_bash_completion + "\nsource <(kubectl completion bash)\nsource " +
                               quoted(k_completions + "kubectl-ko-ipsec.bash") + k_bash_driver +
                               "complete_line 'kubectl ko ipsec tu'\n"
                               "complete_line 'kubectl ko-ipsec con'\n"
                               "complete_line 'kubectl ko ipsec tunnels --node '\n"
                               "complete_line 'kubectl ko ipsec nodes --output='\n"
                               "complete_line 'kubectl-ko-ipsec tunnels -o '\n"
                               "complete_line 'kubectl-ko_ipsec vers'\n"
                               "complete_line 'kubectl get nod'\n";
    const auto r = plugintest::run_shell(
        "bash", script, {bin.path_env(), "KUBECONFIG=" + server.write_kubeconfig("admin"), "KUBE_OVN_NS="});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(block(r.out, "kubectl ko ipsec tu") == "tunnels\n");
    CHECK(block(r.out, "kubectl ko-ipsec con") == "config\n");
    CHECK(block(r.out, "kubectl ko ipsec tunnels --node ") ==
          "kube-ovn-control-plane\nkube-ovn-worker\nkube-ovn-worker2\n");
    CHECK(block(r.out, "kubectl ko ipsec nodes --output=") == "json\njsonpath\nname\nyaml\n");
    CHECK(block(r.out, "kubectl-ko-ipsec tunnels -o ") == "json\njsonpath\nname\nwide\nyaml\n");
    CHECK(block(r.out, "kubectl-ko_ipsec vers") == "version\n");
    CHECK(block(r.out, "kubectl get nod") == "nodes\n"); // kubectl's own completion still works
  }

  TEST_CASE("completion in fish: kubectl's script + our hook, and our script for the binary itself")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    KOI_SKIP_WITHOUT_PROGRAM("fish");
    testsupport::TestApiServer server;
    plugintest::PluginBin bin;
    const std::string script = "kubectl completion fish | source\nsource " +
                               quoted(k_completions + "kubectl-ko-ipsec.fish") +
                               "\necho '== a'; complete -C 'kubectl ko ipsec tu'"
                               "\necho '== b'; complete -C 'kubectl ko ipsec tunnels --node '"
                               "\necho '== c'; complete -C 'kubectl-ko-ipsec nodes --output=y'"
                               "\necho '== d'; complete -C 'kubectl-ko_ipsec completion '\n";
    const auto r = plugintest::run_shell("fish", script,
                                         {bin.path_env(), "KUBECONFIG=" + server.write_kubeconfig("admin"),
                                          "KUBE_OVN_NS=", "HOME=" + bin.dir(), "XDG_CONFIG_HOME=" + bin.dir()});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(block(r.out, "a") == "tunnels\tShow every node's IPsec tunnels as ovs-monitor-ipsec sees them\n");
    CHECK(block(r.out, "b") == "kube-ovn-control-plane\tovs-ovn-x7k2p\nkube-ovn-worker\tovs-ovn-4mfzt\n"
                               "kube-ovn-worker2\tovs-ovn-b9wqd\n");
    CHECK(block(r.out, "c") == "--output=yaml\n");
    CHECK(block(r.out, "d") == "bash\nfish\nkubectl\nzsh\n");
  }

  TEST_CASE("completion in zsh: TAB in an interactive zsh (tmux) for both forms and the binary itself")
  {
    KOI_SKIP_WITHOUT_APISERVER();
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    KOI_SKIP_WITHOUT_PROGRAM("zsh");
    KOI_SKIP_WITHOUT_PROGRAM("tmux");
    testsupport::TestApiServer server;
    plugintest::PluginBin bin;
    testsupport::TempDir zdot;
    const std::string rc = "autoload -U compinit && compinit -u -d " + quoted(zdot.path() + "/.zcompdump") +
                           "\nsource <(kubectl completion zsh)\nsource " + quoted(k_completions + "_kubectl-ko-ipsec") +
                           "\n";
    Tmux tmux(plugintest::zsh_command(
        {bin.path_env(), "KUBECONFIG=" + server.write_kubeconfig("admin"), "KUBE_OVN_NS=", "HOME=" + zdot.path()},
        zdot.path(), rc));
    REQUIRE(tmux.started());
    REQUIRE_MESSAGE(tmux.wait_for({"READY>"}), tmux.screen());

    // (tmux drops trailing blanks from captured lines.)
    CHECK_MESSAGE(tmux.complete("kubectl ko ipsec tu", {"READY> kubectl ko ipsec tunnels"}), tmux.screen());
    // The first TAB inserts the common prefix, the second lists the nodes with their pods.
    CHECK_MESSAGE(tmux.complete("kubectl ko-ipsec tunnels --node kube-ovn-w", {"--node kube-ovn-worker"}),
                  tmux.screen());
    tmux.key("Tab");
    CHECK_MESSAGE(tmux.wait_for({"kube-ovn-worker2", "ovs-ovn-b9wqd", "ovs-ovn-4mfzt"}), tmux.screen());
    CHECK_MESSAGE(tmux.complete("kubectl-ko-ipsec tunnels --",
                                {"--node", "-- Only this node; repeat for more", "--output", "--context"}),
                  tmux.screen());
  }
}
