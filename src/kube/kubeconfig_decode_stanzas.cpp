// Decoding the cluster, user (with exec) and context stanzas, and extension lists, of a
// kubeconfig v1 document (types from client-go tools/clientcmd/api/v1/types.go).

#include "kube/kubeconfig_detail.hpp"

#include "util/base64.hpp"
#include "util/error.hpp"

#include <set>

namespace kube::detail {

using nlohmann::json;

std::string
json_kind(const nlohmann::json& v)
{
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

void
Decoder::type_error(const nlohmann::json& v, std::string_view owner, std::string_view go_type) const
{
  std::string path;
  for (const auto& p : m_path) {
    path += "." + p;
  }
  throw DecodeError{"json: cannot unmarshal " + json_kind(v) + " into Go struct field " + std::string(owner) + path +
                    " of type " + std::string(go_type)};
}

void
Decoder::string(const nlohmann::json& v, std::string_view owner, std::string& out, std::string_view go_type) const
{
  if (v.is_null()) {
    return;
  }
  if (!v.is_string()) {
    type_error(v, owner, go_type);
  }
  out = v.get<std::string>();
}

void
Decoder::boolean(const nlohmann::json& v, std::string_view owner, bool& out) const
{
  if (v.is_null()) {
    return;
  }
  if (!v.is_boolean()) {
    type_error(v, owner, "bool");
  }
  out = v.get<bool>();
}

void
Decoder::bytes(const nlohmann::json& v, std::string_view owner, std::string& out) const
{
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

void
Decoder::string_list(const nlohmann::json& v, std::string_view owner, std::vector<std::string>& out) const
{
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

bool
Decoder::object(const nlohmann::json& v, std::string_view owner, std::string_view go_type) const
{
  if (v.is_null()) {
    return false;
  }
  if (!v.is_object()) {
    type_error(v, owner, go_type);
  }
  return true;
}

std::vector<NamedExtension>
decode_extensions(Decoder& d, const json& v, std::string_view owner)
{
  std::vector<NamedExtension> out;
  d.list(v, owner, "[]v1.NamedExtension", "v1.NamedExtension", [&](const json& item) {
    NamedExtension ext;
    if (item.is_object()) {
      for (const auto& [key, value] : item.items()) {
        if (key == "name") {
          // Named, not captured as a structured binding: clang 14 (the fuzz build) cannot.
          d.field(key, [&, &name_value = value] { d.string(name_value, "NamedExtension", ext.name); });
        } else if (key == "extension") {
          ext.extension = value; // runtime.RawExtension takes any JSON
        }
      }
    }
    out.push_back(std::move(ext));
  });
  return out;
}

void
check_duplicates(const std::vector<NamedExtension>& list)
{
  std::set<std::string> seen;
  for (const auto& ext : list) {
    if (!seen.insert(ext.name).second) {
      throw DecodeError{"error converting *[]NamedExtension into *map[string]runtime.Object: duplicate name \"" +
                        ext.name + "\" in list"};
    }
  }
}

KubeconfigCluster
decode_cluster(Decoder& d, const json& v)
{
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
            // YAML hands over bytes as they are; invalid UTF-8 becomes U+FFFD instead of a json
            // type_error escaping the decoder (found by fuzz/fuzz_kubeconfig).
            c.exec_extension = ext.extension.dump(-1, ' ', false, json::error_handler_t::replace);
          }
        }
      }
    });
  }
  return c;
}

KubeconfigExec
decode_exec(Decoder& d, const json& v)
{
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
                d.field(k, [&, &text = val] { d.string(text, "ExecEnvVar", var.first); });
              } else if (k == "value") {
                d.field(k, [&, &text = val] { d.string(text, "ExecEnvVar", var.second); });
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

KubeconfigUser
decode_user(Decoder& d, const json& v)
{
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

KubeconfigContext
decode_context(Decoder& d, const json& v)
{
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

} // namespace kube::detail
