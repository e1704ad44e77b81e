// Usage as kubectl words it: unknown commands and flags with "Did you mean this?", exit 1 for
// usage errors, `help [command]`, a command group named alone showing its help, and help screens
// without CLI11's type names.
#include "cli/app.hpp"
#include "util/suggest.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

struct Ran {
  int code;
  std::string out;
  std::string err;
};

Ran
run_words(const std::vector<std::string>& args)
{
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx{out, err};
  ctx.invoked_as = "kubectl ko ipsec";
  const int code = cli::run(args, ctx);
  return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("util::suggestions: within two edits ignoring case, or a prefix; in the candidates' order")
{
  CHECK(util::edit_distance("tunels", "tunnels") == 1);
  CHECK(util::edit_distance("statsu", "status") == 2);
  CHECK(util::edit_distance("", "abc") == 3);
  CHECK(util::edit_distance("VIEW", "view") == 0);
  const std::vector<std::string> commands{"version", "config", "nodes", "on", "off", "tunnels", "status", "init"};
  CHECK(util::suggestions("tunels", commands) == std::vector<std::string>{"tunnels"});
  CHECK(util::suggestions("statsu", commands) == std::vector<std::string>{"status"});
  CHECK(util::suggestions("o", commands) == std::vector<std::string>{"on", "off"}); // prefix
  CHECK(util::suggestions("ver", commands) == std::vector<std::string>{"version"});
  CHECK(util::suggestions("xyzzy", commands).empty());
  CHECK(util::suggestions("", commands).empty());
  CHECK(util::suggestions("status", commands).empty()); // the word itself is no suggestion
}

TEST_CASE("cli usage: an unknown command names itself and the closest commands, exit 1")
{
  auto r = run_words({"tunels"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "error: unknown command \"tunels\" for \"kubectl ko ipsec\"\n\nDid you mean this?\n\ttunnels\n\n"
                 "Run 'kubectl ko ipsec --help' for usage.\n");
  r = run_words({"config", "veiw"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: unknown command \"veiw\" for \"kubectl ko ipsec config\"\n\nDid you mean this?\n\tview\n\n"
                 "Run 'kubectl ko ipsec config --help' for usage.\n");
  r = run_words({"rotate", "cert", "--dry-run"});
  CHECK(r.code == 1);
  CHECK(r.err.find("unknown command \"cert\" for \"kubectl ko ipsec rotate\"\n\nDid you mean this?\n\tcerts\n") !=
        std::string::npos);
  // Nothing close: no suggestion block. A command that takes no words refuses one.
  r = run_words({"frobnicate"});
  CHECK(r.err == "error: unknown command \"frobnicate\" for \"kubectl ko ipsec\"\n"
                 "Run 'kubectl ko ipsec --help' for usage.\n");
  r = run_words({"tunnels", "extra"});
  CHECK(r.code == 1);
  CHECK(r.err.find("unknown command \"extra\" for \"kubectl ko ipsec tunnels\"") != std::string::npos);
  // Global flags before the command and their values are not taken for commands.
  r = run_words({"--kubeconfig", "/nonexistent/kubeconfig", "-n", "kube-system", "statsu"});
  CHECK(r.err.find("unknown command \"statsu\"") != std::string::npos);
}

TEST_CASE("cli usage: an unknown flag is named once (its value is not echoed), with the closest flags, exit 1")
{
  auto r = run_words({"tunnels", "--nod", "node1"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: unknown flag: --nod\n\nDid you mean this?\n\t--node\n\n"
                 "See 'kubectl ko ipsec tunnels --help' for usage.\n");
  r = run_words({"status", "--bogus"});
  CHECK(r.err == "error: unknown flag: --bogus\nSee 'kubectl ko ipsec status --help' for usage.\n");
  // A global flag is known after the command too; -o with its value attached is one word.
  r = run_words({"tunnels", "-oxml", "--kubeconfig=/nonexistent"});
  CHECK(r.code == 1);
  CHECK(r.err.find("unknown flag") == std::string::npos);
  CHECK(r.err.find("See 'kubectl ko ipsec tunnels --help' for usage.") != std::string::npos);
}

TEST_CASE("cli usage: help [command], a group named alone, and the bare plugin print help, exit 0")
{
  const auto rotate_help = run_words({"rotate", "--help"});
  REQUIRE(rotate_help.code == 0);
  auto r = run_words({"rotate"});
  CHECK(r.code == 0);
  CHECK(r.out == rotate_help.out);
  CHECK(r.out.find("Available Commands:\n  certs ") != std::string::npos);
  r = run_words({"help", "rotate"});
  CHECK(r.out == rotate_help.out);
  r = run_words({"help", "rotate", "ca"});
  CHECK(r.out == run_words({"rotate", "ca", "-h"}).out);
  r = run_words({"help", "gett"});
  CHECK(r.code == 1);
  CHECK(r.err.find("error: unknown command \"gett\" for \"kubectl ko ipsec\"") == 0);
  r = run_words({});
  CHECK(r.code == 0);
  CHECK(r.out == run_words({"help"}).out);
  CHECK(r.out.find("Usage:\n  kubectl ko ipsec [flags]\n  kubectl ko ipsec [command]\n") != std::string::npos);
  CHECK(r.out.find("\nAvailable Commands:\n") != std::string::npos);
  CHECK(r.out.find("\nGlobal Flags (as in kubectl):\n") != std::string::npos);
}

TEST_CASE("cli usage: help screens in cobra's layout, no CLI11 type names anywhere")
{
  const auto all = run_words({"--help-all"});
  REQUIRE(all.code == 0);
  for (const char* library_word :
       {"UINT", "INT:", "TEXT", "BOOLEAN", "-h,--help", "OPTIONS", "SUBCOMMAND", "[1 - 500]"}) {
    CAPTURE(library_word);
    CHECK(all.out.find(library_word) == std::string::npos);
  }
  const auto tunnels = run_words({"tunnels", "--help"}).out;
  CHECK(tunnels.find("\n      --node strings            Only this node; repeat for more\n") != std::string::npos);
  CHECK(tunnels.find("\n  -o, --output string           Output format. One of: (wide, json, yaml, name, jsonpath); "
                     "jsonpath=TEMPLATE as kubectl's, e.g. '{.nodes[*].node}'\n") != std::string::npos);
  CHECK(tunnels.find("\n      --no-headers              Print the table's rows without the column headings\n") !=
        std::string::npos);
  CHECK(tunnels.find("\n      --concurrency int         How many nodes to query at once (default: adapts, starting at "
                     "32, at most 64; halved on a 429, 5xx or slow answer)\n") != std::string::npos);
  CHECK(tunnels.find("\n      --summary                 Only the rows") != std::string::npos); // a flag: no type
  CHECK(tunnels.find("\n  -h, --help                    help for tunnels\n") != std::string::npos);
}
