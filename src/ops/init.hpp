#pragma once
// The whole of `init` against the cluster: refuse where Kube-OVN signs itself, obtain the CA,
// then init_node on every node on a bounded pool, with a progress bar on a terminal.

#include "ipsec/init_plan.hpp"
#include "ops/discovery.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

struct InitRequest {
  std::vector<std::string> only_nodes; // all nodes when empty
  size_t concurrency = k_default_concurrency;
  std::chrono::milliseconds timeout{20'000}; // each command in a pod
  std::string ca_cert_file;                  // --ca-cert/--ca-key, "" when not given
  std::string ca_key_file;
  int cert_days = 730;
  int renew_before_days = 30;
  int key_bits = 3072;
  bool force = false;
  bool dry_run = false;
  // `rotate certs`: re-issue from the CA there is; never create one (that is init's job).
  bool require_existing_ca = false;
  std::string command = "init"; // named in the report and its messages
  // The caller looked for Kube-OVN's --enable-ovn-ipsec flag already and found none (rotate certs):
  // not asked again.
  bool no_kube_ovn_owner = false;
};

// Nodes whose IPsec daemons init starts at once (each start re-keys that node's tunnels).
inline constexpr std::ptrdiff_t k_daemon_starts_at_once = 3;

// Every node's system-id (its chassis name, the certificate's CN), read before any node acts:
// `refusal` says why a node gets no certificate (an id shared with another node, or not a UUID);
// `id` is "" when it could not be read (init_node then reads it and says why).
struct NodeChassis {
  std::string id;
  std::string refusal;
};
std::vector<NodeChassis> read_node_chassis(const Session& session, const std::vector<ipsec::NodeTarget>& nodes,
                                           size_t concurrency, std::chrono::milliseconds timeout);

// Throws util::Error before any node is touched (Kube-OVN signs, unusable CA); a node's
// failure is in its result.
ipsec::InitReport init_nodes(const Session& session, const InitRequest& request);

} // namespace ops
