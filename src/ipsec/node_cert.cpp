#include "ipsec/node_cert.hpp"

#include "pki/certificate_info.hpp"
#include "pki/errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipsec {

std::optional<NodePaths>
paths_named_in_ovsdb(const NodeProbe& probe, const NodePaths& defaults)
{
  const auto named = [&probe](const char* key, const std::string& fallback) {
    const auto it = probe.other_config.find(key);
    return it == probe.other_config.end() || it->second.empty() ? fallback : it->second;
  };
  NodePaths paths{named("private_key", defaults.key), named("certificate", defaults.cert),
                  named("ca_cert", defaults.ca)};
  if (paths.key == defaults.key && paths.cert == defaults.cert && paths.ca == defaults.ca) {
    return std::nullopt;
  }
  return paths;
}

CertView
view_certificate(const std::optional<NodeProbe>& probe, std::string_view ca_pem,
                 std::chrono::system_clock::time_point now)
{
  CertView view;
  if (!probe) {
    view.state = "unknown";
    return view;
  }
  if (probe->cert_pem.empty()) {
    const auto it = probe->other_config.find("certificate");
    view.state = it != probe->other_config.end() && !it->second.empty() ? "file missing" : "none";
    return view;
  }
  pki::CertificateInfo info;
  try {
    info = pki::inspect_certificate(probe->cert_pem, "node certificate",
                                    ca_pem.empty() ? std::nullopt : std::optional<std::string_view>(ca_pem));
  } catch (const pki::PkiError&) {
    view.state = "unreadable";
    return view;
  }
  view.subject = info.subject;
  view.not_before = info.not_before;
  view.not_after = info.not_after;
  view.days_left = pki::days_left(info, now);
  if (!ca_pem.empty()) {
    view.from_current_ca = info.issued_by_ca;
  }
  if (*view.days_left < 0) {
    view.state = "expired";
  } else if (view.from_current_ca == false) {
    view.state = "other CA";
  } else {
    view.state = "ok";
  }
  return view;
}

std::string
cert_cell(const CertView& view)
{
  if (view.state.empty()) {
    return "-";
  }
  if (view.days_left && view.state != "expired" && view.renew_in_days) {
    return fmt::format("{} ({}d, renewed in {}d)", view.state, *view.days_left, std::max(0L, *view.renew_in_days));
  }
  if (view.days_left && view.state != "expired") {
    return fmt::format("{} ({}d)", view.state, *view.days_left);
  }
  return view.state;
}

} // namespace ipsec
