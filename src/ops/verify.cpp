#include "ops/verify.hpp"

#include "ipsec/verify_probe.hpp"
#include "ops/discovery.hpp"
#include "ops/exec.hpp"
#include "util/deadline.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

namespace ops {

namespace {

// Reading facts is a few quick commands (ovs-vsctl has its own 5 s limit): a node that takes
// longer is down, and must not eat the time the other nodes' probes need.
constexpr std::chrono::milliseconds k_facts_limit{10000};

std::chrono::milliseconds
within(const util::Deadline& deadline, std::chrono::milliseconds limit)
{
  return std::min(limit, deadline.remaining());
}

ipsec::VerifyNode
read_facts(kube::Cluster& cluster, const ipsec::NodeTarget& node, const util::Deadline& deadline)
{
  ipsec::VerifyNode out{node.node, {}, ""};
  if (!node.target) {
    out.error = node.problem;
    return out;
  }
  try {
    const auto result = exec_in(cluster, *node.target, ipsec::verify_facts_command(), within(deadline, k_facts_limit));
    require_success(result, "reading ovn0 and the encap IP", *node.target, Wording::step);
    out.facts = ipsec::parse_verify_facts(result.out);
  } catch (const util::Error& e) {
    out.error = e.what();
  }
  return out;
}

std::vector<ipsec::PairResult>
probe_sender(kube::Cluster& cluster, const ipsec::NodeTarget& target, const ipsec::ProbePlan& plan,
             const std::map<std::string, ipsec::VerifyNode>& nodes, const VerifyOptions& options,
             const util::Deadline& deadline)
{
  const auto& sender = nodes.at(plan.sender);
  if (const auto blocker = ipsec::probe_blocker(sender); !blocker.empty()) {
    return ipsec::unknown_pairs(plan.sender, plan.peers, plan.sender + ": " + blocker);
  }
  std::vector<const ipsec::VerifyNode*> peers;
  std::vector<std::string> addresses;
  for (const auto& name : plan.peers) {
    peers.push_back(&nodes.at(name));
    if (ipsec::probe_blocker(*peers.back()).empty()) {
      addresses.push_back(peers.back()->facts.ovn0_ip);
    }
  }
  if (addresses.empty()) {
    return ipsec::judge_probe(sender, peers, {}); // every peer says why it cannot be probed
  }
  // A probe cut short would prove nothing: it starts only with its whole time still left.
  const auto limit = ipsec::probe_time_limit(options.window);
  if (deadline.remaining() < options.window + std::chrono::seconds(10)) {
    return ipsec::unknown_pairs(plan.sender, plan.peers, "--timeout ran out before this node's turn");
  }
  try {
    kube::ExecRequest request;
    request.ns = target.target->ns;
    request.pod = target.target->pod;
    request.container = target.target->container;
    request.command = ipsec::verify_probe_command(options.window, sender.facts.mtu, addresses);
    request.timeout = within(deadline, limit);
    request.may_be_silent = true; // it captures for the whole window before it prints
    const auto result = cluster.exec(request);
    require_success(result, "the verify probe", *target.target, Wording::step);
    return ipsec::judge_probe(sender, peers, ipsec::parse_probe_output(result.out));
  } catch (const util::Error& e) {
    return ipsec::unknown_pairs(plan.sender, plan.peers, e.what());
  }
}

} // namespace

ipsec::VerifyReport
run_verify(const Session& session, const VerifyOptions& options)
{
  const auto deadline = util::Deadline::after(options.timeout);
  const auto found = discover_nodes(session, {});
  if (const auto missing = nodes_not_found(found, options.only_nodes); !missing.empty()) {
    throw util::Error(fmt::format("no Kube-OVN pod on node {} in namespace {} (is the node name right?)",
                                  fmt::join(missing, ", "), session.ns));
  }

  std::vector<ipsec::VerifyNode> facts(found.nodes.size());
  util::parallel_for(found.nodes.size(), options.concurrency,
                     [&](size_t i) { facts[i] = read_facts(session.cluster, found.nodes[i], deadline); });
  std::map<std::string, ipsec::VerifyNode> by_name;
  std::map<std::string, const ipsec::NodeTarget*> targets;
  std::vector<std::string> names;
  for (size_t i = 0; i < found.nodes.size(); ++i) {
    names.push_back(found.nodes[i].node);
    targets[found.nodes[i].node] = &found.nodes[i];
    if (!facts[i].error.empty()) {
      session.log(1, "verify: " + facts[i].node + ": " + facts[i].error);
    }
    by_name.emplace(found.nodes[i].node, std::move(facts[i]));
  }

  const auto plans = ipsec::plan_pairs(names, options.only_nodes);
  std::vector<std::vector<ipsec::PairResult>> rows(plans.size());
  util::parallel_for(plans.size(), options.concurrency, [&](size_t i) {
    const auto started = std::chrono::steady_clock::now();
    rows[i] = probe_sender(session.cluster, *targets.at(plans[i].sender), plans[i], by_name, options, deadline);
    session.log(
        1,
        fmt::format(
            "verify: {} probed {} peers in {} ms", plans[i].sender, plans[i].peers.size(),
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()));
  });

  ipsec::VerifyReport report;
  report.window = options.window;
  for (auto& sender_rows : rows) {
    for (auto& row : sender_rows) {
      report.pairs.push_back(std::move(row));
    }
  }
  return report;
}

} // namespace ops
