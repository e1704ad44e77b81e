#pragma once
// Gathers the `status` report: NB_Global.ipsec from the NB leader (while the nodes are asked),
// every node's chassis name, then each wanted node's tunnels/show streamed into counters.
// Judgements: ipsec/node_status.

#include "ipsec/node_status.hpp"
#include "ops/discovery.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

struct StatusRequest {
  std::vector<std::string> only_nodes; // all nodes when empty; every chassis is still read
  size_t concurrency = k_default_concurrency;
  std::chrono::milliseconds timeout{20'000}; // each command run in a pod
  int leader_attempts = 3;
};

// Never throws for a node or for the flag: failures are recorded in the report.
ipsec::StatusReport collect_status(const Session& session, const Discovery& found, const StatusRequest& request);

// The whole `status` report: discovery, collect_status, and who owns the flag.
ipsec::StatusReport read_status(const Session& session, const StatusRequest& request);

} // namespace ops
