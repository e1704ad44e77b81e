#include "ipsec/verify_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace ipsec {

std::string_view
to_string(Verdict verdict)
{
  switch (verdict) {
  case Verdict::encrypted:
    return "encrypted";
  case Verdict::leaking:
    return "LEAKING";
  case Verdict::not_encrypted:
    return "not encrypted";
  case Verdict::unknown:
    break;
  }
  return "unknown";
}

std::string
probe_blocker(const VerifyNode& node)
{
  if (!node.error.empty()) {
    return node.error;
  }
  if (!node.facts.missing_tools.empty()) {
    return "its pod has no " + node.facts.missing_tools.front();
  }
  if (node.facts.encap_ip.empty()) {
    return "OVS has no external_ids:ovn-encap-ip";
  }
  if (node.facts.ovn0_ip.empty()) {
    return "no IPv4 address on ovn0 (Kube-OVN's join port)";
  }
  if (node.facts.mtu == 0) {
    return "ovn0's MTU could not be read";
  }
  return "";
}

std::vector<ProbePlan>
plan_pairs(const std::vector<std::string>& nodes, const std::vector<std::string>& only)
{
  const std::set<std::string> chosen(only.begin(), only.end());
  const auto picked = [&](const std::string& node) { return chosen.count(node) != 0; };
  std::vector<ProbePlan> plans;
  for (const auto& sender : nodes) {
    ProbePlan plan{sender, {}};
    for (const auto& peer : nodes) {
      if (peer != sender && (chosen.empty() || picked(sender) || picked(peer))) {
        plan.peers.push_back(peer);
      }
    }
    if (!plan.peers.empty()) {
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

namespace {

void
judge_pair(PairResult& pair, const ProbeOutput& probe)
{
  const bool has_esp = pair.esp_wire > 0 || pair.sa_packets > 0;
  if (pair.clear_wire > 0) {
    const auto clear = fmt::format("{} Geneve packet{} to {} left in the clear", pair.clear_wire,
                                   pair.clear_wire == 1 ? "" : "s", pair.to);
    if (has_esp || pair.sa_present) {
      pair.verdict = Verdict::leaking;
      pair.reason = clear + " although the pair has ESP";
    } else {
      pair.verdict = Verdict::not_encrypted;
      pair.reason = clear + ", no ESP SA to it";
    }
    return;
  }
  if (has_esp) {
    pair.verdict = Verdict::encrypted;
    return;
  }
  pair.verdict = Verdict::unknown;
  if (!probe.traffic_error.empty()) {
    pair.reason = "no probe traffic: " + probe.traffic_error;
  } else if (pair.echo.sent == 0) {
    pair.reason = "no echo could be sent to the peer's ovn0";
  } else {
    pair.reason = fmt::format("nothing to {} on the wire ({} echoes sent, {} answered)", pair.to, pair.echo.sent,
                              pair.echo.replied);
  }
}

} // namespace

std::vector<PairResult>
judge_probe(const VerifyNode& sender, const std::vector<const VerifyNode*>& peers, const ProbeOutput& probe)
{
  std::vector<PairResult> rows;
  for (const auto* peer : peers) {
    PairResult pair;
    pair.from = sender.node;
    pair.to = peer->node;
    if (const auto blocker = probe_blocker(*peer); !blocker.empty()) {
      pair.reason = peer->node + ": " + blocker;
      rows.push_back(std::move(pair));
      continue;
    }
    if (!probe.missing_tools.empty()) {
      pair.reason = sender.node + ": its pod has no " + probe.missing_tools.front();
      rows.push_back(std::move(pair));
      continue;
    }
    const auto& dst = peer->facts.encap_ip;
    if (const auto it = probe.wire.find(dst); it != probe.wire.end()) {
      pair.esp_wire = it->second.esp;
      pair.clear_wire = it->second.clear;
      pair.example = it->second.example;
    }
    pair.sa_packets = sa_packets_delta(probe.sas_before, probe.sas_after, dst);
    pair.sa_present = has_sa_to(probe.sas_before, dst) || has_sa_to(probe.sas_after, dst);
    if (const auto it = probe.echo.find(peer->facts.ovn0_ip); it != probe.echo.end()) {
      pair.echo = it->second;
    }
    if (const auto it = probe.mtu.find(peer->facts.ovn0_ip); it != probe.mtu.end()) {
      pair.mtu = it->second;
    }
    if (!probe.capture_ran) {
      // Without the capture, no cleartext cannot be proven, whatever the counters say.
      pair.reason = sender.node + ": capture failed: " + probe.capture_error;
    } else {
      judge_pair(pair, probe);
    }
    rows.push_back(std::move(pair));
  }
  return rows;
}

std::vector<PairResult>
unknown_pairs(const std::string& from, const std::vector<std::string>& peers, const std::string& why)
{
  std::vector<PairResult> rows;
  for (const auto& peer : peers) {
    PairResult pair;
    pair.from = from;
    pair.to = peer;
    pair.reason = why;
    rows.push_back(std::move(pair));
  }
  return rows;
}

bool
mtu_ok(const PairResult& pair)
{
  return pair.mtu && pair.mtu->result == "ok";
}

bool
verify_passed(const VerifyReport& report)
{
  return !report.pairs.empty() && std::all_of(report.pairs.begin(), report.pairs.end(), [](const PairResult& pair) {
    return pair.verdict == Verdict::encrypted && mtu_ok(pair);
  });
}

std::string
verify_summary(const VerifyReport& report)
{
  size_t count[4] = {0, 0, 0, 0};
  size_t mtu_problems = 0;
  for (const auto& pair : report.pairs) {
    ++count[static_cast<int>(pair.verdict)];
    if (pair.verdict == Verdict::encrypted && !mtu_ok(pair)) {
      ++mtu_problems;
    }
  }
  const auto total = report.pairs.size();
  if (total == 0) {
    return "nothing verified: fewer than two nodes to send between";
  }
  if (verify_passed(report)) {
    return fmt::format("verified: {}/{} node pairs encrypted (ESP on the wire, no Geneve in the clear, "
                       "full-MTU packets cross)",
                       total, total);
  }
  std::vector<std::string> parts;
  const auto add = [&](size_t n, std::string_view what) {
    if (n > 0) {
      parts.push_back(fmt::format("{} {}", n, what));
    }
  };
  add(count[static_cast<int>(Verdict::leaking)], "LEAKING");
  add(count[static_cast<int>(Verdict::not_encrypted)], "not encrypted");
  add(count[static_cast<int>(Verdict::unknown)], "unknown");
  add(mtu_problems,
      mtu_problems == 1 ? "encrypted pair drops full-MTU packets" : "encrypted pairs drop full-MTU packets");
  return fmt::format("NOT verified: {}/{} node pairs encrypted; {}", count[static_cast<int>(Verdict::encrypted)], total,
                     fmt::join(parts, ", "));
}

} // namespace ipsec
