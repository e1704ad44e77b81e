// JSON -> kubeconfig v1 types with encoding/json's rules: unknown keys ignored, keys matched
// case-sensitively, null leaves a field alone, a wrong JSON type is an error naming the Go
// struct field path, []byte fields are base64. Go reports the first error in document order
// (keys sorted, as sigs.k8s.io/yaml marshals them); nlohmann::json iterates keys sorted too.

#include "kube/kubeconfig_parse.hpp"

#include "kube/errors.hpp"
#include "kube/kubeconfig_detail.hpp"
#include "util/error.hpp"

#include <set>

namespace kube {
namespace {

using detail::check_duplicates;
using detail::DecodeError;
using detail::Decoder;
using detail::json_kind;
using detail::NamedExtension;
using nlohmann::json;

// Decodes a named list ("clusters", "users", "contexts") into (name, value) pairs.
template<typename T, typename DecodeValue>
std::vector<std::pair<std::string, T>>
decode_named(Decoder& d, const json& v, std::string_view named_type, const std::string& value_key,
             DecodeValue&& decode_value)
{
  std::vector<std::pair<std::string, T>> out;
  const std::string type(named_type);
  d.list(v, "Config", "[]v1." + type, "v1." + type, [&](const json& item) {
    std::pair<std::string, T> entry;
    if (item.is_object()) {
      for (const auto& [key, value] : item.items()) {
        if (key == "name") {
          d.field(key, [&, &value = value] { d.string(value, type, entry.first); });
        } else if (key == value_key) {
          d.field(key, [&, &value = value] { entry.second = decode_value(value); });
        }
      }
    }
    out.push_back(std::move(entry));
  });
  return out;
}

// v1 -> internal conversion: lists become maps, and a repeated name is an error (kubectl's
// message also dumps the whole list, secrets included; we name only the duplicate).
template<typename T>
std::map<std::string, T>
to_map(std::vector<std::pair<std::string, T>> list, std::string_view named_type, std::string_view internal_type,
       const std::string& origin)
{
  std::map<std::string, T> out;
  for (auto& [name, value] : list) {
    value.origin = origin;
    if (!out.emplace(name, std::move(value)).second) {
      throw DecodeError{"error converting *[]" + std::string(named_type) + " into *map[string]*api." +
                        std::string(internal_type) + ": duplicate name \"" + name + "\" in list"};
    }
  }
  return out;
}

void
check_version_kind(const json& doc)
{
  if (doc.is_null()) {
    return;
  }
  if (!doc.is_object()) {
    throw DecodeError{"couldn't get version/kind; json parse error: json: cannot unmarshal " + json_kind(doc) +
                      " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
                      "Kind string \"json:\\\"kind,omitempty\\\"\" }"};
  }
  std::string api_version;
  std::string kind;
  for (const auto& [key, value] : doc.items()) {
    if (key != "apiVersion" && key != "kind") {
      continue;
    }
    if (!value.is_null() && !value.is_string()) {
      throw DecodeError{"couldn't get version/kind; json parse error: json: cannot unmarshal " + json_kind(value) +
                        " into Go struct field ." + key + " of type string"};
    }
    (key == "apiVersion" ? api_version : kind) = value.is_string() ? value.get<std::string>() : "";
  }
  if ((!kind.empty() && kind != "Config") || (!api_version.empty() && api_version != "v1")) {
    throw DecodeError{"no kind \"" + (kind.empty() ? std::string("Config") : kind) + "\" is registered for version \"" +
                      (api_version.empty() ? std::string("v1") : api_version) + "\""};
  }
}

Kubeconfig
decode_document(const json& doc, const std::string& origin)
{
  check_version_kind(doc);
  Kubeconfig config;
  if (doc.is_null()) {
    return config;
  }
  Decoder d;
  std::vector<std::pair<std::string, KubeconfigCluster>> clusters;
  std::vector<std::pair<std::string, KubeconfigUser>> users;
  std::vector<std::pair<std::string, KubeconfigContext>> contexts;
  std::vector<NamedExtension> preference_extensions;
  std::vector<NamedExtension> extensions;
  for (const auto& [key, value] : doc.items()) {
    d.field(key, [&, &key = key, &value = value] {
      if (key == "clusters") {
        clusters = decode_named<KubeconfigCluster>(d, value, "NamedCluster", "cluster",
                                                   [&](const json& v) { return decode_cluster(d, v); });
      } else if (key == "users") {
        users = decode_named<KubeconfigUser>(d, value, "NamedAuthInfo", "user",
                                             [&](const json& v) { return decode_user(d, v); });
      } else if (key == "contexts") {
        contexts = decode_named<KubeconfigContext>(d, value, "NamedContext", "context",
                                                   [&](const json& v) { return decode_context(d, v); });
      } else if (key == "current-context") {
        d.string(value, "Config", config.current_context);
      } else if (key == "preferences") {
        if (d.object(value, "Config", "v1.Preferences")) {
          for (const auto& [k, val] : value.items()) {
            d.field(k, [&, &k = k, &val = val] {
              bool colors = false;
              if (k == "colors") {
                d.boolean(val, "Preferences", colors);
              } else if (k == "extensions") {
                preference_extensions = decode_extensions(d, val, "Preferences");
              }
            });
          }
        }
      } else if (key == "extensions") {
        extensions = decode_extensions(d, value, "Config");
      }
    });
  }
  // Same order as client-go's generated Convert_v1_Config_To_api_Config.
  check_duplicates(preference_extensions);
  config.clusters = to_map(std::move(clusters), "NamedCluster", "Cluster", origin);
  config.users = to_map(std::move(users), "NamedAuthInfo", "AuthInfo", origin);
  config.contexts = to_map(std::move(contexts), "NamedContext", "Context", origin);
  check_duplicates(extensions);
  return config;
}

} // namespace

Kubeconfig
parse_kubeconfig(std::string_view text, const std::string& display_path, const std::string& origin)
{
  const std::string prefix = "error loading config file \"" + display_path + "\": ";
  Kubeconfig config;
  try {
    // client-go returns an empty config for an empty file without decoding it.
    if (!text.empty()) {
      config = decode_document(yaml_to_json(text), origin);
    }
  } catch (const DecodeError& e) {
    throw ConfigError(prefix + e.message);
  } catch (const util::Error& e) {
    throw ConfigError(prefix + e.what());
  }
  config.files.push_back(origin);
  return config;
}

void
merge_kubeconfig(Kubeconfig& into, Kubeconfig next)
{
  for (auto& [name, value] : next.clusters) {
    into.clusters.try_emplace(name, std::move(value));
  }
  for (auto& [name, value] : next.users) {
    into.users.try_emplace(name, std::move(value));
  }
  for (auto& [name, value] : next.contexts) {
    into.contexts.try_emplace(name, std::move(value));
  }
  if (into.current_context.empty()) {
    into.current_context = next.current_context;
  }
  into.files.insert(into.files.end(), next.files.begin(), next.files.end());
}

} // namespace kube
