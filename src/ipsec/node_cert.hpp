#pragma once
// What `status` says about a node's IPsec certificate, from the same look `init` takes
// (probe_command) and the CA in Secret ovn-ipsec-ca. Pure.

#include "ipsec/init_plan.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ipsec {

struct CertView {
  std::string state;   // "ok", "none", "file missing", "other CA", "expired", "unreadable", "unknown"
  std::string subject; // "" when there is no readable certificate
  std::optional<long> days_left;
  std::optional<bool> from_current_ca; // nullopt when there is no CA to compare with
  std::optional<std::chrono::system_clock::time_point> not_before;
  std::optional<std::chrono::system_clock::time_point> not_after;
  std::optional<long> renew_in_days; // Kube-OVN >= 1.13: when kube-ovn-cni replaces it (kube_ovn_pki.hpp)
};

// The files OVSDB names (other_config certificate / private_key / ca_cert) when they are not
// `defaults`, so `status` judges the certificate OVS really uses: Kube-OVN >= 1.13 keeps it in
// /etc/ovs_ipsec_keys/ipsec-cert.pem (pkg/daemon/ipsec.go), not where ipsec.sh put it. A key
// OVSDB leaves unset keeps its default. nullopt when OVSDB names `defaults` or nothing.
std::optional<NodePaths> paths_named_in_ovsdb(const NodeProbe& probe, const NodePaths& defaults);

// `probe` nullopt: the node could not be looked at (state "unknown"). `ca_pem` empty: no CA
// Secret, so the issuer cannot be judged.
CertView view_certificate(const std::optional<NodeProbe>& probe, std::string_view ca_pem,
                          std::chrono::system_clock::time_point now);

// The CERT cell: "ok (729d)", "file missing", "other CA", ...
std::string cert_cell(const CertView& view);

} // namespace ipsec
