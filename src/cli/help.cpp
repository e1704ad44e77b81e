#include "cli/help.hpp"

namespace cli {

namespace {

constexpr const char* k_examples_heading = "Examples:";
constexpr const char* k_indent = "  ";

std::string
expand(std::string command, const std::string& invoked_as)
{
  const std::string placeholder = "{cmd}";
  for (size_t at = command.find(placeholder); at != std::string::npos; at = command.find(placeholder, at)) {
    command.replace(at, placeholder.size(), invoked_as);
    at += invoked_as.size();
  }
  return command;
}

} // namespace

void
set_examples(CLI::App* sub, const std::string& invoked_as, const std::vector<Example>& examples,
             const std::string& note)
{
  std::string text = note.empty() ? "" : note + "\n\n";
  text += std::string(k_examples_heading) + "\n";
  for (size_t i = 0; i < examples.size(); ++i) {
    text += (i == 0 ? "" : "\n") + std::string(k_indent) + "# " + examples[i].comment + "\n";
    text += k_indent + expand(examples[i].command, invoked_as) + "\n";
  }
  // As kubectl's "Use "kubectl options" for a list of global command-line options"; the root's
  // own help lists them.
  if (sub->get_parent() != nullptr) {
    text += "\nUse \"" + invoked_as + " --help\" for the global flags (--kubeconfig, --context, -n, ...).\n";
  }
  sub->footer(text);
}

std::vector<Example>
examples_of(const CLI::App& sub)
{
  const std::string footer = "\n" + sub.get_footer();
  std::vector<Example> out;
  const size_t heading = footer.find("\n" + std::string(k_examples_heading) + "\n");
  if (heading == std::string::npos) {
    return out;
  }
  const std::string comment_start = std::string(k_indent) + "# ";
  size_t start = footer.find('\n', heading + 1);
  while (start != std::string::npos && start < footer.size()) {
    ++start;
    const size_t end = footer.find('\n', start);
    const std::string line = footer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.rfind(comment_start, 0) == 0) {
      out.push_back({line.substr(comment_start.size()), ""});
    } else if (line.rfind(k_indent, 0) == 0 && !out.empty() && out.back().command.empty()) {
      out.back().command = line.substr(2);
    } else if (!line.empty()) {
      break; // the examples end where unindented text starts
    }
    start = end;
  }
  return out;
}

bool
is_shown(const CLI::App* app)
{
  return !app->get_group().empty();
}

} // namespace cli
