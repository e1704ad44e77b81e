#pragma once
// `verify`'s judgement, one row per ordered node pair (sender → peer), from what each sender's
// probe measured (verify_probe.hpp). Pure.
//
// A pair is `encrypted` when ESP to the peer was seen (on the wire or in its outbound SA's
// counters) and no Geneve packet to it left in the clear during the window; `LEAKING` when
// cleartext Geneve went out although the pair has ESP (an SA or ESP packets); `not encrypted`
// when it went out in the clear with no ESP at all; `unknown` when the probe could not tell, with
// why. `verify` passes only when every pair is encrypted and ovn0's MTU crosses with DF set.

#include "ipsec/verify_probe.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

enum class Verdict { encrypted, leaking, not_encrypted, unknown };
// "encrypted", "LEAKING", "not encrypted", "unknown".
std::string_view to_string(Verdict verdict);

// A node as verify sees it: its pod's facts, or why they could not be read.
struct VerifyNode {
  std::string node;
  VerifyFacts facts;
  std::string error; // the node's pod is missing or failed: every pair with it is unknown
};

// Why `node` cannot take part in a probe ("" when it can).
std::string probe_blocker(const VerifyNode& node);

struct ProbePlan {
  std::string sender;
  std::vector<std::string> peers;
};

// Every ordered pair among `nodes`, grouped by sender; with `only` set, the pairs with one of
// them on either end. Senders and peers keep `nodes`' order.
std::vector<ProbePlan> plan_pairs(const std::vector<std::string>& nodes, const std::vector<std::string>& only);

struct PairResult {
  std::string from;
  std::string to;
  std::uint64_t esp_wire = 0;   // ESP packets to the peer seen on the wire
  std::uint64_t clear_wire = 0; // Geneve packets to the peer in the clear
  std::uint64_t sa_packets = 0; // rise of the outbound SAs' packet counters
  bool sa_present = false;      // an outbound ESP SA to the peer existed
  EchoCount echo;
  std::optional<MtuProbe> mtu;
  std::string example; // a cleartext packet as tcpdump printed it
  Verdict verdict = Verdict::unknown;
  std::string reason; // why not encrypted / unknown; "" for encrypted
};

// The rows of one sender's probe. `peers` are the plan's peers, looked up in `nodes`.
std::vector<PairResult> judge_probe(const VerifyNode& sender, const std::vector<const VerifyNode*>& peers,
                                    const ProbeOutput& probe);
// Every pair of a sender whose probe did not run, unknown because of `why`.
std::vector<PairResult> unknown_pairs(const std::string& from, const std::vector<std::string>& peers,
                                      const std::string& why);

struct VerifyReport {
  std::vector<PairResult> pairs; // sender by sender, in node order
  std::chrono::milliseconds window{0};
};

bool mtu_ok(const PairResult& pair);
// Every pair encrypted, none leaking, ovn0's MTU crossing on each (and at least one pair).
bool verify_passed(const VerifyReport& report);
// The one line printed before the table, e.g. "verified: 6/6 node pairs encrypted, ...".
std::string verify_summary(const VerifyReport& report);

} // namespace ipsec
