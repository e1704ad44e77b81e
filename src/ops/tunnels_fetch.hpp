#pragma once
// One node's part of `tunnels`: its tunnels/show, parsed as it streams in, and its chassis
// name. Shared by the report that keeps every node (on --wait) and the stream that prints
// each node as soon as the ones before it are printed (tunnels).

#include "ipsec/targets.hpp"
#include "ipsec/tunnels_report.hpp"
#include "ipsec/tunnels_show.hpp"
#include "kube/cluster.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace ops {

// Reads the node's system-id (one exec): its chassis name; throws util::Error when it fails.
std::string read_chassis(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout);

// Where a node's chassis is already known from (asked only when its tunnels do not name it).
using KnownChassis = std::function<std::string()>;

// The node's tunnels/show, parsed, and its chassis: the one its tunnels name, else
// `known_chassis()`, else (when there is none or it is "") its system-id read in one more exec.
// A failure is a result with an error (and the chassis as far as it could be learnt). With
// `sink`, each tunnel goes there as it is parsed and the result's tunnels stay empty.
ipsec::NodeTunnelsResult fetch_node_tunnels(kube::Cluster& cluster, const ipsec::NodeTarget& node,
                                            std::chrono::milliseconds timeout, const KnownChassis& known_chassis = {},
                                            const ipsec::TunnelsShowParser::TunnelSink& sink = {});

} // namespace ops
