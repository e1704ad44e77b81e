#include "ops/node_status.hpp"

#include "ipsec/ca_rotation.hpp"
#include "ipsec/ca_secret.hpp"
#include "ipsec/init_plan.hpp"
#include "ipsec/kube_ovn_pki.hpp"
#include "ipsec/nb_flag.hpp"
#include "ipsec/node_reason.hpp"
#include "ipsec/node_report.hpp"
#include "ipsec/tunnels_show.hpp"
#include "ops/exec.hpp"
#include "ops/fanout.hpp"
#include "ops/nb_flag.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <future>
#include <set>

namespace ops {

namespace {

void
read_flag_into(const Session& session, const StatusRequest& request, ipsec::StatusReport& report)
{
  try {
    const auto leader = find_leader(session, request.leader_attempts);
    report.flag_source = leader.ns + "/" + leader.pod;
    report.ipsec_on = read_flag(session.cluster, leader, request.timeout);
  } catch (const util::Error& e) {
    report.flag_error = e.what();
  }
}

// tunnels/show of one node, parsed as it streams in and reduced to counters on the way.
void
read_tunnels_into(kube::Cluster& cluster, const ipsec::PodTarget& target, const ipsec::ChassisIndex& chassis,
                  std::chrono::milliseconds timeout, ipsec::NodeStatus& status)
{
  ipsec::TunnelTally tally(chassis, status.chassis);
  ipsec::TunnelsShowParser parser([&tally](ipsec::Tunnel&& tunnel) { tally.add(tunnel); });
  try {
    const auto result = exec_in(cluster, target, ipsec::tunnels_show_command(), timeout, std::nullopt,
                                [&parser](std::string_view chunk) { parser.feed(chunk); });
    if (result.exit_code != 0) {
      status.error = ipsec::describe_monitor_failure(result);
      return;
    }
    parser.feed(result.out); // empty unless the cluster ignored the sink
  } catch (const util::Error& e) {
    status.error = e.what();
    status.reached = false; // the pod itself is gone or unreachable, not just its monitor
    return;
  }
  const auto model = parser.finish();
  status.monitor_answered = true;
  status.no_tunnels_line = model.no_tunnels;
  status.warnings = model.warnings.size();
  status.first_warning = model.warnings.empty() ? "" : model.warnings.front();
  tally.fill(status);
}

// The node's certificate as init would judge it; a node that cannot be looked at is "unknown".
void
read_certificate_into(kube::Cluster& cluster, const ipsec::PodTarget& target, const std::string& ca_pem,
                      std::chrono::milliseconds timeout, ipsec::NodeStatus& status)
{
  std::optional<ipsec::NodeProbe> probe;
  if (!status.chassis.empty()) {
    try {
      const auto look = [&](const ipsec::NodePaths& paths) -> std::optional<ipsec::NodeProbe> {
        const auto result = exec_in(cluster, target, ipsec::probe_command(paths), timeout);
        return result.exit_code == 0 ? ipsec::parse_probe(result.out) : std::nullopt;
      };
      const auto defaults = ipsec::node_paths(status.chassis);
      probe = look(defaults);
      // A second look only where OVSDB names other files (Kube-OVN >= 1.13's key directory).
      if (const auto named = probe ? ipsec::paths_named_in_ovsdb(*probe, defaults) : std::nullopt) {
        probe = look(*named);
      }
    } catch (const util::Error&) {
      // The tunnels step already said why this node cannot be reached.
    }
  }
  status.cert = ipsec::view_certificate(probe, ca_pem, std::chrono::system_clock::now());
}

// strongSwan's state, asked only where it can explain a node that is not up (wants_ike_check).
// A non-zero exit is "not running", as init's daemon check reads it.
void
read_ike_into(kube::Cluster& cluster, const ipsec::PodTarget& target, std::chrono::milliseconds timeout,
              ipsec::NodeStatus& status)
{
  if (!ipsec::wants_ike_check(status)) {
    return;
  }
  try {
    status.ike_running = exec_in(cluster, target, ipsec::ike_alive_command(), timeout).exit_code == 0;
  } catch (const util::Error&) {
    // The pod went away mid-way: the tunnels step's error already says so, or the next look will.
  }
}

// The CA certificate from Secret ovn-ipsec-ca, "" (with a note) when there is none to read.
std::string
read_ca(kube::Cluster& cluster, const std::string& ns, ipsec::StatusReport& report)
{
  auto& note = report.ca_note;
  try {
    const auto secret = cluster.get_secret(ns, std::string(ipsec::k_ca_secret_name));
    if (!secret) {
      report.ca_secret_missing = true;
      note =
          fmt::format("no Secret {}/{}: certificates not checked against a CA (run init)", ns, ipsec::k_ca_secret_name);
      return "";
    }
    const auto rotation = ipsec::read_rotation(*secret);
    if (rotation.phase != ipsec::CaPhase::none) {
      note = fmt::format("a CA rotation is under way (phase {}): `kubectl ko ipsec rotate ca` finishes it{}",
                         ipsec::to_string(rotation.phase),
                         rotation.phase == ipsec::CaPhase::retire ? "" : ", `rotate ca --abort` rolls it back");
    }
    return rotation.current.cert;
  } catch (const util::Error& e) {
    note = fmt::format("cannot read Secret {}/{}: {}", ns, ipsec::k_ca_secret_name, e.what());
    return "";
  }
}

} // namespace

ipsec::StatusReport
collect_status(const Session& session, const Discovery& found, const StatusRequest& request)
{
  auto& cluster = session.cluster;
  ipsec::StatusReport report;
  report.layout = found.layout;
  // The leader lookup may retry for seconds during an election; the nodes do not wait for it.
  auto flag = std::async(std::launch::async, [&] { read_flag_into(session, request, report); });

  const auto ids =
      exec_on_nodes(cluster, found.nodes, ipsec::system_id_command(), request.concurrency, request.timeout);
  const std::set<std::string> wanted(request.only_nodes.begin(), request.only_nodes.end());
  std::vector<std::string> chassis_names;
  std::size_t unresolved = 0;
  std::vector<const ipsec::NodeTarget*> targets;
  for (size_t i = 0; i < found.nodes.size(); ++i) {
    const auto row = ipsec::node_row(found.nodes[i], ids[i].result, ids[i].error);
    if (!row.chassis.empty()) {
      chassis_names.push_back(row.chassis);
    } else {
      ++unresolved;
    }
    if (!wanted.empty() && wanted.count(row.node) == 0) {
      continue;
    }
    ipsec::NodeStatus status;
    status.node = row.node;
    status.pod = row.pod;
    status.container = row.container;
    status.chassis = row.chassis;
    status.reached = ids[i].result.has_value();
    status.error = row.error;
    report.nodes.push_back(std::move(status));
    targets.push_back(&found.nodes[i]);
  }
  const ipsec::ChassisIndex chassis(chassis_names, unresolved);
  const std::string ca_pem = read_ca(cluster, session.ns, report);
  util::parallel_for(report.nodes.size(), request.concurrency, [&](size_t i) {
    auto& status = report.nodes[i];
    if (status.reached && targets[i]->target) {
      status.error.clear(); // a system-id problem alone does not stop the monitor being asked
      read_tunnels_into(cluster, *targets[i]->target, chassis, request.timeout, status);
      read_certificate_into(cluster, *targets[i]->target, ca_pem, request.timeout, status);
      read_ike_into(cluster, *targets[i]->target, request.timeout, status);
    } else {
      status.cert.state = "unknown";
    }
  });
  for (const auto& node : nodes_not_found(found, request.only_nodes)) {
    ipsec::NodeStatus status;
    status.node = node;
    status.error = std::string(k_no_pod_on_node);
    report.nodes.push_back(std::move(status));
  }
  flag.get();
  for (auto& status : report.nodes) {
    status.health = ipsec::judge(status, report.ipsec_on);
  }
  std::sort(report.nodes.begin(), report.nodes.end(),
            [](const ipsec::NodeStatus& a, const ipsec::NodeStatus& b) { return a.node < b.node; });
  return report;
}

ipsec::StatusReport
read_status(const Session& session, const StatusRequest& request)
{
  const auto found = discover_nodes(session, {});
  auto report = collect_status(session, found, request);
  report.owner = flag_owner(session.cluster, session.ns, found.cni_pods);
  if (report.owner && report.owner->value) {
    // Kube-OVN >= 1.13 issues and renews the certificates: say how, and when each is due.
    const auto pki = ipsec::describe_pki(found.cni_pods);
    if (report.ca_note.empty()) {
      report.ca_note = ipsec::pki_line(pki);
    }
    const auto now = std::chrono::system_clock::now();
    for (auto& status : report.nodes) {
      if (status.cert.not_before && status.cert.not_after) {
        status.cert.renew_in_days = ipsec::renew_in_days(pki, *status.cert.not_before, *status.cert.not_after, now);
      }
    }
  }
  if (report.owner && !report.owner->value && report.ipsec_on == false) {
    // Kube-OVN >= 1.13 turned off stops the IPsec daemons and flushes xfrm at every kube-ovn-cni
    // start (pkg/daemon/ipsec.go): a node whose monitor is down is clean there, not broken.
    for (auto& status : report.nodes) {
      if (status.health == ipsec::NodeHealth::monitor_down) {
        status.health = ipsec::NodeHealth::off;
      }
    }
  }
  if (report.owner) {
    // Kube-OVN's PKI at work: a CSR left over shows an enrollment that is stuck.
    try {
      ipsec::attach_csrs(report, session.cluster.list_csrs(), std::chrono::system_clock::now());
    } catch (const util::Error& e) {
      report.csr_note = fmt::format("certificate requests not readable: {}", e.what());
    }
    report.upgrade_note = ipsec::upgrade_note(*report.owner, !report.ca_secret_missing);
    if (report.ca_secret_missing) { // not init's to make here: kube-ovn-controller makes it when IPsec is on
      report.ca_note = fmt::format("no Secret {}/{}: certificates not checked against a CA (kube-ovn-controller "
                                   "creates it when --enable-ovn-ipsec is true)",
                                   session.ns, ipsec::k_ca_secret_name);
    }
  }
  const auto healer = ipsec::healer_for(report);
  for (auto& status : report.nodes) {
    status.reason = ipsec::explain(status, healer, session.ns);
  }
  return report;
}

} // namespace ops
