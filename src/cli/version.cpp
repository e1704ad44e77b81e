// `version`: the plugin's version, git commit and the versions of the libraries built in.
#include "build_info.hpp"
#include "cli/app.hpp"
#include "cli/help.hpp"
#include "cli/session.hpp"
#include "kube/cluster.hpp"
#include "ops/versions.hpp"
#include "output/yaml.hpp"
#include "util/deadline.hpp"
#include "util/error.hpp"

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

// The cluster side is a courtesy: a few seconds at most, and a cluster that cannot be reached
// leaves the client side printed and the exit code 0.
constexpr std::chrono::seconds k_cluster_budget{5};

struct VersionOptions {
  std::string format = "text";
  bool client = false;
};

nlohmann::ordered_json
part_json(const ops::VersionPart& part)
{
  nlohmann::ordered_json out;
  out["version"] = part.version.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(part.version);
  out[part.version.empty() ? "error" : "source"] = part.source;
  return out;
}

// The cluster's versions, or why they could not be read, as the document's "cluster" member.
nlohmann::ordered_json
cluster_document(const AppContext& ctx)
{
  nlohmann::ordered_json doc;
  try {
    auto cluster = ctx.cluster(util::Deadline::after(k_cluster_budget));
    const auto session = make_session(ctx, *cluster);
    const auto versions = ops::read_cluster_versions(session, k_cluster_budget);
    doc["kubeOvn"] = part_json(versions.kube_ovn);
    doc["ovn"] = part_json(versions.ovn);
    doc["openvswitch"] = part_json(versions.openvswitch);
  } catch (const util::Error& e) {
    doc["error"] = e.what();
  }
  return doc;
}

std::string
part_line(const char* name, const nlohmann::ordered_json& part)
{
  if (part["version"].is_null()) {
    return fmt::format("{}: unknown ({})\n", name, part["error"].get<std::string>());
  }
  return fmt::format("{}: {} ({})\n", name, part["version"].get<std::string>(), part["source"].get<std::string>());
}

} // namespace

void
register_version(CLI::App& root, AppContext& ctx)
{
  auto opt = std::make_shared<VersionOptions>();
  CLI::App* sub = root.add_subcommand(
      "version", "Print the plugin's version and libraries, and the cluster's Kube-OVN, OVN and Open vSwitch versions");
  sub->add_option("-o,--output", opt->format, "Output format. One of: (json, yaml)")
      ->type_name("TEXT:{json,text,yaml}");
  sub->add_flag("--client", opt->client, "The plugin's own version only: the cluster is not asked");
  set_examples(sub, ctx.invoked_as,
               {{"Which build this is, and what the cluster runs", "{cmd} version"},
                {"This build only, without a cluster", "{cmd} version --client"},
                {"The same as JSON", "{cmd} version -o json"}});
  sub->callback([opt, &ctx] {
    if (opt->format != "text" && opt->format != "json" && opt->format != "yaml") {
      throw util::UsageError(
          fmt::format("unable to match a printer suitable for the output format \"{}\", allowed formats are: json,yaml",
                      opt->format));
    }
    auto doc = version_document();
    if (!opt->client) {
      doc["cluster"] = cluster_document(ctx);
    }
    if (opt->format == "json") {
      ctx.out << doc.dump(2) << "\n";
      return;
    }
    if (opt->format == "yaml") {
      ctx.out << output::to_yaml(nlohmann::json(doc));
      return;
    }
    ctx.out << fmt::format("kubectl-ko-ipsec {}\ngit commit: {}\n", doc["version"].get<std::string>(),
                           doc["gitCommit"].get<std::string>());
    for (const auto& [name, value] : doc["libraries"].items()) {
      ctx.out << fmt::format("{}: {}\n", name, value.get<std::string>());
    }
    if (opt->client) {
      return;
    }
    const auto& cluster = doc["cluster"];
    if (cluster.contains("error")) {
      ctx.out << fmt::format("Cluster: not reached ({}); `version --client` does not try\n",
                             cluster["error"].get<std::string>());
      return;
    }
    ctx.out << part_line("Kube-OVN", cluster["kubeOvn"]) << part_line("OVN", cluster["ovn"])
            << part_line("Open vSwitch", cluster["openvswitch"]);
  });
}

} // namespace cli
