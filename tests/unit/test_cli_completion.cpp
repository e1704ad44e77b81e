// The completion engine against the real command tree, through cli::run's hidden __complete:
// subcommands, flags, -o values, node names from a FakeCluster, kubeconfig names, protocol text.
#include "cli/app.hpp"
#include "cli/completion.hpp"
#include "cli/completion_sources.hpp"
#include "support/fake_cluster.hpp"
#include "support/fake_lab.hpp"
#include "support/test_apiserver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

namespace {

struct Answer {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs cli::run with `args`; cluster lookups go to `fake` (when given), env vars from `vars`.
Answer
run_completion_cli(const std::vector<std::string>& args, testsupport::FakeCluster* fake = nullptr,
                   std::map<std::string, std::string> vars = {})
{
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx{out, err};
  ctx.env.getenv = [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  ctx.cluster_factory = [fake](const kube::ClientConfig&,
                               const kube::ClusterOptions&) -> std::unique_ptr<kube::Cluster> {
    if (fake == nullptr) {
      throw std::runtime_error("no cluster in this test");
    }
    return std::make_unique<testsupport::fakelab::Borrowed>(*fake);
  };
  Answer answer;
  answer.code = cli::run(args, ctx);
  answer.out = out.str();
  answer.err = err.str();
  return answer;
}

// The candidate values (without descriptions) and the directive line of a protocol answer.
std::vector<std::string>
values_of(const std::string& text)
{
  std::vector<std::string> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != ':') {
      values.push_back(line.substr(0, line.find('\t')));
    }
  }
  return values;
}

std::string
directive_of(const std::string& text)
{
  const size_t colon = text.rfind("\n:", text.size() - 2);
  return colon == std::string::npos ? text.substr(0, text.size() - 1) : text.substr(colon + 1, text.size() - colon - 2);
}

bool
has(const std::vector<std::string>& values, const std::string& value)
{
  return std::find(values.begin(), values.end(), value) != values.end();
}

const char* k_two_contexts = R"(apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://127.0.0.1:1"}
- name: prod
  cluster: {server: "https://10.0.0.1:6443"}
users:
- name: admin
  user: {token: secret-token-never-shown}
contexts:
- name: kind-kube-ovn
  context: {cluster: lab, user: admin}
- name: prod-admin
  context: {cluster: prod, user: admin}
current-context: kind-kube-ovn
)";

} // namespace

TEST_CASE("completion: subcommands with descriptions, hidden ones left out, cobra's directive line")
{
  const auto r = run_completion_cli({"__complete", ""});
  CHECK(r.code == 0);
  const auto values = values_of(r.out);
  for (const char* name : {"completion", "config", "nodes", "off", "on", "tunnels", "version"}) {
    CHECK_MESSAGE(has(values, name), name);
  }
  CHECK_FALSE(has(values, "__man"));
  CHECK(std::is_sorted(values.begin(), values.end()));
  CHECK(r.out.find("nodes\tList each node's Kube-OVN pod") != std::string::npos);
  CHECK(directive_of(r.out) == ":4"); // NoFileComp
  CHECK(r.out.back() == '\n');

  // The prefix filters; __completeNoDesc drops the descriptions.
  CHECK(run_completion_cli({"__complete", "t"}).out ==
        "tunnels\tShow every node's IPsec tunnels as ovs-monitor-ipsec sees them\n:4\n");
  CHECK(run_completion_cli({"__completeNoDesc", "t"}).out == "tunnels\n:4\n");
  CHECK(run_completion_cli({"__complete", "config", ""}).out.rfind("view\t", 0) == 0);
}

TEST_CASE("completion: flags of the command and the global ones, once each; used flags drop out")
{
  auto values = values_of(run_completion_cli({"__complete", "tunnels", "--"}).out);
  for (const char* flag :
       {"--node", "--output", "--concurrency", "--timeout", "--context", "--kubeconfig", "--namespace", "--help"}) {
    CHECK_MESSAGE(has(values, flag), flag);
  }
  CHECK(std::count(values.begin(), values.end(), "--help") == 1);
  CHECK_FALSE(has(values, "-o")); // "--" offers long names only

  values = values_of(run_completion_cli({"__complete", "tunnels", "-"}).out);
  CHECK(has(values, "-o"));
  CHECK(has(values, "-n"));
  CHECK(has(values, "--output"));

  // --output was given (not repeatable), --node was given (repeatable).
  values = values_of(run_completion_cli({"__complete", "tunnels", "-o", "json", "--node", "a", "--"}).out);
  CHECK_FALSE(has(values, "--output"));
  CHECK(has(values, "--node"));
  CHECK(has(values, "--timeout"));
}

TEST_CASE("completion: -o values from the flag's own check, in every spelling")
{
  // The printers the command has, as kubectl offers them ("table", the default, is not one).
  CHECK(values_of(run_completion_cli({"__complete", "tunnels", "-o", ""}).out) ==
        std::vector<std::string>{"json", "jsonpath", "name", "wide", "yaml"});
  CHECK(values_of(run_completion_cli({"__complete", "rotate", "certs", "-o", ""}).out) ==
        std::vector<std::string>{"json", "yaml"});
  CHECK(values_of(run_completion_cli({"__complete", "tunnels", "--output", "j"}).out) ==
        std::vector<std::string>{"json", "jsonpath"});
  // "--output=y": the value comes back bare, as cobra does; the shells keep the "--output=".
  CHECK(run_completion_cli({"__complete", "tunnels", "--output=y"}).out == "yaml\n:4\n");
  CHECK(values_of(run_completion_cli({"__complete", "version", "-o", ""}).out) ==
        std::vector<std::string>{"json", "text", "yaml"});
  CHECK(values_of(run_completion_cli({"__complete", "completion", ""}).out) ==
        std::vector<std::string>{"bash", "fish", "kubectl", "zsh"});
  // A flag before the subcommand is skipped with its value, not taken for a command.
  CHECK(values_of(run_completion_cli({"__complete", "--context", "x", "tunnels", "-o", "n"}).out) ==
        std::vector<std::string>{"name"});
}

TEST_CASE("completion: file flags ask the shell for file names; free-text flags offer nothing")
{
  CHECK(run_completion_cli({"__complete", "nodes", "--kubeconfig", ""}).out == ":0\n");
  CHECK(run_completion_cli({"__complete", "nodes", "--certificate-authority="}).out == ":0\n");
  CHECK(run_completion_cli({"__complete", "nodes", "--timeout", ""}).out == ":4\n");
  // A leaf command without arguments offers its flags for a bare word.
  CHECK(has(values_of(run_completion_cli({"__complete", "nodes", ""}).out), "--node"));
}

TEST_CASE("completion: --context, --cluster and --user from the kubeconfig kubectl would read")
{
  testsupport::TempDir dir;
  const std::string config = dir.write("config", k_two_contexts);
  auto r = run_completion_cli({"__complete", "nodes", "--context", ""}, nullptr, {{"KUBECONFIG", config}});
  CHECK(r.out == "kind-kube-ovn\tcluster lab, user admin\nprod-admin\tcluster prod, user admin\n:4\n");
  r = run_completion_cli({"__complete", "--kubeconfig", config, "nodes", "--context=pr"});
  CHECK(r.out == "prod-admin\tcluster prod, user admin\n:4\n");
  r = run_completion_cli({"__complete", "--cluster", ""}, nullptr, {{"KUBECONFIG", config}});
  CHECK(values_of(r.out) == std::vector<std::string>{"lab", "prod"});
  CHECK(r.out.find("secret-token") == std::string::npos);
  // A broken kubeconfig completes nothing and says nothing.
  r = run_completion_cli({"__complete", "nodes", "--context", ""}, nullptr, {{"KUBECONFIG", dir.write("bad", "{{{")}});
  CHECK(r.out == ":4\n");
  CHECK(r.err.empty());
}

TEST_CASE("completion: --node from the cluster's Kube-OVN pods, in Kube-OVN's namespace")
{
  testsupport::FakeCluster fake;
  fake.add_pod(
      testsupport::make_pod("kube-system", "ovs-ovn-aaaaa", "kube-ovn-worker", {{"app", "ovs"}}, "openvswitch"));
  fake.add_pod(
      testsupport::make_pod("kube-system", "ovs-ovn-bbbbb", "kube-ovn-control-plane", {{"app", "ovs"}}, "openvswitch"));
  fake.add_pod(testsupport::make_pod("kube-ovn", "ovs-ovn-ccccc", "other-ns-node", {{"app", "ovs"}}, "openvswitch"));
  testsupport::TempDir dir;
  const std::map<std::string, std::string> vars{{"KUBECONFIG", dir.write("config", k_two_contexts)}};
  auto r = run_completion_cli({"__complete", "tunnels", "--node", ""}, &fake, vars);
  CHECK(r.out == "kube-ovn-control-plane\tovs-ovn-bbbbb\nkube-ovn-worker\tovs-ovn-aaaaa\n:4\n");
  r = run_completion_cli({"__complete", "tunnels", "-n", "kube-ovn", "--node", "o"}, &fake, vars);
  CHECK(r.out == "other-ns-node\tovs-ovn-ccccc\n:4\n");
  // No cluster at all: nothing, no error text.
  r = run_completion_cli({"__complete", "nodes", "--node", ""}, nullptr, vars);
  CHECK(r.out == ":4\n");
  CHECK(r.err.empty());
}

TEST_CASE("completion: a lookup that hangs is cut off at the limit")
{
  const auto start = std::chrono::steady_clock::now();
  const auto got = cli::run_bounded(
      [] {
        std::this_thread::sleep_for(std::chrono::seconds(30));
        return std::vector<cli::Candidate>{{"late", ""}};
      },
      std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(got.empty());
  CHECK(took < std::chrono::seconds(3));
  CHECK(took >= std::chrono::milliseconds(250));

  const auto quick = cli::run_bounded(
      [] {
        return std::vector<cli::Candidate>{{"a", "one\ttwo"}, {"b", ""}};
      },
      std::chrono::seconds(5));
  REQUIRE(quick.size() == 2);
  CHECK(quick[0].value == "a");
  CHECK(quick[0].description == "one two");
  CHECK(quick[1].value == "b");
  CHECK(
      cli::run_bounded([]() -> std::vector<cli::Candidate> { throw std::runtime_error("x"); }, std::chrono::seconds(5))
          .empty());
}

TEST_CASE("completion: protocol text flattens descriptions; member_values reads IsMember sets")
{
  cli::Completion c{{{"a", "line1\nline2\tx"}, {"b", ""}},
                    cli::directive::k_no_file_comp | cli::directive::k_keep_order};
  CHECK(cli::format_completion(c, true) == "a\tline1 line2 x\nb\n:36\n");
  CHECK(cli::format_completion(c, false) == "a\nb\n:36\n");

  CLI::App app;
  std::string value;
  auto* opt = app.add_option("--mode", value)->check(CLI::IsMember({"fast", "slow"}));
  CHECK(cli::member_values(*opt) == std::vector<std::string>{"fast", "slow"});
  auto* plain = app.add_option("--node", value);
  CHECK(cli::member_values(*plain).empty());
  CHECK(cli::value_source(*plain) == cli::ValueSource::nodes);
  CHECK(cli::value_source(*opt) == cli::ValueSource::none);
}
