#pragma once
// `tunnels` as a stream: every chassis name is learnt first (one SB read; each node's
// system-id only where the Chassis table is silent), then the nodes are read on a bounded
// pool, each reduced to what will be printed while its tunnels are at hand, and printed in
// node-name order as soon as the nodes before it are printed. Memory is a window of nodes,
// not N² tunnels.

#include "ipsec/tunnels_report.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ops {

// Takes one node's tunnels as they are parsed, on a fan-out thread, and reduces them to what
// will be printed (the tunnels themselves are not kept).
class NodeConsumer {
public:
  virtual ~NodeConsumer() = default;
  virtual void tunnel(ipsec::Tunnel&& tunnel) = 0;

  struct Done {
    std::function<void()> print; // called on the caller's thread, in output order
    bool trustworthy = false;    // see ipsec::node_trustworthy
  };
  // The rest of the node's result (its tunnels went to tunnel()).
  virtual Done finish(const ipsec::NodeTunnelsResult& node) = 0;
};

// One consumer per node: its name, and every chassis name.
using NodeConsumers = std::function<std::unique_ptr<NodeConsumer>(const std::string& node, const ipsec::ChassisNames&)>;

struct TunnelsStreamRequest {
  std::vector<std::string> only_nodes; // --node; every node when empty
  size_t concurrency = 1;
  std::chrono::milliseconds timeout{0}; // per node
  // What a node being read or waiting to print holds per tunnel, at most (the consumer's
  // measure): it sets how many nodes are read at once on a big cluster.
  size_t held_bytes_per_tunnel = 1200;
};

// Tunnels that come before the chassis names wait as parsed, ~1.5 KB each, a tunnel to every
// other node: only as many nodes start their exec before the SB read is done as 8 MiB of them
// allow (at 1,000 nodes one node is 1.5 MB of them, and 17 made 25 MB when the API server
// answered at once); at least 4. The others wait for the names before their exec, where
// waiting holds no exec slot.
inline constexpr size_t k_early_bytes_per_tunnel = 1536;
size_t nodes_before_names(size_t nodes);

// Returns whether every node's output was trustworthy; the parsers' warnings go to the -v log
// in output order.
bool stream_tunnels(const Session& session, const TunnelsStreamRequest& request, const NodeConsumers& consumers);

} // namespace ops
