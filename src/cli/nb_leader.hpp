#pragma once
// The OVN NB leader and NB_Global.ipsec through it: shared by `on`/`off` (which change the
// flag) and `status` (which only reads it).

#include "cli/app.hpp"
#include "ipsec/nb_flag.hpp"
#include "ipsec/targets.hpp"
#include "kube/cluster.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cli {

// The ready NB leader pod in `ns`, asked up to `attempts` times 1 s apart while an election
// settles; throws util::Error naming the pods seen when there is none.
ipsec::PodTarget find_leader(kube::Cluster& cluster, const AppContext& ctx, const std::string& ns, int attempts);

// Runs an ovn-nbctl / ovn-sbctl command in an ovn-central pod and returns its stdout; a
// non-zero exit is a util::Error naming the command, the pod and the first line of stderr.
std::string central_command(kube::Cluster& cluster, const ipsec::PodTarget& leader,
                            const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// NB_Global.ipsec as the leader reads it; an answer other than true/false is a util::Error.
bool read_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, std::chrono::milliseconds timeout);

// Sets NB_Global.ipsec to `on` through the leader and returns the value it had, read in the
// same transaction; an answer other than true/false is a util::Error.
bool swap_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, bool on, std::chrono::milliseconds timeout);

// Kube-OVN >= 1.13's --enable-ovn-ipsec owner in `ns` (kube-ovn-controller, else kube-ovn-cni pods).
std::optional<ipsec::FlagOwner> flag_owner(kube::Cluster& cluster, const std::string& ns);
// The same, with the kube-ovn-cni pods a discovery already listed.
std::optional<ipsec::FlagOwner> flag_owner(kube::Cluster& cluster, const std::string& ns,
                                           const std::vector<kube::Pod>& cni_pods);

} // namespace cli
