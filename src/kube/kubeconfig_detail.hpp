#pragma once
// Internals shared by the kubeconfig resolver's source files; not an interface for other layers.

#include "kube/kubeconfig_parse.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kube::detail {

// One validation failure: kubectl's message, and where it comes from (`cluster "c" in FILE`).
struct Problem {
  std::string message;
  std::string where;
};

// Throws ConfigError: one problem as "<message> (<where>)", several as kubectl's aggregate
// ("invalid configuration (<where>):" then one "* <message>" line each; "(<where>)" moves to the
// end of each line when they differ).
[[noreturn]] void fail(const std::vector<Problem>& problems);
[[noreturn]] void fail(const std::string& message, const std::string& where);

// client-go's validateAuthInfo, same checks, order and texts.
void validate_auth_info(const std::string& name, const KubeconfigUser& user, const std::string& where,
                        std::vector<Problem>& out);

// client-go's validateClusterInfo for a non-empty cluster, except that any proxy-url is refused.
// `ca_where` names where the certificate-authority came from (file stanza or flag).
void validate_cluster_info(const std::string& name, const KubeconfigCluster& cluster, const std::string& where,
                           const std::string& ca_where, std::vector<Problem>& out);

// Go's crypto/x509 + crypto/tls checks on PEM material, with their messages; nullopt when fine.
std::optional<std::string> ca_pem_problem(const std::string& pem);
std::optional<std::string> client_pem_problem(const std::string& cert_pem, const std::string& key_pem);

// JSON -> kubeconfig v1 types with encoding/json's rules (kubeconfig_decode*.cpp).

// "string", "number", "bool", "array" or "object": how Go names a JSON value's type.
std::string json_kind(const nlohmann::json& v);

// Raised inside the decoder; parse_kubeconfig adds the file name.
struct DecodeError {
  std::string message;
};

// Decodes JSON values into fields, tracking the JSON path so that a wrong type is reported as
// Go does: "json: cannot unmarshal <kind> into Go struct field <Owner>.<path> of type <type>".
// Every method throws DecodeError; null never changes a field.
class Decoder {
public:
  // Runs `fn` with `key` pushed on the field path.
  template<typename Fn>
  void field(const std::string& key, Fn&& fn)
  {
    m_path.push_back(key);
    fn();
    m_path.pop_back();
  }

  [[noreturn]] void type_error(const nlohmann::json& v, std::string_view owner, std::string_view go_type) const;
  void string(const nlohmann::json& v, std::string_view owner, std::string& out,
              std::string_view go_type = "string") const;
  void boolean(const nlohmann::json& v, std::string_view owner, bool& out) const;
  // A []byte field: base64 text.
  void bytes(const nlohmann::json& v, std::string_view owner, std::string& out) const;
  void string_list(const nlohmann::json& v, std::string_view owner, std::vector<std::string>& out) const;
  // Whether `v` may decode into a struct of `go_type`; false for null (nothing to do).
  bool object(const nlohmann::json& v, std::string_view owner, std::string_view go_type) const;

  // Iterates an array of structs; `fn(item)` decodes one element (null elements decode to zero values).
  template<typename Fn>
  void list(const nlohmann::json& v, std::string_view owner, std::string_view list_type, std::string_view elem_type,
            Fn&& fn)
  {
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

private:
  std::vector<std::string> m_path;
};

struct NamedExtension {
  std::string name;
  nlohmann::json extension;
};

// One stanza each; `v` is the value under clusters[].cluster, users[].user, contexts[].context.
KubeconfigCluster decode_cluster(Decoder& d, const nlohmann::json& v);
KubeconfigUser decode_user(Decoder& d, const nlohmann::json& v);
KubeconfigContext decode_context(Decoder& d, const nlohmann::json& v);
// An extensions list (kept only as JSON), and client-go's duplicate-name check on it.
std::vector<NamedExtension> decode_extensions(Decoder& d, const nlohmann::json& v, std::string_view owner);
void check_duplicates(const std::vector<NamedExtension>& list);

} // namespace kube::detail
