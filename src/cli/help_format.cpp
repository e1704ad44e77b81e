#include "cli/help_format.hpp"

#include "cli/help.hpp"

#include <sstream>

namespace cli {

namespace {

class KubectlFormatter : public CLI::Formatter {
public:
  KubectlFormatter()
  {
    column_width(32);
    label("Positionals", "Arguments");
    label("OPTIONS", "flags");
    label("SUBCOMMAND", "command");
    label("SUBCOMMANDS", "command");
  }

  // cobra's order: description, Usage, Available Commands, Arguments, each flag group, the
  // footer (examples); one blank line between sections. --help-all appends every command's help.
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override
  {
    std::string out;
    if (!app->get_description().empty()) {
      out += app->get_description() + "\n\n";
    }
    const auto subcommands = app->get_subcommands([](const CLI::App* sub) { return is_shown(sub); });
    const auto positionals = app->get_options(
        [](const CLI::Option* option) { return option->get_positional() && !option->get_group().empty(); });
    out += "Usage:\n  " + name + " [flags]";
    for (const CLI::Option* positional : positionals) {
      out += " [" + positional->get_name(true, false) + "]";
    }
    out += subcommands.empty() ? "\n" : "\n  " + name + " [command]\n";
    if (!subcommands.empty()) {
      out += "\nAvailable Commands:\n";
      for (const CLI::App* sub : subcommands) {
        std::stringstream line;
        CLI::detail::format_help(line, sub->get_name(), sub->get_description(), column_width_);
        out += line.str();
      }
    }
    if (!positionals.empty()) {
      out += "\nArguments:\n";
      for (const CLI::Option* positional : positionals) {
        out += make_option(positional, true);
      }
    }
    for (const std::string& group : app->get_groups()) {
      const auto options = app->get_options(
          [&group](const CLI::Option* option) { return option->get_group() == group && option->nonpositional(); });
      if (group.empty() || options.empty()) {
        continue;
      }
      out += "\n" + group + ":\n";
      for (const CLI::Option* option : options) {
        out += make_option(option, false);
      }
    }
    if (!app->get_footer().empty()) {
      out += "\n" + app->get_footer();
    }
    if (mode == CLI::AppFormatMode::All) {
      for (const CLI::App* sub : subcommands) {
        out += "\n\n" + make_help(sub, name + " " + sub->get_name(), mode);
      }
    }
    return out;
  }

  std::string make_option_name(const CLI::Option* option, bool positional) const override
  {
    if (positional) {
      return option->get_name(true, false);
    }
    // "-o, --output"; a flag with no short name lines up under the long ones (format_help indents).
    std::string shorts;
    for (const auto& name : option->get_snames()) {
      shorts += "-" + name + ", ";
    }
    std::string longs;
    for (const auto& name : option->get_lnames()) {
      longs += (longs.empty() ? "--" : ", --") + name;
    }
    return (shorts.empty() ? "    " : shorts) + longs;
  }

  std::string make_option_opts(const CLI::Option* option) const override
  {
    const std::string word = flag_type_word(*option);
    return word.empty() ? "" : " " + word;
  }

  std::string make_option_desc(const CLI::Option* option) const override
  {
    std::string text = option->get_description();
    const std::string& fallback = option->get_default_str();
    // A flag's default_str is the value it takes when given bare, not a default.
    if (!fallback.empty() && option->get_expected_min() > 0 && text.find("(default") == std::string::npos) {
      text += flag_type_word(*option) == "string" ? " (default \"" + fallback + "\")" : " (default " + fallback + ")";
    }
    return text;
  }
};

} // namespace

std::string
flag_type_word(const CLI::Option& option)
{
  if (option.get_expected_min() == 0 || option.get_type_size() == 0) {
    return "";
  }
  const std::string type = option.get_type_name();
  const std::string base = type.substr(0, type.find_first_of(": "));
  std::string word = "string";
  if (base == "INT" || base == "UINT") {
    word = "int";
  } else if (base == "FLOAT") {
    word = "float";
  } else if (base == "BOOLEAN") {
    word = "bool";
  }
  return option.get_expected_max() > 1 ? word + "s" : word;
}

std::shared_ptr<CLI::Formatter>
kubectl_formatter()
{
  return std::make_shared<KubectlFormatter>();
}

void
apply_kubectl_help(CLI::App& root)
{
  std::vector<CLI::App*> commands{&root};
  for (size_t i = 0; i < commands.size(); ++i) {
    CLI::App* command = commands[i];
    if (command->get_help_ptr() != nullptr) {
      command->set_help_flag("-h,--help",
                             "help for " + (command == &root ? std::string("this plugin") : command->get_name()));
    }
    if (command != &root) {
      command->set_help_all_flag(); // the root's --help-all covers every command
    }
    for (CLI::App* sub : command->get_subcommands({})) {
      if (is_shown(sub)) {
        sub->group("Available Commands");
      }
      commands.push_back(sub);
    }
  }
}

} // namespace cli
