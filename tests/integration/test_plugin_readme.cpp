// Keeps the README's "## Install" section honest: every code block in it is run as written,
// in a temp HOME, against a release archive built by plugin/build-release.sh (krew itself is
// replaced by a double doing krew's install steps), and its completion set-up is then used
// in real bash, fish and zsh.
#include "integration/test_plugin_env.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
using plugintest::block;
using plugintest::contains;
using plugintest::quoted;
using testsupport::run;

namespace {

struct CodeBlock {
  std::string heading;  // the "### " heading above it
  std::string language; // the fence's info string
  std::string code;
};

// The fenced blocks of the README section "## <title>", in order.
std::vector<CodeBlock>
readme_blocks(const std::string& title)
{
  std::ifstream in(std::string(KOI_SOURCE_DIR) + "/README.md");
  std::vector<CodeBlock> out;
  bool inside_section = false;
  bool inside_fence = false;
  std::string heading;
  for (std::string line; std::getline(in, line);) {
    if (!inside_fence && line.rfind("## ", 0) == 0) {
      inside_section = line == "## " + title;
    } else if (!inside_section) {
      continue;
    } else if (!inside_fence && line.rfind("### ", 0) == 0) {
      heading = line.substr(4);
    } else if (line.rfind("```", 0) == 0) {
      inside_fence = !inside_fence;
      if (inside_fence) {
        out.push_back({heading, line.substr(3), ""});
      }
    } else if (inside_fence) {
      out.back().code += line + "\n";
    }
  }
  return out;
}

// Runs krew's install steps for `install --manifest=F --archive=A`: unpack into the store,
// link bin/kubectl-<name with '_'> to the manifest's bin.
const char* k_fake_krew = R"SH(#!/usr/bin/env bash
set -euo pipefail
[ "$1" = install ] || { echo "krew test double: only install" >&2; exit 1; }
shift
for arg in "$@"; do
  case $arg in
    --manifest=*) manifest=${arg#*=} ;;
    --archive=*) archive=${arg#*=} ;;
  esac
done
root=${KREW_ROOT:-$HOME/.krew}
name=$(sed -n 's/^  name: //p' "$manifest")
version=$(sed -n 's/^  version: //p' "$manifest")
bin=$(sed -n 's/^    bin: //p' "$manifest")
store=$root/store/$name/$version
mkdir -p "$store" "$root/bin"
tar -xzf "$archive" -C "$store"
ln -sf "$store/$bin" "$root/bin/kubectl-${name//-/_}"
echo "Installed plugin: $name"
)SH";

// The code of every block under `heading` in `language`, joined.
std::string
code_under(const std::vector<CodeBlock>& blocks, const std::string& heading, const std::string& language, int& used)
{
  std::string code;
  for (const auto& b : blocks) {
    if (b.heading == heading && b.language == language) {
      code += b.code;
      ++used;
    }
  }
  return code;
}

std::string
inherited_path()
{
  const char* path = std::getenv("PATH");
  return path != nullptr ? path : "/usr/bin:/bin";
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("README install: every shared library the developer build loads is named there; the release loads none")
  {
    KOI_SKIP_WITHOUT_PROGRAM("readelf");
    const auto r = run({"readelf", "-d", KOI_PLUGIN_BINARY});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::ifstream in(std::string(KOI_SOURCE_DIR) + "/README.md");
    std::stringstream text;
    text << in.rdbuf();
    const std::string readme = text.str();
    const std::string install = readme.substr(readme.find("## Install"));
    int needed = 0;
    for (const auto& line : plugintest::lines(r.out)) {
      const auto open = line.find("Shared library: [");
      if (open == std::string::npos) {
        continue;
      }
      const auto name = line.substr(open + 17, line.find(']', open) - open - 17);
      if (name.rfind("libasan", 0) == 0 || name.rfind("libubsan", 0) == 0 || name.rfind("libtsan", 0) == 0) {
        continue; // the sanitizer builds' runtimes; a release is not built that way
      }
      ++needed;
      CHECK_MESSAGE(contains(install, "`" + name + "`"),
                    name << " is loaded by the binary but not named in README's Install");
    }
#if defined(KOI_STATIC_BUILD)
    CHECK(needed == 0); // plugin/build-release.sh: one static file
#else
    CHECK(needed >= 3);
#endif
    // yaml-cpp is linked in where Debian ships its archive (libyaml-cpp-dev does).
    if (fs::exists("/usr/lib/x86_64-linux-gnu/libyaml-cpp.a")) {
      CHECK_FALSE(contains(r.out, "libyaml-cpp"));
    }
  }

  TEST_CASE("README install: krew, plain copy and each shell's completion set-up, run as written")
  {
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    KOI_SKIP_WITHOUT_PROGRAM("tar");
    auto blocks = readme_blocks("Install");
    REQUIRE(blocks.size() >= 6);
    int used = 0;
    const std::string krew_code = code_under(blocks, "With krew", "sh", used);
    const std::string hook_code = code_under(blocks, "Shell completion", "sh", used);
    const std::string copy_code = code_under(blocks, "Plain copy to a directory on PATH", "sh", used);
    const std::string bash_rc = code_under(blocks, "Shell completion", "bash", used);
    const std::string zsh_rc = code_under(blocks, "Shell completion", "zsh", used);
    const std::string fish_rc = code_under(blocks, "Shell completion", "fish", used);
    CHECK_MESSAGE(used == static_cast<int>(blocks.size()), "a README install block is not exercised by this test");

    testsupport::TempDir dist;
    auto r = run({"bash", std::string(KOI_SOURCE_DIR) + "/plugin/build-release.sh", "--binary", KOI_PLUGIN_BINARY,
                  "--out", dist.path()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // The README names the archive of this version: a version bump must update it.
    const std::string archive = fs::path(plugintest::lines(r.out).at(0)).filename().string();
    CHECK_MESSAGE(contains(krew_code, archive), "README's archive name is not " << archive);

    // krew: the install, the caveats' nested name, and the completion hooks, in one HOME.
    testsupport::TempDir krew_home;
    testsupport::TempDir fakebin;
    fakebin.write("kubectl-krew", k_fake_krew, 0755);
    const std::vector<std::string> krew_env{"HOME=" + krew_home.path(),
                                            "PATH=" + fakebin.path() + ":" + inherited_path(),
                                            "KUBECONFIG=/nonexistent", "KREW_ROOT="};
    r = plugintest::run_shell(
        "bash", "set -euo pipefail\nunset KREW_ROOT\ncd " + quoted(dist.path()) + "\n" + krew_code + hook_code,
        krew_env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(plugintest::count_lines_starting(r.out, "kubectl-ko-ipsec ") == 2); // ko-ipsec, then ko ipsec
    const std::string krew_bin = krew_home.path() + "/.krew/bin";
    for (const char* file :
         {"kubectl-ko_ipsec", "kubectl-ko-ipsec", "kubectl_complete-ko_ipsec", "kubectl_complete-ko-ipsec"}) {
      CHECK_MESSAGE(::access((krew_bin + "/" + file).c_str(), X_OK) == 0, file);
    }

    // Plain copy, in another HOME.
    testsupport::TempDir copy_home;
    r = plugintest::run_shell("bash",
                              "set -euo pipefail\ncd " + quoted(copy_home.path()) + "\ncp " +
                                  quoted(dist.path() + "/" + archive) + " .\n" + copy_code,
                              {"HOME=" + copy_home.path(), "PATH=" + inherited_path(), "KUBECONFIG=/nonexistent"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(plugintest::count_lines_starting(r.out, "kubectl-ko-ipsec ") == 2);
    CHECK(::access((copy_home.path() + "/.local/bin/kubectl_complete-ko-ipsec").c_str(), X_OK) == 0);

    // Each shell with the README's start-up lines, in the krew HOME (PATH as krew's set-up makes it).
    const std::vector<std::string> shell_env{"HOME=" + krew_home.path(), "PATH=" + krew_bin + ":" + inherited_path(),
                                             "KUBECONFIG=/nonexistent",
                                             "XDG_CONFIG_HOME=" + krew_home.path() + "/.config"};
    const std::string bash_completion = "/usr/share/bash-completion/bash_completion";
    if (::access(bash_completion.c_str(), R_OK) != 0 || testsupport::which("bash").empty()) {
      MESSAGE("bash part skipped: " << bash_completion << " is missing (Debian package bash-completion)");
    } else {
      r = plugintest::run_shell("bash",
                                "source " + bash_completion + "\n" + bash_rc + plugintest::k_bash_driver +
                                    "complete_line 'kubectl ko ipsec tu'\ncomplete_line 'kubectl ko-ipsec vers'\n"
                                    "complete_line 'kubectl-ko-ipsec con'\n",
                                shell_env);
      CHECK_MESSAGE(r.exit_code == 0, r.err);
      CHECK(block(r.out, "kubectl ko ipsec tu") == "tunnels\n");
      CHECK(block(r.out, "kubectl ko-ipsec vers") == "version\n");
      CHECK(block(r.out, "kubectl-ko-ipsec con") == "config\n");
    }
    if (testsupport::which("fish").empty()) {
      MESSAGE("fish part skipped: fish is not on PATH");
    } else {
      r = plugintest::run_shell("fish",
                                fish_rc + "echo '== a'; complete -C 'kubectl ko ipsec tu'\n"
                                          "echo '== b'; complete -C 'kubectl-ko-ipsec con'\n",
                                shell_env);
      CHECK_MESSAGE(r.exit_code == 0, r.err);
      CHECK(contains(block(r.out, "a"), "tunnels\t"));
      CHECK(contains(block(r.out, "b"), "config\t"));
    }
    if (testsupport::which("zsh").empty() || testsupport::which("tmux").empty()) {
      MESSAGE("zsh part skipped: zsh or tmux is not on PATH");
      return;
    }
    plugintest::Tmux tmux(plugintest::zsh_command(shell_env, krew_home.path() + "/zsh", zsh_rc));
    REQUIRE(tmux.started());
    REQUIRE_MESSAGE(tmux.wait_for({"READY>"}), tmux.screen());
    CHECK_MESSAGE(tmux.complete("kubectl ko ipsec tu", {"READY> kubectl ko ipsec tunnels"}), tmux.screen());
    CHECK_MESSAGE(tmux.complete("kubectl-ko-ipsec con", {"READY> kubectl-ko-ipsec config"}), tmux.screen());
  }
}
