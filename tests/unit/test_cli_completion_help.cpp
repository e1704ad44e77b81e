// Help, man page and completion-script text: every command has a summary, flags and
// kubectl-style examples in the form it was invoked by; the man page carries the same text.
#include "cli/app.hpp"
#include "cli/completion_scripts.hpp"
#include "cli/help.hpp"
#include "cli/man.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <sstream>

namespace {

std::string
help_of(const std::string& invoked_as, const std::vector<std::string>& args)
{
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx{out, err};
  ctx.invoked_as = invoked_as;
  const int code = cli::run(args, ctx);
  REQUIRE_MESSAGE(code == 0, err.str());
  return out.str();
}

// Every visible command under `app`, as the words that name it ("config view").
void
each_command(CLI::App& app, const std::string& path, const std::function<void(CLI::App&, const std::string&)>& fn)
{
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); })) {
    const std::string sub_path = path.empty() ? sub->get_name() : path + " " + sub->get_name();
    fn(*sub, sub_path);
    each_command(*sub, sub_path, fn);
  }
}

} // namespace

TEST_CASE("help: every command has a summary, its flags and examples in the invoked form")
{
  for (const std::string invoked_as : {"kubectl ko ipsec", "kubectl ko-ipsec"}) {
    std::ostringstream sink;
    cli::AppContext ctx{sink, sink};
    ctx.invoked_as = invoked_as;
    CLI::App app;
    cli::build_app(app, ctx);
    int commands = 0;
    each_command(app, "", [&](CLI::App& sub, const std::string& path) {
      ++commands;
      std::vector<std::string> args;
      std::istringstream words(path);
      for (std::string word; words >> word;) {
        args.push_back(word);
      }
      args.push_back("--help");
      const std::string help = help_of(invoked_as, args);
      CAPTURE(path);
      CHECK(help.rfind(sub.get_description() + "\n", 0) == 0); // the one-line summary first
      CHECK(sub.get_description().find('\n') == std::string::npos);
      CHECK(help.find("Usage:\n  " + invoked_as + " " + path + " [flags]") != std::string::npos);
      CHECK(help.find("  -h, --help                    help for " + sub.get_name() + "\n") != std::string::npos);
      // `help <path>` is the same screen.
      std::vector<std::string> help_words{"help"};
      help_words.insert(help_words.end(), args.begin(), args.end() - 1);
      CHECK(help_of(invoked_as, help_words) == help);
      const auto examples = cli::examples_of(sub);
      REQUIRE_FALSE(examples.empty());
      for (const auto& example : examples) {
        CHECK_FALSE(example.comment.empty());
        CHECK(example.command.find(invoked_as + " " + path.substr(0, path.find(' '))) != std::string::npos);
        CHECK(help.find("  # " + example.comment + "\n  " + example.command + "\n") != std::string::npos);
      }
      CHECK(help.find("Use \"" + invoked_as + " --help\" for the global flags") != std::string::npos);
    });
    CHECK(commands >= 8);
  }
}

TEST_CASE("help: examples_of reads back what set_examples wrote, after an optional note")
{
  CLI::App app("root");
  CLI::App* sub = app.add_subcommand("x", "X things");
  cli::set_examples(sub, "kubectl ko-ipsec", {{"First", "{cmd} x --a"}, {"Second", "{cmd} x | jq . && {cmd} x"}},
                    "Exit status: 0 fine.");
  CHECK(sub->get_footer().rfind("Exit status: 0 fine.\n\nExamples:\n  # First\n  kubectl ko-ipsec x --a\n", 0) == 0);
  const auto examples = cli::examples_of(*sub);
  REQUIRE(examples.size() == 2);
  CHECK(examples[1].comment == "Second");
  CHECK(examples[1].command == "kubectl ko-ipsec x | jq . && kubectl ko-ipsec x");
  CHECK(cli::examples_of(app).empty());
}

TEST_CASE("man: roff from the command tree, escaped, with every command's flags and examples")
{
  std::ostringstream sink;
  cli::AppContext ctx{sink, sink};
  CLI::App app;
  cli::build_app(app, ctx);
  const std::string page = cli::render_man_page(app, "1.2.3");
  CHECK(page.rfind(".TH \"KUBECTL\\-KO\\-IPSEC\" \"1\" \"\" \"kubectl\\-ko\\-ipsec 1.2.3\"", 0) == 0);
  for (const char* section : {"\n.SH NAME\n", "\n.SH SYNOPSIS\n", "\n.SH DESCRIPTION\n", "\n.SH COMMANDS\n",
                              "\n.SH GLOBAL FLAGS\n", "\n.SH EXIT STATUS\n", "\n.SH SEE ALSO\n"}) {
    CHECK_MESSAGE(page.find(section) != std::string::npos, section);
  }
  CHECK(page.find(".SS \"kubectl ko ipsec tunnels [flags]\"") != std::string::npos);
  CHECK(page.find(".SS \"kubectl ko ipsec config COMMAND [flags]\"") != std::string::npos);
  CHECK(page.find("\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fIstring\\fR") != std::string::npos);
  CHECK(page.find("kubectl ko ipsec tunnels \\-\\-node kube\\-ovn\\-worker \\-o wide") != std::string::npos);
  CHECK(page.find("__man") == std::string::npos);
  // A line starting with a control character must be one of the requests the renderer writes:
  // text that starts with '.' or '\'' is escaped.
  const std::vector<std::string> requests{"TH", "SH", "SS", "TP", "PP", "RS", "RE", "nf", "fi", "br"};
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      const std::string request =
          line.substr(1, line.find(' ') == std::string::npos ? std::string::npos : line.find(' ') - 1);
      CHECK_MESSAGE(std::find(requests.begin(), requests.end(), request) != requests.end(), line);
    }
  }
  CHECK(cli::roff_escape(".x\\y-z\n'q") == "\\&.x\\ey\\-z\n\\&'q");
}

TEST_CASE("completion scripts: kubectl's file names for both invocation forms")
{
  CHECK(cli::plugin_file_name("kubectl ko ipsec") == "kubectl-ko-ipsec");
  CHECK(cli::plugin_file_name("kubectl ko-ipsec") == "kubectl-ko_ipsec");
  CHECK(cli::completer_file_name("kubectl ko ipsec") == "kubectl_complete-ko-ipsec");
  CHECK(cli::completer_file_name("kubectl ko-ipsec") == "kubectl_complete-ko_ipsec");
  CHECK(cli::completion_script("kubectl", "kubectl ko-ipsec").find("\nexec kubectl-ko_ipsec __complete \"$@\"\n") !=
        std::string::npos);
  // The shell scripts do not depend on the invocation, so one checked-in copy serves both.
  for (const char* shell : {"bash", "zsh", "fish"}) {
    CHECK(cli::completion_script(shell, "kubectl ko ipsec") == cli::completion_script(shell, "kubectl ko-ipsec"));
  }
  CHECK(cli::completion_script("zsh", "x").rfind("#compdef kubectl-ko-ipsec kubectl-ko_ipsec\n", 0) == 0);
  CHECK_THROWS_WITH(cli::completion_script("tcsh", "x"),
                    "unknown shell \"tcsh\" for completion: use bash, zsh, fish or kubectl");
  const std::string help = help_of("kubectl ko-ipsec", {"completion", "--help"});
  CHECK(help.find("kubectl ko-ipsec completion kubectl > ~/.local/bin/kubectl_complete-ko_ipsec") != std::string::npos);
}
