#include "cli/nb_leader.hpp"

#include "ipsec/nb_flag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace cli {

namespace {

using namespace std::chrono_literals;

constexpr auto k_leader_retry = 1s;

// Runs an ovn-nbctl command whose only output is NB_Global.ipsec's value.
bool
flag_answer(kube::Cluster& cluster, const ipsec::PodTarget& leader, const std::vector<std::string>& argv,
            std::chrono::milliseconds timeout)
{
  const std::string out = central_command(cluster, leader, argv, timeout);
  if (auto flag = ipsec::parse_ipsec_flag(out)) {
    return *flag;
  }
  throw util::Error(fmt::format("unexpected answer from `{}` in {}/{}: \"{}\"", util::join(argv, " "), leader.ns,
                                leader.pod, util::trim(out).substr(0, 80)));
}

} // namespace

ipsec::PodTarget
find_leader(kube::Cluster& cluster, const AppContext& ctx, const std::string& ns, int attempts)
{
  for (int attempt = 1;; ++attempt) {
    const auto candidates = cluster.list_pods(ns, std::string(ipsec::k_nb_leader_selector), "");
    if (auto leader = ipsec::pick_central_leader(candidates)) {
      ctx.log(1, fmt::format("NB leader: {}/{}", leader->ns, leader->pod));
      return *leader;
    }
    if (attempt >= attempts) {
      throw util::Error(fmt::format("no ready OVN NB leader in namespace {} after {} {}: {}", ns, attempts,
                                    attempts == 1 ? "try" : "tries", ipsec::describe_leader_candidates(candidates)));
    }
    ctx.sleep(k_leader_retry);
  }
}

std::string
central_command(kube::Cluster& cluster, const ipsec::PodTarget& leader, const std::vector<std::string>& argv,
                std::chrono::milliseconds timeout)
{
  kube::ExecRequest request{leader.ns, leader.pod, leader.container, argv, std::nullopt, timeout, {}};
  const auto result = cluster.exec(request);
  if (result.exit_code != 0) {
    const auto said = util::trim(result.err);
    throw util::Error(fmt::format("`{}` in {}/{} exited with code {}{}{}", util::join(argv, " "), leader.ns,
                                  leader.pod, result.exit_code, said.empty() ? "" : ": ",
                                  said.substr(0, said.find('\n'))));
  }
  return result.out;
}

bool
read_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, std::chrono::milliseconds timeout)
{
  return flag_answer(cluster, leader, ipsec::nb_get_ipsec_command(), timeout);
}

bool
swap_flag(kube::Cluster& cluster, const ipsec::PodTarget& leader, bool on, std::chrono::milliseconds timeout)
{
  return flag_answer(cluster, leader, ipsec::nb_get_then_set_ipsec_command(on), timeout);
}

std::optional<ipsec::FlagOwner>
flag_owner(kube::Cluster& cluster, const std::string& ns)
{
  return flag_owner(cluster, ns, cluster.list_pods(ns, std::string(ipsec::k_cni_selector), ""));
}

std::optional<ipsec::FlagOwner>
flag_owner(kube::Cluster& cluster, const std::string& ns, const std::vector<kube::Pod>& cni_pods)
{
  return ipsec::find_flag_owner(cluster.list_pods(ns, std::string(ipsec::k_controller_selector), ""), cni_pods);
}

} // namespace cli
