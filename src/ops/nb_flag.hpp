#pragma once
// The I/O half of NB_Global.ipsec: the OVN NB leader and the flag through it, shared by
// `on`/`off` (which change it) and `status` (which only reads it). Decisions: ipsec/nb_flag.

#include "ipsec/nb_flag.hpp"
#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ops {

// The ready NB leader pod, asked up to `attempts` times 1 s apart while an election settles;
// throws util::Error naming the pods seen when there is none.
ipsec::PodTarget find_leader(const Session& session, int attempts);

// NB_Global.ipsec as the leader reads it; an answer other than true/false is a util::Error.
bool read_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, std::chrono::milliseconds timeout);

// Sets NB_Global.ipsec to `on` through the leader and returns the value it had, read in the
// same transaction; an answer other than true/false is a util::Error.
bool swap_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, bool on, std::chrono::milliseconds timeout);

// Sets NB_Global.ipsec to `on` and reads it back in a second exec: success is only ever
// reported from that read. When the leader changes under us, the step is redone once against
// the new leader. Throws util::Error when it cannot say the flag is `on`.
ipsec::FlipResult flip_flag(const Session& session, bool on, std::chrono::milliseconds timeout);

// `on`/`off`: refuses (util::Error) when Kube-OVN's --enable-ovn-ipsec owns the flag and
// would set it back, unless `force` (then a warning goes to stderr); then flip_flag.
ipsec::FlipResult turn_ipsec(const Session& session, bool on, bool force, std::chrono::milliseconds timeout);

// Kube-OVN >= 1.13's --enable-ovn-ipsec owner in `ns` (kube-ovn-controller, else kube-ovn-cni pods).
std::optional<ipsec::FlagOwner> flag_owner(kube::Cluster& cluster, const std::string& ns);
// The same, with the kube-ovn-cni pods a discovery already listed.
std::optional<ipsec::FlagOwner> flag_owner(kube::Cluster& cluster, const std::string& ns,
                                           const std::vector<kube::Pod>& cni_pods);

} // namespace ops
