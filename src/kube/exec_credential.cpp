// client-go exec credential plugins (plugin/pkg/client/auth/exec): the input given to the
// plugin, running it, and the checks on its output, with client-go's error texts.

#include "kube/credentials.hpp"
#include "kube/kubeconfig_detail.hpp"

#include "kube/errors.hpp"
#include "util/base64.hpp"
#include "util/duration.hpp"
#include "util/process.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

namespace kube {
namespace {

using nlohmann::json;

constexpr std::string_view k_v1 = "client.authentication.k8s.io/v1";
constexpr std::string_view k_v1beta1 = "client.authentication.k8s.io/v1beta1";

using detail::json_kind;

[[noreturn]] void
fail(const std::string& message)
{
  throw ConfigError("getting credentials: " + message);
}

std::string
status_string(const json& status, const std::string& key)
{
  auto it = status.find(key);
  if (it == status.end() || it->is_null()) {
    return "";
  }
  if (!it->is_string()) {
    fail("decoding stdout: json: cannot unmarshal " + json_kind(*it) +
         " into Go struct field ExecCredentialStatus.status." + key + " of type string");
  }
  return it->get<std::string>();
}

bool
parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out)
{
  if (pos + count > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

} // namespace

std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(std::string_view t)
{
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!parse_digits(t, 0, 4, year) || t.size() < 20 || t[4] != '-' || !parse_digits(t, 5, 2, month) || t[7] != '-' ||
      !parse_digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') || !parse_digits(t, 11, 2, hour) || t[13] != ':' ||
      !parse_digits(t, 14, 2, minute) || t[16] != ':' || !parse_digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    long long nanos = 0;
    int digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (t[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (int i = digits; i < 9; ++i) {
      nanos *= 10;
    }
    fraction = std::chrono::nanoseconds(nanos);
  }
  int offset_minutes = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) {
    offset_minutes = 0;
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    int oh = 0;
    int om = 0;
    if (!parse_digits(t, pos + 1, 2, oh) || !parse_digits(t, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (t[pos] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const auto time = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                    std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(time + fraction);
}

std::string
sanitize_install_hint(std::string_view text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1_control = c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                            static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c == 0x7f || c1_control) {
      const unsigned code = c1_control ? static_cast<unsigned char>(text[++i]) : c;
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "U+%04X", code);
      out += buf.data();
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string
exec_info_json(const ClientConfig& config, bool interactive)
{
  nlohmann::ordered_json info;
  info["kind"] = "ExecCredential";
  info["apiVersion"] = config.exec ? config.exec->api_version : std::string(k_v1);
  nlohmann::ordered_json spec = nlohmann::ordered_json::object();
  if (config.exec && config.exec->provide_cluster_info) {
    // Field order of clientauthentication/v1 Cluster, so the JSON reads like kubectl's.
    nlohmann::ordered_json cluster;
    cluster["server"] = config.server;
    if (config.endpoint.tls.server_name != config.endpoint.host) {
      cluster["tls-server-name"] = config.endpoint.tls.server_name;
    }
    if (config.endpoint.tls.insecure_skip_verify) {
      cluster["insecure-skip-tls-verify"] = true;
    }
    if (!config.endpoint.tls.ca_pem.empty()) {
      cluster["certificate-authority-data"] = util::base64_encode(config.endpoint.tls.ca_pem);
    }
    const std::string& extension = config.exec->cluster_exec_extension_json;
    nlohmann::ordered_json parsed = nullptr;
    if (!extension.empty()) {
      parsed = nlohmann::ordered_json::parse(extension, nullptr, false);
      if (parsed.is_discarded()) {
        parsed = nullptr;
      }
    }
    cluster["config"] = parsed;
    spec["cluster"] = cluster;
  }
  spec["interactive"] = interactive;
  info["spec"] = spec;
  return info.dump(-1, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace); // a non-UTF-8 server URL must not throw
}

ExecCredential
parse_exec_credential(std::string_view output, const std::string& api_version)
{
  json doc = json::parse(output.begin(), output.end(), nullptr, false);
  if (doc.is_discarded()) {
    fail("decoding stdout: couldn't get version/kind; json parse error: the output is not valid JSON");
  }
  if (!doc.is_object()) {
    fail("decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal " + json_kind(doc) +
         " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
         "\"json:\\\"kind,omitempty\\\"\" }");
  }
  for (const char* key : {"apiVersion", "kind"}) {
    auto it = doc.find(key);
    if (it != doc.end() && !it->is_null() && !it->is_string()) {
      fail(std::string("decoding stdout: couldn't get version/kind; json parse error: json: cannot unmarshal ") +
           json_kind(*it) + " into Go struct field ." + key + " of type string");
    }
  }
  const std::string returned =
      doc.value("apiVersion", json(nullptr)).is_string() ? doc["apiVersion"].get<std::string>() : "";
  const std::string kind = doc.value("kind", json(nullptr)).is_string() ? doc["kind"].get<std::string>() : "";
  if (returned.empty()) {
    fail("decoding stdout: Object 'apiVersion' is missing"); // client-go also prints the output: it may hold a token
  }
  if (returned != k_v1 && returned != k_v1beta1) {
    fail("decoding stdout: no kind \"" + (kind.empty() ? std::string("ExecCredential") : kind) +
         "\" is registered for version \"" + returned + "\"");
  }
  if (!kind.empty() && kind != "ExecCredential") {
    fail("decoding stdout: no kind \"" + kind + "\" is registered for version \"" + returned + "\"");
  }
  ExecCredential cred;
  bool has_status = false;
  auto status = doc.find("status");
  if (status != doc.end() && !status->is_null()) {
    if (!status->is_object()) {
      fail("decoding stdout: json: cannot unmarshal " + json_kind(*status) +
           " into Go struct field ExecCredential.status of type v1.ExecCredentialStatus");
    }
    has_status = true;
    cred.token = status_string(*status, "token");
    cred.client_certificate_pem = status_string(*status, "clientCertificateData");
    cred.client_key_pem = status_string(*status, "clientKeyData");
    const std::string expiry = status_string(*status, "expirationTimestamp");
    if (!expiry.empty()) {
      cred.expiry = parse_rfc3339(expiry);
      if (!cred.expiry) {
        fail("decoding stdout: parsing time \"" + expiry + "\" as \"2006-01-02T15:04:05Z07:00\": not an RFC 3339 time");
      }
    }
  }
  if (returned != api_version) {
    fail("exec plugin is configured to use API version " + api_version + ", plugin returned version " + returned);
  }
  if (!has_status) {
    fail("exec plugin didn't return a status field");
  }
  if (cred.token.empty() && cred.client_certificate_pem.empty() && cred.client_key_pem.empty()) {
    fail("exec plugin didn't return a token or cert/key pair");
  }
  if (cred.client_certificate_pem.empty() != cred.client_key_pem.empty()) {
    fail("exec plugin returned only certificate or key, not both");
  }
  return cred;
}

ExecCredential
run_exec_plugin(const ClientConfig& config, std::chrono::milliseconds timeout, bool stdin_is_terminal,
                std::string_view limit_source)
{
  if (!config.exec) {
    fail("no exec plugin is configured");
  }
  const ExecPluginConfig& exec = *config.exec;
  bool interactive = false;
  if (exec.interactive_mode == "IfAvailable") {
    interactive = stdin_is_terminal;
  } else if (exec.interactive_mode == "Always") {
    if (!stdin_is_terminal) {
      fail("exec plugin cannot support interactive mode: standard input is not a terminal");
    }
    interactive = true;
  } else if (exec.interactive_mode != "Never") {
    fail("exec plugin cannot support interactive mode: unknown interactiveMode: \"" + exec.interactive_mode + "\"");
  }

  util::ProcessSpec spec;
  spec.argv.push_back(exec.command);
  spec.argv.insert(spec.argv.end(), exec.args.begin(), exec.args.end());
  spec.env = exec.env;
  spec.env.emplace_back("KUBERNETES_EXEC_INFO", exec_info_json(config, interactive));
  spec.stdin_mode = interactive ? util::ProcessSpec::Stdin::inherit : util::ProcessSpec::Stdin::null;
  spec.timeout = timeout;
  spec.own_process_group = !interactive; // a hung plugin's children go with it

  util::ProcessResult result;
  try {
    result = util::run_process(spec);
  } catch (const util::ProcessError& e) {
    if (e.not_found()) {
      std::string message =
          "exec: executable " + exec.command +
          " not found\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n\n"
          "To learn more about this feature, consult the documentation available at:\n"
          "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";
      if (!exec.install_hint.empty()) {
        message += "\n\n" + sanitize_install_hint(exec.install_hint);
      }
      fail(message);
    }
    fail(std::string("exec: ") + e.what());
  }
  if (result.timed_out) {
    // Said before anything about its output: what a killed plugin printed is cut short, not wrong.
    fail("exec: executable " + exec.command + " timed out after " + util::format_duration(timeout) +
         (limit_source.empty() ? "" : " (" + std::string(limit_source) + ")") + " and was killed");
  }
  if (result.exit_code != 0) {
    fail("exec: executable " + exec.command + " failed with exit code " + std::to_string(result.exit_code));
  }
  return parse_exec_credential(result.out, exec.api_version);
}

} // namespace kube
