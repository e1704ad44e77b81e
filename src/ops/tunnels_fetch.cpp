#include "ops/tunnels_fetch.hpp"

#include "ipsec/node_report.hpp"
#include "ipsec/tunnels_show.hpp"
#include "ops/exec.hpp"
#include "util/error.hpp"
#include "util/memory_budget.hpp"

#include <fmt/format.h>

namespace ops {

namespace {

// A node's tunnels/show is ~1.2 KB per tunnel: 8 MiB is ~7,000 peers, far beyond any Kube-OVN
// cluster. What a node's part of `tunnels` keeps grows with it (one node's rows are sorted
// before they print), and up to --concurrency nodes are held at once.
constexpr size_t k_max_tunnels_show = 8 * util::k_mib;

// The node's own chassis as its tunnels name it: OVN makes every tunnel's Local name (the CN
// of the node's certificate, which peers check against their remote_name) the node's system-id.
// "" when the output does not say it for sure (no tunnels, PSK mode, disagreeing blocks).
class ChassisNamedBy {
public:
  void add(const ipsec::Tunnel& tunnel)
  {
    if (!tunnel.local_name || tunnel.local_name->empty() || *tunnel.local_name == "None" ||
        (!m_name.empty() && m_name != *tunnel.local_name)) {
      m_unsure = true;
    } else {
      m_name = *tunnel.local_name;
    }
  }
  std::string name() const { return m_unsure ? "" : m_name; }

private:
  std::string m_name;
  bool m_unsure = false;
};

// A node whose tunnels/show failed is still a peer in the other nodes' rows, which should
// name it rather than show its raw chassis id: read its system-id within what is left of the
// node's --timeout (so a node that hangs costs one timeout, not two). "" when that fails too.
std::string
chassis_after_failure(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout,
                      std::chrono::steady_clock::time_point started)
{
  auto left = timeout;
  if (timeout.count() > 0) {
    left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (left < std::chrono::milliseconds(200)) {
      return "";
    }
  }
  try {
    return read_chassis(cluster, node, left);
  } catch (const util::Error&) {
    return ""; // the node's row already carries the first failure
  }
}

} // namespace

std::string
read_chassis(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout)
{
  const auto id = exec_in(cluster, *node.target, ipsec::system_id_command(), timeout);
  return ipsec::node_row(node, id, "").chassis;
}

ipsec::NodeTunnelsResult
fetch_node_tunnels(kube::Cluster& cluster, const ipsec::NodeTarget& node, std::chrono::milliseconds timeout,
                   const KnownChassis& known_chassis, const ipsec::TunnelsShowParser::TunnelSink& sink)
{
  // Asked only once the node's own output is in: it may wait for the SB read that runs meanwhile.
  const auto known = [&] { return known_chassis ? known_chassis() : std::string(); };
  ipsec::NodeTunnelsResult out;
  out.node = node.node;
  const auto started = std::chrono::steady_clock::now();
  if (!node.target) {
    out.error = node.problem;
    out.chassis = known();
    return out;
  }
  try {
    // Parsed as it streams in: no node's text is held whole.
    ChassisNamedBy named;
    ipsec::TunnelsShowParser parser;
    if (sink) {
      parser = ipsec::TunnelsShowParser([&](ipsec::Tunnel&& tunnel) {
        named.add(tunnel);
        try {
          sink(std::move(tunnel));
        } catch (const util::MemoryLimitError& e) {
          throw util::MemoryLimitError(
              fmt::format("output from {}/{}: {}", node.target->ns, node.target->pod, e.what()));
        }
      });
    }
    size_t received = 0;
    const auto shown = exec_in(
        cluster, *node.target, ipsec::tunnels_show_command(), timeout, std::nullopt, [&](std::string_view chunk) {
          received += chunk.size();
          if (received > k_max_tunnels_show) {
            throw util::exceeds_limit(fmt::format("output from {}/{}", node.target->ns, node.target->pod),
                                      k_max_tunnels_show);
          }
          parser.feed(chunk);
        });
    if (shown.exit_code != 0) {
      out.error = ipsec::describe_monitor_failure(shown);
    } else {
      parser.feed(shown.out); // empty unless the cluster ignored the sink
      out.tunnels = parser.finish();
      for (const auto& tunnel : out.tunnels->tunnels) {
        named.add(tunnel);
      }
      out.chassis = named.name();
    }
    if (out.chassis.empty()) {
      out.chassis = known();
      if (out.chassis.empty()) {
        out.chassis = read_chassis(cluster, node, timeout);
      }
    }
  } catch (const util::Error& e) {
    out.error = e.what();
    if (out.chassis.empty()) {
      out.chassis = known();
      if (out.chassis.empty()) {
        out.chassis = chassis_after_failure(cluster, node, timeout, started);
      }
    }
  }
  return out;
}

} // namespace ops
