#include "cli/man.hpp"

#include "cli/help.hpp"
#include "cli/help_format.hpp"

#include <algorithm>
#include <cctype>

namespace cli {

namespace {

std::string
bold(const std::string& text)
{
  return "\\fB" + roff_escape(text) + "\\fR";
}

// "-o, --output VALUE" with the names in bold, as man pages show flags.
std::string
flag_label(const CLI::Option& opt)
{
  std::string label;
  for (const auto& name : opt.get_snames()) {
    label += (label.empty() ? "" : ", ") + bold("-" + name);
  }
  for (const auto& name : opt.get_lnames()) {
    label += (label.empty() ? "" : ", ") + bold("--" + name);
  }
  if (opt.get_items_expected_min() > 0) {
    label += " \\fI" + roff_escape(flag_type_word(opt)) + "\\fR";
  } else if (opt.get_items_expected_max() > 0) {
    label += "[=\\fIBOOL\\fR]";
  }
  return label;
}

std::string
flag_list(const CLI::App& app)
{
  std::string text;
  for (const CLI::Option* opt : app.get_options()) {
    const bool help = opt == app.get_help_ptr() || opt == app.get_help_all_ptr();
    if (opt->get_group().empty() || (help && app.get_parent() != nullptr)) {
      continue; // every command has -h/--help-all; the global flags section lists them once
    }
    const std::string label =
        opt->get_positional() ? "\\fI" + roff_escape(opt->get_name(true)) + "\\fR" : flag_label(*opt);
    text += ".TP\n" + label + "\n" + roff_escape(opt->get_description()) + "\n";
  }
  return text;
}

std::string
examples(const CLI::App& app)
{
  const auto list = examples_of(app);
  if (list.empty()) {
    return "";
  }
  std::string text = ".PP\nExamples:\n.PP\n.RS 4\n.nf\n";
  for (size_t i = 0; i < list.size(); ++i) {
    text += (i == 0 ? "" : "\n") + roff_escape("# " + list[i].comment) + "\n" + roff_escape(list[i].command) + "\n";
  }
  return text + ".fi\n.RE\n";
}

// One subsection per command, depth first, in the order they were registered.
std::string
commands(const CLI::App& app, const std::string& path)
{
  std::string text;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return is_shown(s); })) {
    const std::string sub_path = path + " " + sub->get_name();
    const bool has_children = !sub->get_subcommands([](const CLI::App* s) { return is_shown(s); }).empty();
    text += ".SS \"" + roff_escape(sub_path + (has_children ? " COMMAND" : "") + " [flags]") + "\"\n";
    text += roff_escape(sub->get_description()) + "\n";
    text += flag_list(*sub);
    text += examples(*sub);
    text += commands(*sub, sub_path);
  }
  return text;
}

std::string
upper(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

} // namespace

std::string
roff_escape(const std::string& text)
{
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) {
      out += "\\&";
    }
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string
render_man_page(const CLI::App& root, const std::string& version)
{
  const std::string name = root.get_name(); // "kubectl ko ipsec"
  std::string file = name;
  std::replace(file.begin(), file.end(), ' ', '-');
  std::string text;
  text += ".TH \"" + upper(roff_escape(file)) + "\" \"1\" \"\" \"" + roff_escape(file + " " + version) +
          "\" \"kubectl plugins\"\n";
  text += ".SH NAME\n" + roff_escape(file) + " \\- " + roff_escape(root.get_description()) + "\n";
  text += ".SH SYNOPSIS\n" + bold(name) + " \\fICOMMAND\\fR [\\fIflags\\fR]\n.br\n" + bold("kubectl ko-ipsec") +
          " \\fICOMMAND\\fR [\\fIflags\\fR]\n";
  text += ".SH DESCRIPTION\n" + roff_escape(root.get_description()) + ".\n.PP\n" +
          roff_escape("kubectl runs this plugin as \"kubectl ko ipsec\" when it is installed as kubectl-ko-ipsec, "
                      "and as \"kubectl ko-ipsec\" when it is installed as kubectl-ko_ipsec (krew's name). "
                      "Kube-OVN's own \"kubectl ko\" keeps every other \"kubectl ko\" word. Flags go after the "
                      "plugin name: kubectl refuses flags placed before it.") +
          "\n";
  text += ".SH COMMANDS\n" + commands(root, name);
  text += ".SH GLOBAL FLAGS\nThese flags are accepted after any command, as in kubectl.\n" + flag_list(root);
  text += ".SH EXIT STATUS\n.TP\n0\nSuccess.\n.TP\n1\nAn error, or a command that ran but found a problem "
          "(a node failed).\n.TP\n2\nA usage error.\n";
  text += ".SH ENVIRONMENT\n.TP\nKUBECONFIG\nThe kubeconfig files to read, as for kubectl.\n.TP\nKUBE_OVN_NS\n"
          "Kube\\-OVN's namespace when \\fB\\-n\\fR is not given (default kube\\-system).\n";
  text += ".SH SEE ALSO\n\\fBkubectl\\fR(1), \\fBkubectl\\-ko\\fR(1)\n";
  return text;
}

} // namespace cli
