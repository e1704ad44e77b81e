// krew: the manifest checked by krew's own rules (validation/validate.go and
// validate-krew-manifest), the release archive from plugin/build-release.sh installed the way
// krew installs it, the caveats' commands, and both invocation forms beside Kube-OVN's kubectl-ko.
#include "integration/test_plugin_env.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>

namespace fs = std::filesystem;
using plugintest::contains;
using testsupport::run;

namespace {

const std::string k_manifest = std::string(KOI_SOURCE_DIR) + "/krew-manifest.yaml";

std::string
text_of(const YAML::Node& node, const std::string& key)
{
  return node && node[key] && node[key].IsScalar() ? node[key].as<std::string>() : "";
}

// The OS/arch pairs a selector matches, among those validate-krew-manifest knows.
std::vector<std::string>
matched_pairs(const YAML::Node& selector)
{
  static const std::vector<std::pair<std::string, std::string>> k_pairs{
      {"windows", "386"}, {"windows", "amd64"}, {"windows", "arm64"}, {"linux", "386"},
      {"linux", "amd64"}, {"linux", "arm"},     {"linux", "arm64"},   {"linux", "ppc64le"},
      {"darwin", "386"},  {"darwin", "amd64"},  {"darwin", "arm64"}};
  std::vector<std::string> out;
  for (const auto& [os, arch] : k_pairs) {
    bool match = true;
    for (const auto& label : selector["matchLabels"]) {
      const std::string key = label.first.as<std::string>();
      match = match && label.second.as<std::string>() == (key == "os" ? os : arch);
    }
    for (const auto& expr : selector["matchExpressions"]) {
      const std::string value = text_of(expr, "key") == "os" ? os : arch;
      bool in = false;
      for (const auto& v : expr["values"]) {
        in = in || v.as<std::string>() == value;
      }
      match = match && (text_of(expr, "operator") == "In" ? in : !in);
    }
    if (match) {
      out.push_back(os + "/" + arch);
    }
  }
  return out;
}

void
validate_platform(const YAML::Node& p, size_t i, std::vector<std::string>& problems, std::set<std::string>& pairs)
{
  const std::string where = "platform " + std::to_string(i) + ": ";
  if (text_of(p, "uri").empty()) {
    problems.push_back(where + "uri is empty");
  }
  if (!std::regex_match(text_of(p, "sha256"), std::regex("^[a-f0-9]{64}$"))) {
    problems.push_back(where + "sha256 is not 64 lowercase hex digits");
  }
  if (text_of(p, "bin").empty()) {
    problems.push_back(where + "bin is empty");
  }
  if (p["files"] && (!p["files"].IsSequence() || p["files"].size() == 0)) {
    problems.push_back(where + "files is an empty list");
  }
  for (const auto& f : p["files"]) {
    if (text_of(f, "from").empty() || text_of(f, "to").empty()) {
      problems.push_back(where + "a files entry lacks from or to");
    }
  }
  const YAML::Node selector = p["selector"];
  if (!selector || selector.size() == 0) {
    problems.push_back(where + "selector is empty");
    return;
  }
  for (const char* part : {"matchLabels", "matchExpressions"}) {
    if (selector[part] && selector[part].size() == 0) {
      problems.push_back(where + part + " is empty");
    }
  }
  for (const auto& label : selector["matchLabels"]) {
    const std::string key = label.first.as<std::string>();
    if (key != "os" && key != "arch") {
      problems.push_back(where + "selector key " + key + " is not os or arch");
    }
  }
  for (const auto& expr : selector["matchExpressions"]) {
    if (text_of(expr, "key") != "os" && text_of(expr, "key") != "arch") {
      problems.push_back(where + "selector key " + text_of(expr, "key") + " is not os or arch");
    }
  }
  const auto matched = matched_pairs(selector);
  if (matched.empty()) {
    problems.push_back(where + "selector matches no supported os/arch");
  }
  for (const auto& pair : matched) {
    if (!pairs.insert(pair).second) {
      problems.push_back(where + pair + " is matched by two platforms");
    }
  }
}

// krew's rules; `file_stem` (the file name without .yaml) is checked against metadata.name
// when given, as krew-index does for plugins/<name>.yaml.
std::vector<std::string>
validate_manifest(const YAML::Node& m, const std::string& file_stem = "")
{
  std::vector<std::string> problems;
  if (text_of(m, "apiVersion") != "krew.googlecontainertools.github.com/v1alpha2") {
    problems.push_back("apiVersion is not krew.googlecontainertools.github.com/v1alpha2");
  }
  if (text_of(m, "kind") != "Plugin") {
    problems.push_back("kind is not Plugin");
  }
  const std::string name = text_of(m["metadata"], "name");
  static const std::regex k_reserved("^(con|prn|aux|nul|com[1-9]|lpt[1-9])$", std::regex::icase);
  if (!std::regex_match(name, std::regex("^[\\w-]+$")) || std::regex_match(name, k_reserved)) {
    problems.push_back("name \"" + name + "\" is not a valid plugin name");
  }
  if (!file_stem.empty() && name != file_stem) {
    problems.push_back("name \"" + name + "\" differs from the file name \"" + file_stem + "\"");
  }
  const YAML::Node spec = m["spec"];
  const std::string short_description = text_of(spec, "shortDescription");
  if (short_description.empty() || short_description.find_first_of("\r\n") != std::string::npos) {
    problems.push_back("shortDescription is empty or has a line break");
  }
  if (!std::regex_match(
          text_of(spec, "version"),
          std::regex(R"(^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$)"))) {
    problems.push_back("version \"" + text_of(spec, "version") + "\" is not v-prefixed semver");
  }
  if (!spec || !spec["platforms"] || spec["platforms"].size() == 0) {
    problems.push_back("no platforms");
    return problems;
  }
  std::set<std::string> pairs;
  for (size_t i = 0; i < spec["platforms"].size(); ++i) {
    validate_platform(spec["platforms"][i], i, problems, pairs);
  }
  return problems;
}

std::string
joined(const std::vector<std::string>& problems)
{
  std::string text;
  for (const auto& p : problems) {
    text += p + "; ";
  }
  return text;
}

bool
is_license_name(const std::string& file)
{
  static const std::set<std::string> k_names{"license",      "license.txt", "license.md", "licenses",
                                             "licenses.txt", "licenses.md", "copying",    "copying.txt"};
  std::string lower = file;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return k_names.count(lower) == 1;
}

// krew's install: extract, then copy each `files` rule's matches (a trailing "*" globs a
// directory) into the store dir, then link bin/kubectl-<name with '-' -> '_'> to `bin`.
std::string
krew_install(const YAML::Node& manifest, const std::string& archive, const std::string& krew_root)
{
  const std::string name = manifest["metadata"]["name"].as<std::string>();
  const YAML::Node platform = manifest["spec"]["platforms"][0];
  const std::string store = krew_root + "/store/" + name + "/" + manifest["spec"]["version"].as<std::string>();
  const std::string extracted = krew_root + "/download";
  fs::create_directories(extracted);
  fs::create_directories(store);
  const auto untar = run({"tar", "-xzf", archive, "-C", extracted});
  REQUIRE_MESSAGE(untar.exit_code == 0, untar.err);
  for (const auto& rule : platform["files"]) {
    const std::string from = rule["from"].as<std::string>();
    const fs::path to = fs::path(store) / rule["to"].as<std::string>();
    fs::create_directories(to);
    if (from.size() > 1 && from.substr(from.size() - 2) == "/*") {
      for (const auto& entry : fs::directory_iterator(extracted + "/" + from.substr(0, from.size() - 2))) {
        fs::copy(entry.path(), to / entry.path().filename(), fs::copy_options::recursive);
      }
    } else {
      REQUIRE_MESSAGE(fs::exists(extracted + "/" + from), from << " is not in the archive");
      fs::copy(extracted + "/" + from, to / fs::path(from).filename());
    }
  }
  std::string link = name;
  std::replace(link.begin(), link.end(), '-', '_');
  link = "kubectl-" + link;
  fs::create_directories(krew_root + "/bin");
  fs::create_symlink(store + "/" + platform["bin"].as<std::string>(), krew_root + "/bin/" + link);
  return store;
}

// The command lines of the caveats: its indented lines.
std::string
caveat_commands(const YAML::Node& manifest)
{
  std::string script;
  for (const auto& line : plugintest::lines(manifest["spec"]["caveats"].as<std::string>())) {
    if (line.rfind("  ", 0) == 0) {
      script += line.substr(2) + "\n";
    }
  }
  return script;
}

} // namespace

TEST_SUITE("integration")
{
  TEST_CASE("krew: krew-manifest.yaml passes krew's validation; the validator catches what krew rejects")
  {
    const YAML::Node manifest = YAML::LoadFile(k_manifest);
    const auto problems = validate_manifest(manifest);
    CHECK_MESSAGE(problems.empty(), joined(problems));
    CHECK(text_of(manifest["metadata"], "name") == "ko-ipsec");
    CHECK(text_of(manifest["spec"]["platforms"][0], "bin") == "kubectl-ko-ipsec");
    const std::string caveats = text_of(manifest["spec"], "caveats");
    CHECK(contains(caveats, "kubectl ko ipsec"));
    CHECK(contains(caveats, "/bin/kubectl-ko-ipsec"));
    CHECK(contains(caveats, "completion kubectl > "));
    bool license = false;
    for (const auto& f : manifest["spec"]["platforms"][0]["files"]) {
      license = license || is_license_name(f["from"].as<std::string>());
    }
    CHECK(license);

    auto broken = [&](const std::function<void(YAML::Node&)>& change) {
      YAML::Node copy = YAML::Clone(manifest);
      change(copy);
      return validate_manifest(copy, "ko-ipsec");
    };
    CHECK(broken([](YAML::Node&) {}).empty());
    CHECK(broken([](YAML::Node& m) { m["spec"]["version"] = "0.1.0"; }).size() == 1);
    CHECK(broken([](YAML::Node& m) { m["spec"]["platforms"][0]["sha256"] = std::string(64, 'A'); }).size() == 1);
    // An unknown key is refused, and (krew matches only os and arch labels) matches nothing.
    CHECK(broken([](YAML::Node& m) {
            m["spec"]["platforms"][0]["selector"]["matchLabels"]["distro"] = "debian";
          }).size() == 2);
    CHECK(broken([](YAML::Node& m) {
            m["spec"]["platforms"].push_back(YAML::Clone(m["spec"]["platforms"][0]));
          }).size() == 1);
    CHECK(broken([](YAML::Node& m) {
            m["spec"]["platforms"][0]["files"] = YAML::Node(YAML::NodeType::Sequence);
          }).size() == 1);
    CHECK(broken([](YAML::Node& m) { m["spec"]["shortDescription"] = "two\nlines"; }).size() == 1);
    CHECK(broken([](YAML::Node& m) { m["metadata"]["name"] = "ko_ipsec!"; }).size() == 2);
    CHECK(broken([](YAML::Node& m) { m["kind"] = "Thing"; }).size() == 1);
    CHECK_FALSE(is_license_name("README.md"));
    CHECK(is_license_name("COPYING"));
  }

  TEST_CASE("krew: the release archive installs as krew would; kubectl ko-ipsec, then the caveats' nested form")
  {
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    KOI_SKIP_WITHOUT_PROGRAM("tar");
    testsupport::TempDir dist;
    auto r = run({"bash", std::string(KOI_SOURCE_DIR) + "/plugin/build-release.sh", "--binary", KOI_PLUGIN_BINARY,
                  "--out", dist.path()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(contains(r.err, "linux/arm64")); // says why arm64 is not built
    const auto outputs = plugintest::lines(r.out);
    REQUIRE(outputs.size() == 2);
    const std::string archive = outputs[0];
    const YAML::Node manifest = YAML::LoadFile(outputs[1]);
    const auto problems = validate_manifest(manifest, fs::path(outputs[1]).stem().string());
    CHECK_MESSAGE(problems.empty(), joined(problems));
    const auto version = run({KOI_PLUGIN_BINARY, "version"});
    CHECK(contains(version.out, "kubectl-ko-ipsec " + manifest["spec"]["version"].as<std::string>().substr(1) + "\n"));
    CHECK(contains(manifest["spec"]["platforms"][0]["uri"].as<std::string>(), fs::path(archive).filename().string()));
    const auto sum = run({"sha256sum", archive});
    CHECK(sum.out.substr(0, 64) == manifest["spec"]["platforms"][0]["sha256"].as<std::string>());

    testsupport::TempDir krew;
    const std::string store = krew_install(manifest, archive, krew.path());
    CHECK(fs::exists(store + "/LICENSE"));
    CHECK(fs::exists(store + "/kubectl-ko-ipsec.1"));
    CHECK(fs::exists(store + "/completions/kubectl_complete-ko_ipsec"));
    const char* inherited = std::getenv("PATH");
    const std::vector<std::string> env{"PATH=" + krew.path() + "/bin:" + (inherited ? inherited : "/usr/bin:/bin"),
                                       "KREW_ROOT=" + krew.path(), "KUBECONFIG=/nonexistent", "HOME=" + krew.path()};
    r = run({"kubectl", "ko-ipsec", "version"}, env);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.rfind("kubectl-ko-ipsec ", 0) == 0);
    r = run({"kubectl", "ko-ipsec", "nodes", "--help"}, env);
    CHECK(contains(r.out, "Usage:\n  kubectl ko-ipsec nodes [flags]\n"));
    CHECK(contains(r.out, "  kubectl ko-ipsec nodes --node node1 --node node2 -o json\n"));
    r = run({"kubectl", "ko", "ipsec", "version"}, env);
    CHECK(r.exit_code != 0); // krew alone gives only the dashed form

    r = plugintest::run_shell("bash", "set -e\n" + caveat_commands(manifest), env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    r = run({"kubectl", "ko", "ipsec", "tunnels", "--bogus"}, env);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "See 'kubectl ko ipsec tunnels --help' for usage."));
    for (const std::vector<std::string>& words :
         {std::vector<std::string>{"ko", "ipsec"}, std::vector<std::string>{"ko-ipsec"}}) {
      std::vector<std::string> argv{"kubectl", "__complete"};
      argv.insert(argv.end(), words.begin(), words.end());
      argv.push_back("tu");
      r = run(argv, env);
      CHECK(contains(r.out, "tunnels\tShow every node's IPsec tunnels"));
    }
  }

  TEST_CASE("plugin dispatch: both forms beside Kube-OVN's kubectl-ko; help and errors in the form used")
  {
    KOI_SKIP_WITHOUT_PROGRAM("kubectl");
    plugintest::PluginBin bin;
    testsupport::TempDir kube_ovn;
    kube_ovn.write("kubectl-ko", "#!/bin/sh\necho \"kube-ovn kubectl-ko: $*\"\n", 0755);
    const std::vector<std::string> env{bin.path_env({kube_ovn.path()}), "KUBECONFIG=/nonexistent"};

    auto r = run({"kubectl", "ko", "ipsec", "version"}, env);
    CHECK(r.out.rfind("kubectl-ko-ipsec ", 0) == 0);
    r = run({"kubectl", "ko-ipsec", "version"}, env);
    CHECK(r.out.rfind("kubectl-ko-ipsec ", 0) == 0);
    CHECK(run({"kubectl", "ko", "nbctl", "show"}, env).out == "kube-ovn kubectl-ko: nbctl show\n");
    CHECK(run({"kubectl", "ko", "ipsec-status"}, env).out == "kube-ovn kubectl-ko: ipsec-status\n");
    CHECK(run({"kubectl", "ko", "log", "ipsec"}, env).out == "kube-ovn kubectl-ko: log ipsec\n");

    r = run({"kubectl", "ko-ipsec", "tunnels", "-o", "xml"}, env);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "See 'kubectl ko-ipsec tunnels --help' for usage."));
    r = run({"kubectl", "ko", "ipsec"}, env); // bare: the root help, in the nested form
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage:\n  kubectl ko ipsec [flags]\n  kubectl ko ipsec [command]\n"));
    CHECK(contains(r.out, "  kubectl ko ipsec on --wait\n"));
    r = run({"kubectl", "ko-ipsec", "completion", "--help"}, env);
    CHECK(contains(r.out, "kubectl ko-ipsec completion kubectl > ~/.local/bin/kubectl_complete-ko_ipsec"));
  }
}
