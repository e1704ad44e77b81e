#pragma once
// Runs `verify`: reads every node's facts, then probes sender by sender on a bounded pool under
// one deadline, and hands what came back to ipsec/verify_report for the judgement.

#include "ipsec/verify_report.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ops {

struct VerifyOptions {
  std::vector<std::string> only_nodes;       // pairs with one of these on either end (all when empty)
  std::chrono::milliseconds window{2000};    // capture and echo time per sender
  size_t concurrency = 10;                   // senders probing at once
  std::chrono::milliseconds timeout{120000}; // the whole command
};

// Throws util::Error when a --node has no Kube-OVN pod or no nodes are found; a node that
// fails is a pair row with verdict unknown, never an exception.
ipsec::VerifyReport run_verify(const Session& session, const VerifyOptions& options);

} // namespace ops
