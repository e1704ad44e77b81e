#pragma once
// `init` on one node through the cluster seam: look, decide, and when a certificate is needed
// have the node make its key and request, check and sign the request here, and install the
// result. The node's key never leaves the node; the CA key never enters it.

#include "ipsec/init_plan.hpp"
#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"
#include "pki/ca.hpp"

#include <chrono>
#include <optional>
#include <semaphore>
#include <string>

namespace ops {

struct InitSettings {
  const pki::LoadedCa& ca;
  std::chrono::milliseconds timeout{20'000}; // each command in the pod
  int cert_days = 730;
  int renew_before_days = 30;
  int key_bits = 3072;
  bool force = false;
  bool dry_run = false;
  std::chrono::system_clock::time_point now;
  // ovs-ovn pods (Kube-OVN <= 1.12): start the IPsec daemons where they are not running.
  bool start_daemons = false;
  // Daemon starts in flight across nodes: a start re-keys every tunnel of the node, so a few at
  // a time, never all at once. Null: no bound.
  std::counting_semaphore<>* start_slots = nullptr;
  // What the node's CA file (cacert.pem) holds: `ca` unless `rotate ca` keeps the old CA there
  // while it re-issues certificates from the new one (ipsec/ca_rotation.hpp).
  std::optional<std::string> ca_file_pem = std::nullopt;
};

// Never throws: a failure is in the result. `known_id`: the node's system-id, already read (so
// it is not asked again); unset, init_node reads it.
ipsec::InitNodeResult init_node(kube::Cluster& cluster, const ipsec::NodeTarget& node, const InitSettings& settings,
                                const std::optional<std::string>& known_id = std::nullopt);

} // namespace ops
