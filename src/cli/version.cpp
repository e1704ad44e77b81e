// `version`: the plugin's version, git commit and the versions of the libraries built in.
#include "build_info.hpp"
#include "cli/app.hpp"
#include "cli/help.hpp"
#include "output/yaml.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <memory>
#include <ostream>

namespace cli {

namespace {

// Ordered as printed; yaml-cpp has no version macro, so CMake passes the one it found.
nlohmann::ordered_json
version_document()
{
  nlohmann::ordered_json libraries;
  libraries["openssl"] = OpenSSL_version(OPENSSL_VERSION);
  libraries["cpp-httplib"] = CPPHTTPLIB_VERSION;
  libraries["fmt"] = fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
  libraries["nlohmann-json"] =
      fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH);
  libraries["yaml-cpp"] = KOI_YAML_CPP_VERSION;
  libraries["CLI11"] = CLI11_VERSION;
  nlohmann::ordered_json doc;
  doc["version"] = KOI_VERSION;
  doc["gitCommit"] = KOI_GIT_COMMIT;
  doc["libraries"] = libraries;
  return doc;
}

} // namespace

void
register_version(CLI::App& root, AppContext& ctx)
{
  auto format = std::make_shared<std::string>("text");
  CLI::App* sub = root.add_subcommand("version", "Print the version, git commit and library versions");
  sub->add_option("-o,--output", *format, "Output format: text|json|yaml")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  set_examples(sub, ctx.invoked_as,
               {{"Which build this is", "{cmd} version"}, {"The same as JSON", "{cmd} version -o json"}});
  sub->callback([format, &ctx] {
    const auto doc = version_document();
    if (*format == "json") {
      ctx.out << doc.dump(2) << "\n";
      return;
    }
    if (*format == "yaml") {
      ctx.out << output::to_yaml(nlohmann::json(doc));
      return;
    }
    ctx.out << fmt::format("kubectl-ko-ipsec {}\ngit commit: {}\n", doc["version"].get<std::string>(),
                           doc["gitCommit"].get<std::string>());
    for (const auto& [name, value] : doc["libraries"].items()) {
      ctx.out << fmt::format("{}: {}\n", name, value.get<std::string>());
    }
  });
}

} // namespace cli
