#include "ops/tunnels_stream.hpp"

#include "ops/discovery.hpp"
#include "ops/sb_chassis.hpp"
#include "ops/tunnels_fetch.hpp"
#include "util/error.hpp"
#include "util/ordered_parallel.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>

namespace ops {

namespace {

// One line of the output order: a node with a pod (index into Discovery::nodes) or a --node
// that has none.
struct Entry {
  std::string node;
  std::optional<size_t> found;
};

// Every chassis name, and each node's own.
struct Learnt {
  ipsec::ChassisNames names;
  std::map<std::string, std::string> chassis_of; // node → chassis
};

struct Reduced {
  NodeConsumer::Done done;
  std::vector<std::string> warnings;
};

// What the nodes being read, or waiting for the nodes before them to print, may hold together:
// with the ~18 MB the command needs besides, it keeps `tunnels` at 1,000 nodes (1.2-1.8 MB a
// node, by format) under 64 MB whatever the concurrency.
constexpr size_t k_held_bytes = 24 * 1024 * 1024;

// How many nodes' tunnels fit in `budget` bytes: a node has a tunnel to every other node.
size_t
nodes_within(size_t budget, size_t nodes, size_t bytes_per_tunnel)
{
  return budget / (std::max<size_t>(1, nodes) * std::max<size_t>(1, bytes_per_tunnel));
}

// How many nodes may be read or held at once: the concurrency, fewer on a big cluster.
size_t
node_window(size_t nodes, size_t concurrency, size_t held_bytes_per_tunnel)
{
  return std::clamp<size_t>(nodes_within(k_held_bytes, nodes, held_bytes_per_tunnel), std::min<size_t>(4, concurrency),
                            std::max<size_t>(1, concurrency));
}

// Every node's chassis name before any row is made: rows name remote chassis by node and list
// the peers a node has no tunnel to, which needs every chassis. One SB read names them all;
// a node the Chassis table does not name (no SB leader, a stale double entry) is asked for its
// system-id; one that cannot be asked either (down, no pod) is named by its Node's annotation.
ipsec::ChassisNames
learn_chassis(const Session& session, const Discovery& found, const TunnelsStreamRequest& request)
{
  std::vector<std::string> names;
  for (const auto& node : found.nodes) {
    names.push_back(node.node);
  }
  auto chassis = read_sb_chassis(session, names, request.timeout);
  std::set<std::string> named;
  for (const auto& entry : chassis) {
    named.insert(entry.node);
  }
  std::vector<const ipsec::NodeTarget*> unnamed;
  for (const auto& node : found.nodes) {
    if (named.count(node.node) == 0 && node.target) {
      unnamed.push_back(&node);
    }
  }
  if (!unnamed.empty()) {
    session.log(1, fmt::format("chassis names: reading the system-id of {} node(s)", unnamed.size()));
  }
  std::vector<std::string> read(unnamed.size());
  util::parallel_for(unnamed.size(), request.concurrency, [&](size_t i) {
    try {
      read[i] = read_chassis(session.cluster, *unnamed[i], request.timeout);
    } catch (const util::Error&) {
      // its own row, if asked for, says why; as a peer it stays unnamed
    }
  });
  for (size_t i = 0; i < unnamed.size(); ++i) {
    if (!read[i].empty()) {
      chassis.push_back({read[i], unnamed[i]->node});
      named.insert(unnamed[i]->node);
    }
  }
  // Only when a node is left unnamed: a healthy cluster costs no Node list.
  const bool all_named = std::all_of(found.nodes.begin(), found.nodes.end(),
                                     [&](const ipsec::NodeTarget& node) { return named.count(node.node) != 0; });
  if (!all_named) {
    for (auto& entry : read_annotated_chassis(session, named)) {
      chassis.push_back(std::move(entry));
    }
  }
  return ipsec::chassis_names(chassis);
}

// The nodes to print in output order: by name, --node names without a pod among them.
std::vector<Entry>
output_order(const Discovery& found, const std::vector<std::string>& only_nodes)
{
  const std::set<std::string> wanted(only_nodes.begin(), only_nodes.end());
  std::vector<Entry> entries;
  for (size_t i = 0; i < found.nodes.size(); ++i) {
    if (wanted.empty() || wanted.count(found.nodes[i].node) != 0) {
      entries.push_back({found.nodes[i].node, i});
    }
  }
  for (const auto& node : nodes_not_found(found, only_nodes)) {
    entries.push_back({node, std::nullopt});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.node < b.node; });
  return entries;
}

} // namespace

size_t
nodes_before_names(size_t nodes)
{
  constexpr size_t k_early_bytes = 8 * 1024 * 1024;
  return std::max<size_t>(4, nodes_within(k_early_bytes, nodes, k_early_bytes_per_tunnel));
}

bool
stream_tunnels(const Session& session, const TunnelsStreamRequest& request, const NodeConsumers& consumers)
{
  const auto found = discover_nodes(session, {});
  // The chassis names come from one SB read that runs while the nodes' execs start (at 100
  // nodes and 50 ms per exec that read was a sixth of the command).
  std::shared_future<Learnt> learnt = std::async(std::launch::async, [&] {
                                        Learnt out{learn_chassis(session, found, request), {}};
                                        for (const auto& [chassis, node] : out.names.chassis) {
                                          out.chassis_of.emplace(node, chassis);
                                        }
                                        return out;
                                      }).share();
  const auto entries = output_order(found, request.only_nodes);

  bool trustworthy = true;
  const size_t window = node_window(found.nodes.size(), request.concurrency, request.held_bytes_per_tunnel);
  // A node has a tunnel per peer (per peer encap IP): more than twice the nodes, before the
  // names are there, is not a node's output, and waiting holds memory it must not.
  const size_t early_limit = 2 * found.nodes.size() + 64;
  const size_t early_nodes = nodes_before_names(found.nodes.size());
  util::ordered_parallel<Reduced>(
      entries.size(), window, window,
      [&](size_t i) {
        const auto& entry = entries[i];
        if (i >= early_nodes) {
          learnt.wait(); // before its exec, where waiting holds no exec slot
        }
        std::unique_ptr<NodeConsumer> consumer;
        // The consumer needs every chassis name. Tunnels that arrive before the SB read is done
        // wait in `early`: a node never waits for the names inside its exec, where it holds one
        // of the exec slots that the SB read, or the reads that name what it left unnamed, need
        // (waiting there could hang the command once the limit is down to those slots).
        std::vector<ipsec::Tunnel> early;
        const auto reducer = [&] {
          if (!consumer) {
            consumer = consumers(entry.node, learnt.get().names);
            for (auto& tunnel : early) {
              consumer->tunnel(std::move(tunnel));
            }
            early = {};
          }
          return consumer.get();
        };
        const auto learnt_yet = [&] {
          return consumer || learnt.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        };
        ipsec::NodeTunnelsResult result;
        if (entry.found) {
          const auto known = [&] {
            const auto& chassis_of = learnt.get().chassis_of;
            const auto it = chassis_of.find(entry.node);
            return it != chassis_of.end() ? it->second : std::string();
          };
          result = fetch_node_tunnels(
              session.cluster, found.nodes[*entry.found], request.timeout, known, [&](ipsec::Tunnel&& tunnel) {
                if (learnt_yet()) {
                  reducer()->tunnel(std::move(tunnel));
                  return;
                }
                if (early.size() >= early_limit) {
                  throw util::MemoryLimitError(
                      fmt::format("more than {} tunnels before the chassis names were read, for {} nodes", early_limit,
                                  found.nodes.size()));
                }
                early.push_back(std::move(tunnel));
              });
        } else {
          result = {entry.node, "", std::nullopt, std::string(k_no_pod_on_node)};
        }
        return Reduced{reducer()->finish(result), ipsec::node_warnings(result)};
      },
      [&](size_t, Reduced reduced) {
        for (const auto& warning : reduced.warnings) {
          session.log(1, "warning: " + warning);
        }
        trustworthy = trustworthy && reduced.done.trustworthy;
        reduced.done.print();
      });
  return trustworthy;
}

} // namespace ops
