#pragma once
// `rotate certs`: new node certificates from the CA the cluster has, a few nodes at a time, by
// init's own per-node steps (the node makes the new key; strongSwan and the monitor reload), then
// a wait until every tunnel is CONFIGURED again. Kube-OVN >= 1.13 renews its own: explained only.

#include "ipsec/init_plan.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ops {

// Nodes re-keyed at once by default: each new certificate re-keys every tunnel of its node.
inline constexpr size_t k_rotate_concurrency = 3;

struct RotateCertsRequest {
  std::vector<std::string> only_nodes; // all nodes when empty
  size_t concurrency = k_rotate_concurrency;
  std::chrono::milliseconds timeout{20'000}; // each command in a pod
  std::optional<int> before_days;            // only certificates with this many days or fewer left
  int cert_days = 730;
  int key_bits = 3072;
  bool dry_run = false;
};

// Throws util::Error before any node is touched (no CA Secret, unusable CA); a node's failure is
// in its result. On Kube-OVN >= 1.13 the report carries kube_ovn_owner and the explanation.
ipsec::InitReport rotate_certs(const Session& session, const RotateCertsRequest& request);

} // namespace ops
