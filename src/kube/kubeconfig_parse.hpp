#pragma once
// One kubeconfig file decoded the way client-go decodes it (YAML 1.1 -> JSON -> kubeconfig v1
// types, with Go's type errors), plus merging several files and resolving relative paths.
// Pure: text in, model out. Reading files and choosing a context live elsewhere.

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kube {

struct KubeconfigExec {
  std::string api_version;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode; // defaulted to IfAvailable for v1beta1 (and v1alpha1), as client-go does
};

struct KubeconfigCluster {
  std::string server;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string certificate_authority;
  std::string certificate_authority_data; // decoded bytes (PEM text)
  std::string proxy_url;
  bool disable_compression = false;
  std::optional<std::string> exec_extension; // extension client.authentication.k8s.io/exec, as JSON text
  std::string origin;                        // absolute path of the file that defined it
};

struct KubeconfigUser {
  std::string client_certificate;
  std::string client_certificate_data; // decoded bytes
  std::string client_key;
  std::string client_key_data; // decoded bytes
  std::string token;
  std::string token_file;
  std::string as;
  std::string as_uid;
  std::vector<std::string> as_groups;
  std::map<std::string, std::vector<std::string>> as_user_extra;
  std::string username;
  std::string password;
  bool has_auth_provider = false;
  std::optional<KubeconfigExec> exec;
  std::string origin;
};

struct KubeconfigContext {
  std::string cluster;
  std::string user;
  std::string ns;
  std::string origin;
};

struct Kubeconfig {
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;
  std::vector<std::string> files; // absolute paths of the files merged in, in load order
};

// YAML text to JSON exactly as sigs.k8s.io/yaml with YAML 1.1 resolution does: unquoted
// y/yes/on/true... are booleans, 0x1F/0777/1_000/1e3 numbers, ~/null/empty null, non-string
// keys stringified, later duplicate keys win, "<<" merges. Throws util::Error on bad YAML
// ("yaml: line N: ...") or NaN/Inf ("json: unsupported value: NaN").
nlohmann::json yaml_to_json(std::string_view text);

// True when `text`, written as a plain (unquoted) YAML scalar, would read back as that same
// string under YAML 1.1 ("yes", "1e3", "~" and "" would not); emitters quote the others.
bool plain_scalar_stays_string(const std::string& text);

// Decodes one kubeconfig file. `display_path` names the file in messages (as the user gave it,
// like kubectl); `origin` (absolute) is recorded on every stanza. Throws ConfigError
// `error loading config file "<display_path>": <Go-worded reason>`.
Kubeconfig parse_kubeconfig(std::string_view text, const std::string& display_path, const std::string& origin);

// Merges `next` (a later file) into `into`: a name already defined keeps its first definition
// whole; current-context is the first non-empty one.
void merge_kubeconfig(Kubeconfig& into, Kubeconfig next);

// Makes certificate-authority, client-certificate, client-key, tokenFile and exec.command
// (the latter only when it contains '/') absolute against their stanza's file directory.
void resolve_local_paths(Kubeconfig& config);

// Lexical path cleaning as Go's filepath.Clean ("a/./b/../c//" -> "a/c"; "" -> ".").
std::string clean_path(std::string_view path);
// A relative `path` joined to `base_dir` and cleaned (Go's filepath.Join); an absolute one as is.
std::string absolute_path(std::string_view path, std::string_view base_dir);
// The directory part of a cleaned path ("/a/b" -> "/a", "/a" -> "/").
std::string parent_dir(std::string_view path);

} // namespace kube
