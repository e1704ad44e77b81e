#include "ipsec/init_plan.hpp"

#include "pki/certificate_info.hpp"
#include "pki/errors.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace ipsec {

namespace {

constexpr std::string_view k_cert_marker = "--- certificate";

} // namespace

std::vector<std::string>
shell_command(std::string_view script, std::vector<std::string> args)
{
  std::vector<std::string> argv{"sh", "-c", std::string(script), "sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

NodePaths
node_paths(std::string_view system_id, std::string_view dir)
{
  return {fmt::format("{}/private/{}-privkey.pem", dir, system_id), fmt::format("{}/certs/{}-cert.pem", dir, system_id),
          fmt::format("{}/cacerts/cacert.pem", dir)};
}

std::string
node_subject(std::string_view system_id)
{
  return fmt::format("/C=CN/O=kubeovn/OU=kube-ovn/CN={}", system_id);
}

std::vector<std::string>
probe_command(const NodePaths& paths)
{
  static constexpr std::string_view script = "for k in certificate private_key ca_cert; do "
                                             "printf '%s=%s\\n' \"$k\" \"$(ovs-vsctl --if-exists get Open_vSwitch . "
                                             "other_config:$k 2>/dev/null | tr -d '\"')\"; "
                                             "done; "
                                             "if [ -s \"$1\" ]; then echo key=present; else echo key=absent; fi; "
                                             "if [ -s \"$3\" ]; then echo ca=present; else echo ca=absent; fi; "
                                             "echo '--- certificate'; if [ -s \"$2\" ]; then cat \"$2\"; fi";
  return shell_command(script, {paths.key, paths.cert, paths.ca});
}

std::optional<NodeProbe>
parse_probe(std::string_view output)
{
  const size_t marker = output.find(k_cert_marker);
  if (marker == std::string_view::npos) {
    return std::nullopt;
  }
  NodeProbe probe;
  bool saw_key = false;
  for (const auto& line : util::split(output.substr(0, marker), '\n')) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    const std::string key = std::string(util::trim(line.substr(0, eq)));
    const std::string value = std::string(util::trim(line.substr(eq + 1)));
    if (key == "key") {
      probe.key_present = value == "present";
      saw_key = true;
    } else if (key == "ca") {
      probe.ca_present = value == "present";
    } else {
      probe.other_config[key] = value;
    }
  }
  if (!saw_key || probe.other_config.size() != 3) {
    return std::nullopt;
  }
  probe.cert_pem = std::string(util::trim(output.substr(marker + k_cert_marker.size())));
  return probe;
}

std::vector<std::string>
keygen_command(const NodePaths& paths, std::string_view subject, int bits)
{
  static constexpr std::string_view script = "set -e; umask 077; mkdir -p \"$(dirname \"$1\")\"; "
                                             "openssl genrsa -out \"$1.new\" \"$3\" 2>/dev/null; chmod 600 \"$1.new\"; "
                                             "openssl req -new -key \"$1.new\" -subj \"$2\"";
  return shell_command(script, {paths.key, std::string(subject), std::to_string(bits)});
}

std::vector<std::string>
discard_new_command(const NodePaths& paths)
{
  return shell_command("rm -f \"$1.new\" \"$2.new\"", {paths.key, paths.cert});
}

// A client that dies mid-stream closes stdin early, and `cat` then ends as if the text were
// complete: what arrived must parse as a certificate before it replaces anything.
std::vector<std::string>
install_ca_command(const NodePaths& paths)
{
  static constexpr std::string_view script =
      "set -e; mkdir -p \"$(dirname \"$1\")\"; cat > \"$1.new\"; "
      "if ! openssl x509 -noout -in \"$1.new\" 2>/dev/null; then rm -f \"$1.new\"; "
      "echo \"$1: the CA certificate arrived incomplete; nothing was changed\" >&2; exit 1; fi; "
      "chmod 644 \"$1.new\"; mv -f \"$1.new\" \"$1\"";
  return shell_command(script, {paths.ca});
}

std::vector<std::string>
install_cert_command(const NodePaths& paths)
{
  // The key moves last-but-one and the certificate last, so an interruption leaves either
  // the old pair or a new key without its certificate, which the next run reissues.
  // A certificate cut short, or one not for <key>.new, is refused before anything moves.
  static constexpr std::string_view script =
      "set -e; [ -s \"$2.new\" ]; mkdir -p \"$(dirname \"$1\")\"; cat > \"$1.new\"; "
      "cert_pub=$(openssl x509 -noout -pubkey -in \"$1.new\" 2>/dev/null) || cert_pub=; "
      "key_pub=$(openssl pkey -pubout -in \"$2.new\" 2>/dev/null) || key_pub=; "
      "if [ -z \"$cert_pub\" ] || [ \"$cert_pub\" != \"$key_pub\" ]; then rm -f \"$1.new\"; "
      "echo \"$1: the certificate arrived incomplete or is not for $2.new; nothing was changed\" >&2; exit 1; fi; "
      "chmod 644 \"$1.new\"; mv -f \"$2.new\" \"$2\"; mv -f \"$1.new\" \"$1\"";
  return shell_command(script, {paths.cert, paths.key});
}

std::vector<std::string>
reread_ca_command()
{
  return {"ipsec", "rereadcacerts"};
}

std::vector<std::string>
reload_credentials_command()
{
  static constexpr std::string_view script =
      "ipsec rereadsecrets && ipsec reload || exit $?; "
      "( for wait in 3 7; do sleep \"$wait\"; s=$(ipsec status 2>/dev/null) || exit 0; "
      "for c in $(printf '%s\\n' \"$s\" | sed -n 's/^\\([^{ ]*\\){[0-9]*}:  ROUTED.*/\\1/p' | sort -u); do "
      "printf '%s\\n' \"$s\" | grep -q \"^$c{[0-9]*}:  INSTALLED\" || (ipsec up \"$c\" >/dev/null 2>&1 &); "
      "done; done ) </dev/null >/dev/null 2>&1 &";
  return shell_command(script, {});
}

std::vector<std::string>
configure_command(const NodePaths& paths)
{
  return {"ovs-vsctl",
          "set",
          "Open_vSwitch",
          ".",
          "other_config:certificate=" + paths.cert,
          "other_config:private_key=" + paths.key,
          "other_config:ca_cert=" + paths.ca};
}

std::vector<std::string>
monitor_alive_command()
{
  return {"ovs-appctl", "-t", "ovs-monitor-ipsec", "version"};
}

std::vector<std::string>
ike_alive_command()
{
  return {"ipsec", "status"};
}

std::vector<std::vector<std::string>>
start_daemons_commands()
{
  static constexpr std::string_view script =
      "log=$(mktemp) || exit 1; service \"$1\" start </dev/null >\"$log\" 2>&1; rc=$?; "
      "cat \"$log\"; rm -f \"$log\"; exit $rc";
  return {shell_command(script, {"openvswitch-ipsec"}), shell_command(script, {"ipsec"})};
}

std::string_view
to_string(NodeAction action)
{
  switch (action) {
  case NodeAction::skip:
    return "skip";
  case NodeAction::configure:
    return "configure";
  case NodeAction::enroll:
    return "enroll";
  case NodeAction::repair:
    return "repair";
  case NodeAction::renew:
    return "renew";
  case NodeAction::reissue:
    return "reissue";
  }
  return "enroll";
}

bool
needs_certificate(NodeAction action)
{
  return action != NodeAction::skip && action != NodeAction::configure;
}

NodeDecision
decide(const DecisionInput& in)
{
  const auto& probe = in.probe;
  if (probe.cert_pem.empty()) {
    if (!probe.other_config.at("certificate").empty()) {
      return {NodeAction::repair, "configured in OVSDB but the certificate file is missing"};
    }
    return {NodeAction::enroll, "no certificate yet"};
  }
  if (in.force) {
    return {NodeAction::reissue, "--force"};
  }
  pki::CertificateInfo info;
  try {
    info = pki::inspect_certificate(probe.cert_pem, "node certificate", in.ca_cert_pem);
  } catch (const pki::PkiError&) {
    return {NodeAction::reissue, "the certificate file is unreadable"};
  }
  if (!info.issued_by_ca) {
    return {NodeAction::reissue, fmt::format("issued by another CA ({})", info.issuer)};
  }
  if (info.common_name != in.system_id) {
    return {NodeAction::reissue, fmt::format("issued to {}, not to this node's system-id", info.common_name)};
  }
  if (!probe.key_present) {
    return {NodeAction::reissue, "the private key file is missing"};
  }
  const long left = pki::days_left(info, in.now);
  if (left <= in.renew_before_days) {
    return {NodeAction::renew, left < 0 ? "expired" : fmt::format("expires in {} days", left)};
  }
  const bool pointed = probe.other_config.at("certificate") == in.paths.cert &&
                       probe.other_config.at("private_key") == in.paths.key &&
                       probe.other_config.at("ca_cert") == in.paths.ca;
  if (!pointed || !probe.ca_present) {
    return {NodeAction::configure, !probe.ca_present ? "the CA file is missing" : "OVS does not point at it yet"};
  }
  return {NodeAction::skip, fmt::format("valid for {} more days", left)};
}

} // namespace ipsec
