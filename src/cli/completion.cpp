#include "cli/completion.hpp"
#include "cli/help.hpp"

#include <algorithm>

namespace cli {

namespace {

bool
starts_with(const std::string& text, const std::string& prefix)
{
  return text.rfind(prefix, 0) == 0;
}

// Flags are looked up from the current command up to the root, because kubectl's global
// flags live on the root and users put them after the subcommand.
std::vector<CLI::Option*>
flags_in_scope(CLI::App* command)
{
  std::vector<CLI::Option*> out;
  for (CLI::App* app = command; app != nullptr; app = app->get_parent()) {
    for (CLI::Option* opt : app->get_options([](CLI::Option* o) { return o->nonpositional(); })) {
      out.push_back(opt);
    }
  }
  return out;
}

CLI::Option*
find_flag(CLI::App* command, const std::string& name)
{
  for (CLI::Option* opt : flags_in_scope(command)) {
    if (opt->check_name(name)) {
      return opt;
    }
  }
  return nullptr;
}

// Only a flag that requires a value swallows the next word; --insecure-skip-tls-verify's
// value is optional and must be attached with '='.
bool
takes_value(const CLI::Option* opt)
{
  return opt->get_items_expected_min() > 0;
}

bool
repeatable(const CLI::Option* opt)
{
  return opt->get_items_expected_max() > 1 || opt->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
}

// Where the words before the cursor leave us.
struct Cursor {
  CLI::App* command = nullptr;
  std::vector<std::pair<CLI::Option*, std::string>> given;
  std::vector<const CLI::Option*> used;
  size_t positionals = 0;
  CLI::Option* pending = nullptr; // a flag still waiting for its value: the word under the cursor
};

void
take_flag_word(Cursor& at, const std::string& word)
{
  const bool is_long = starts_with(word, "--");
  const size_t eq = word.find('=');
  std::string name = is_long ? word.substr(0, eq) : word.substr(0, 2);
  std::string rest = is_long ? (eq == std::string::npos ? "" : word.substr(eq + 1)) : word.substr(2);
  if (!is_long && starts_with(rest, "=")) {
    rest.erase(0, 1); // kubectl's -v=6 spelling
  }
  CLI::Option* opt = find_flag(at.command, name);
  if (opt == nullptr) {
    return;
  }
  at.used.push_back(opt);
  const bool attached = is_long ? eq != std::string::npos : !rest.empty();
  if (attached || !takes_value(opt)) {
    at.given.emplace_back(opt, rest);
  } else {
    at.pending = opt;
  }
}

Cursor
walk(CLI::App& root, const std::vector<std::string>& done)
{
  Cursor at;
  at.command = &root;
  for (const std::string& word : done) {
    if (at.pending != nullptr) {
      at.given.emplace_back(at.pending, word);
      at.pending = nullptr;
    } else if (word.size() > 1 && word[0] == '-' && word != "--") {
      take_flag_word(at, word);
    } else if (!word.empty() && word != "--") {
      const auto subs = at.command->get_subcommands([&word](CLI::App* s) { return s->check_name(word); });
      if (!subs.empty()) {
        at.command = subs.front();
        at.positionals = 0;
      } else {
        ++at.positionals;
      }
    }
  }
  return at;
}

std::string
first_line(const std::string& text)
{
  return text.substr(0, text.find('\n'));
}

// Adds a candidate that starts with `prefix`, once: CLI11 gives every subcommand its own copy
// of -h/--help, and the innermost description wins.
void
add_if_prefixed(Completion& out, const std::string& value, const std::string& description, const std::string& prefix)
{
  const bool seen = std::any_of(out.candidates.begin(), out.candidates.end(),
                                [&value](const Candidate& c) { return c.value == value; });
  if (!seen && starts_with(value, prefix)) {
    out.candidates.push_back({value, description});
  }
}

Completion
flag_names(const Cursor& at, const std::string& prefix)
{
  Completion out;
  for (const CLI::Option* opt : flags_in_scope(at.command)) {
    const bool already = std::find(at.used.begin(), at.used.end(), opt) != at.used.end();
    if (opt->get_group().empty() || (already && !repeatable(opt))) {
      continue;
    }
    const std::string description = first_line(opt->get_description());
    for (const auto& name : opt->get_lnames()) {
      add_if_prefixed(out, "--" + name, description, prefix);
    }
    // As cobra does: "-" offers short and long names, "--" only long ones.
    if (!prefix.empty() && !starts_with(prefix, "--")) {
      for (const auto& name : opt->get_snames()) {
        add_if_prefixed(out, "-" + name, description, prefix);
      }
    }
  }
  return out;
}

Completion
flag_values(CLI::Option* opt, const std::string& prefix, const Cursor& at, const CompletionSources& sources)
{
  Completion out;
  const auto members = member_values(*opt);
  if (!members.empty()) {
    for (const auto& value : members) {
      add_if_prefixed(out, value, "", prefix);
    }
    return out;
  }
  const ValueSource source = value_source(*opt);
  if (source == ValueSource::files) {
    out.directive = directive::k_default; // let the shell complete file names
    return out;
  }
  if (source != ValueSource::none && sources) {
    for (auto& candidate : sources(source, at.given)) {
      add_if_prefixed(out, candidate.value, candidate.description, prefix);
    }
  }
  return out;
}

// A bare word: a subcommand, else a positional value, else (a command without arguments) its flags.
Completion
words_at(const Cursor& at, const std::string& prefix)
{
  Completion out;
  const auto subs = at.command->get_subcommands([](CLI::App* s) { return is_shown(s); });
  for (const CLI::App* sub : subs) {
    add_if_prefixed(out, sub->get_name(), first_line(sub->get_description()), prefix);
  }
  if (!subs.empty()) {
    return out;
  }
  const auto positionals = at.command->get_options([](CLI::Option* o) { return o->get_positional(); });
  if (at.positionals < positionals.size()) {
    for (const auto& value : member_values(*positionals[at.positionals])) {
      add_if_prefixed(out, value, "", prefix);
    }
    return out;
  }
  return positionals.empty() ? flag_names(at, prefix) : out;
}

} // namespace

ValueSource
value_source(const CLI::Option& option)
{
  static const std::vector<std::pair<std::string, ValueSource>> k_sources{
      {"node", ValueSource::nodes},
      {"context", ValueSource::contexts},
      {"cluster", ValueSource::clusters},
      {"user", ValueSource::users},
      {"kubeconfig", ValueSource::files},
      {"certificate-authority", ValueSource::files},
      {"client-certificate", ValueSource::files},
      {"client-key", ValueSource::files},
  };
  for (const auto& [name, source] : k_sources) {
    if (option.check_lname(name)) {
      return source;
    }
  }
  return ValueSource::none;
}

std::vector<std::string>
member_values(const CLI::Option& option)
{
  // CLI11 keeps no accessor for an IsMember set; its help type name carries it: "TEXT:{a,b}".
  const std::string type = option.get_type_name();
  const size_t open = type.find(":{");
  const size_t close = type.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return {};
  }
  std::vector<std::string> values;
  const std::string inside = type.substr(open + 2, close - open - 2);
  size_t start = 0;
  while (start <= inside.size()) {
    const size_t comma = std::min(inside.find(',', start), inside.size());
    std::string item = inside.substr(start, comma - start);
    item = item.substr(0, item.find("->")); // a mapping shows "key->value"
    if (!item.empty()) {
      values.push_back(item);
    }
    start = comma + 1;
  }
  return values;
}

Completion
complete_words(CLI::App& root, const std::vector<std::string>& words, const CompletionSources& sources)
{
  const std::string current = words.empty() ? "" : words.back();
  const std::vector<std::string> done(words.begin(), words.end() - (words.empty() ? 0 : 1));
  const Cursor at = walk(root, done);
  Completion out;
  if (at.pending != nullptr) {
    out = flag_values(at.pending, current, at, sources);
  } else if (starts_with(current, "--") && current.find('=') != std::string::npos) {
    // "--context=ki": values come back bare, the shell scripts keep the "--context=" part.
    const size_t eq = current.find('=');
    CLI::Option* opt = find_flag(at.command, current.substr(0, eq));
    if (opt != nullptr) {
      out = flag_values(opt, current.substr(eq + 1), at, sources);
    }
  } else if (starts_with(current, "-")) {
    out = flag_names(at, current);
  } else {
    out = words_at(at, current);
  }
  std::sort(out.candidates.begin(), out.candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
  return out;
}

std::string
format_completion(const Completion& completion, bool descriptions)
{
  std::string text;
  for (const auto& candidate : completion.candidates) {
    text += candidate.value;
    if (descriptions && !candidate.description.empty()) {
      std::string flat = candidate.description;
      std::replace_if(
          flat.begin(), flat.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
      text += "\t" + flat;
    }
    text += "\n";
  }
  text += ":" + std::to_string(completion.directive) + "\n";
  return text;
}

} // namespace cli
