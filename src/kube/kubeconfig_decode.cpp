// JSON -> kubeconfig v1 types with encoding/json's rules: unknown keys ignored, keys matched
// case-sensitively, null leaves a field alone, a wrong JSON type is an error naming the Go
// struct field path, []byte fields are base64. Go reports the first error in document order
// (keys sorted, as sigs.k8s.io/yaml marshals them); nlohmann::json iterates keys sorted too.

#include "kube/kubeconfig_parse.hpp"

#include "kube/errors.hpp"
#include "util/base64.hpp"
#include "util/error.hpp"

#include <set>

namespace kube {
namespace {

using nlohmann::json;

// Raised inside the decoder; parse_kubeconfig adds the file name.
struct DecodeError {
  std::string message;
};

std::string json_kind(const json& v) {
  if (v.is_string()) {
    return "string";
  }
  if (v.is_boolean()) {
    return "bool";
  }
  if (v.is_number()) {
    return "number";
  }
  if (v.is_array()) {
    return "array";
  }
  return "object";
}

// One level of the JSON path, with the Go struct that owns the field.
class Decoder {
public:
  // Runs `fn` with `key` pushed on the field path.
  template <typename Fn>
  void field(const std::string& key, Fn&& fn) {
    m_path.push_back(key);
    fn();
    m_path.pop_back();
  }

  [[noreturn]] void type_error(const json& v, std::string_view owner, std::string_view go_type) const {
    std::string path;
    for (const auto& p : m_path) {
      path += "." + p;
    }
    throw DecodeError{"json: cannot unmarshal " + json_kind(v) + " into Go struct field " + std::string(owner) + path +
                      " of type " + std::string(go_type)};
  }

  void string(const json& v, std::string_view owner, std::string& out, std::string_view go_type = "string") const {
    if (v.is_null()) {
      return;
    }
    if (!v.is_string()) {
      type_error(v, owner, go_type);
    }
    out = v.get<std::string>();
  }

  void boolean(const json& v, std::string_view owner, bool& out) const {
    if (v.is_null()) {
      return;
    }
    if (!v.is_boolean()) {
      type_error(v, owner, "bool");
    }
    out = v.get<bool>();
  }

  void bytes(const json& v, std::string_view owner, std::string& out) const {
    if (v.is_null()) {
      out.clear();
      return;
    }
    if (!v.is_string()) {
      type_error(v, owner, "[]uint8");
    }
    try {
      out = util::base64_decode(v.get<std::string>());
    } catch (const util::Error& e) {
      throw DecodeError{e.what()};
    }
  }

  void string_list(const json& v, std::string_view owner, std::vector<std::string>& out) const {
    if (v.is_null()) {
      out.clear();
      return;
    }
    if (!v.is_array()) {
      type_error(v, owner, "[]string");
    }
    out.clear();
    for (const auto& item : v) {
      std::string s;
      string(item, owner, s);
      out.push_back(std::move(s));
    }
  }

  // Iterates an array of structs; `fn(item)` decodes one element (null elements decode to zero values).
  template <typename Fn>
  void list(const json& v, std::string_view owner, std::string_view list_type, std::string_view elem_type, Fn&& fn) {
    if (v.is_null()) {
      return;
    }
    if (!v.is_array()) {
      type_error(v, owner, list_type);
    }
    for (const auto& item : v) {
      if (!item.is_null() && !item.is_object()) {
        type_error(item, owner, elem_type);
      }
      fn(item);
    }
  }

  // Checks that `v` may decode into a struct; false for null (nothing to do).
  bool object(const json& v, std::string_view owner, std::string_view go_type) const {
    if (v.is_null()) {
      return false;
    }
    if (!v.is_object()) {
      type_error(v, owner, go_type);
    }
    return true;
  }

private:
  std::vector<std::string> m_path;
};

struct NamedExtension {
  std::string name;
  json extension;
};

// Extension lists are only checked (names, duplicates); the exec one is kept by the caller.
std::vector<NamedExtension> decode_extensions(Decoder& d, const json& v, std::string_view owner) {
  std::vector<NamedExtension> out;
  d.list(v, owner, "[]v1.NamedExtension", "v1.NamedExtension", [&](const json& item) {
    NamedExtension ext;
    if (item.is_object()) {
      for (const auto& [key, value] : item.items()) {
        if (key == "name") {
          d.field(key, [&] { d.string(value, "NamedExtension", ext.name); });
        } else if (key == "extension") {
          ext.extension = value;  // runtime.RawExtension takes any JSON
        }
      }
    }
    out.push_back(std::move(ext));
  });
  return out;
}

void check_duplicates(const std::vector<NamedExtension>& list) {
  std::set<std::string> seen;
  for (const auto& ext : list) {
    if (!seen.insert(ext.name).second) {
      throw DecodeError{"error converting *[]NamedExtension into *map[string]runtime.Object: duplicate name \"" +
                        ext.name + "\" in list"};
    }
  }
}

KubeconfigCluster decode_cluster(Decoder& d, const json& v) {
  KubeconfigCluster c;
  if (!d.object(v, "NamedCluster", "v1.Cluster")) {
    return c;
  }
  for (const auto& [key, value] : v.items()) {
    d.field(key, [&, &key = key, &value = value] {
      if (key == "server") {
        d.string(value, "Cluster", c.server);
      } else if (key == "tls-server-name") {
        d.string(value, "Cluster", c.tls_server_name);
      } else if (key == "insecure-skip-tls-verify") {
        d.boolean(value, "Cluster", c.insecure_skip_tls_verify);
      } else if (key == "certificate-authority") {
        d.string(value, "Cluster", c.certificate_authority);
      } else if (key == "certificate-authority-data") {
        d.bytes(value, "Cluster", c.certificate_authority_data);
      } else if (key == "proxy-url") {
        d.string(value, "Cluster", c.proxy_url);
      } else if (key == "disable-compression") {
        d.boolean(value, "Cluster", c.disable_compression);
      } else if (key == "extensions") {
        auto extensions = decode_extensions(d, value, "Cluster");
        check_duplicates(extensions);
        for (const auto& ext : extensions) {
          if (ext.name == "client.authentication.k8s.io/exec") {
            c.exec_extension = ext.extension.dump();
          }
        }
      }
    });
  }
  return c;
}

KubeconfigExec decode_exec(Decoder& d, const json& v) {
  KubeconfigExec e;
  for (const auto& [key, value] : v.items()) {
    d.field(key, [&, &key = key, &value = value] {
      if (key == "command") {
        d.string(value, "ExecConfig", e.command);
      } else if (key == "args") {
        d.string_list(value, "ExecConfig", e.args);
      } else if (key == "env") {
        e.env.clear();
        d.list(value, "ExecConfig", "[]v1.ExecEnvVar", "v1.ExecEnvVar", [&](const json& item) {
          std::pair<std::string, std::string> var;
          if (item.is_object()) {
            for (const auto& [k, val] : item.items()) {
              if (k == "name") {
                d.field(k, [&] { d.string(val, "ExecEnvVar", var.first); });
              } else if (k == "value") {
                d.field(k, [&] { d.string(val, "ExecEnvVar", var.second); });
              }
            }
          }
          e.env.push_back(std::move(var));
        });
      } else if (key == "apiVersion") {
        d.string(value, "ExecConfig", e.api_version);
      } else if (key == "installHint") {
        d.string(value, "ExecConfig", e.install_hint);
      } else if (key == "provideClusterInfo") {
        d.boolean(value, "ExecConfig", e.provide_cluster_info);
      } else if (key == "interactiveMode") {
        d.string(value, "ExecConfig", e.interactive_mode, "v1.ExecInteractiveMode");
      }
    });
  }
  // client-go's v1 defaulting (SetDefaults_ExecConfig): only the beta/alpha versions get a default.
  if (e.interactive_mode.empty() && (e.api_version == "client.authentication.k8s.io/v1beta1" ||
                                     e.api_version == "client.authentication.k8s.io/v1alpha1")) {
    e.interactive_mode = "IfAvailable";
  }
  return e;
}

KubeconfigUser decode_user(Decoder& d, const json& v) {
  KubeconfigUser u;
  if (!d.object(v, "NamedAuthInfo", "v1.AuthInfo")) {
    return u;
  }
  for (const auto& [key, value] : v.items()) {
    d.field(key, [&, &key = key, &value = value] {
      if (key == "client-certificate") {
        d.string(value, "AuthInfo", u.client_certificate);
      } else if (key == "client-certificate-data") {
        d.bytes(value, "AuthInfo", u.client_certificate_data);
      } else if (key == "client-key") {
        d.string(value, "AuthInfo", u.client_key);
      } else if (key == "client-key-data") {
        d.bytes(value, "AuthInfo", u.client_key_data);
      } else if (key == "token") {
        d.string(value, "AuthInfo", u.token);
      } else if (key == "tokenFile") {
        d.string(value, "AuthInfo", u.token_file);
      } else if (key == "as") {
        d.string(value, "AuthInfo", u.as);
      } else if (key == "as-uid") {
        d.string(value, "AuthInfo", u.as_uid);
      } else if (key == "as-groups") {
        d.string_list(value, "AuthInfo", u.as_groups);
      } else if (key == "as-user-extra") {
        if (value.is_null()) {
          return;
        }
        if (!value.is_object()) {
          d.type_error(value, "AuthInfo", "map[string][]string");
        }
        for (const auto& [k, list] : value.items()) {
          d.string_list(list, "AuthInfo", u.as_user_extra[k]);
        }
      } else if (key == "username") {
        d.string(value, "AuthInfo", u.username);
      } else if (key == "password") {
        d.string(value, "AuthInfo", u.password);
      } else if (key == "auth-provider") {
        if (!d.object(value, "AuthInfo", "v1.AuthProviderConfig")) {
          return;
        }
        u.has_auth_provider = true;
        for (const auto& [k, val] : value.items()) {
          d.field(k, [&, &k = k, &val = val] {
            std::string ignored;
            if (k == "name") {
              d.string(val, "AuthProviderConfig", ignored);
            } else if (k == "config" && !val.is_null()) {
              if (!val.is_object()) {
                d.type_error(val, "AuthProviderConfig", "map[string]string");
              }
              for (const auto& [ck, cv] : val.items()) {
                d.string(cv, "AuthProviderConfig", ignored);
              }
            }
          });
        }
      } else if (key == "exec") {
        if (d.object(value, "AuthInfo", "v1.ExecConfig")) {
          u.exec = decode_exec(d, value);
        }
      } else if (key == "extensions") {
        check_duplicates(decode_extensions(d, value, "AuthInfo"));
      }
    });
  }
  return u;
}

KubeconfigContext decode_context(Decoder& d, const json& v) {
  KubeconfigContext c;
  if (!d.object(v, "NamedContext", "v1.Context")) {
    return c;
  }
  for (const auto& [key, value] : v.items()) {
    d.field(key, [&, &key = key, &value = value] {
      if (key == "cluster") {
        d.string(value, "Context", c.cluster);
      } else if (key == "user") {
        d.string(value, "Context", c.user);
      } else if (key == "namespace") {
        d.string(value, "Context", c.ns);
      } else if (key == "extensions") {
        check_duplicates(decode_extensions(d, value, "Context"));
      }
    });
  }
  return c;
}

// Decodes a named list ("clusters", "users", "contexts") into (name, value) pairs.
template <typename T, typename DecodeValue>
std::vector<std::pair<std::string, T>> decode_named(Decoder& d, const json& v, std::string_view named_type,
                                                   const std::string& value_key, DecodeValue&& decode_value) {
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
template <typename T>
std::map<std::string, T> to_map(std::vector<std::pair<std::string, T>> list, std::string_view named_type,
                                std::string_view internal_type, const std::string& origin) {
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

void check_version_kind(const json& doc) {
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
    throw DecodeError{"no kind \"" + (kind.empty() ? std::string("Config") : kind) +
                      "\" is registered for version \"" + (api_version.empty() ? std::string("v1") : api_version) +
                      "\""};
  }
}

Kubeconfig decode_document(const json& doc, const std::string& origin) {
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

Kubeconfig parse_kubeconfig(std::string_view text, const std::string& display_path, const std::string& origin) {
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

void merge_kubeconfig(Kubeconfig& into, Kubeconfig next) {
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
