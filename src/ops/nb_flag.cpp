#include "ops/nb_flag.hpp"

#include "ops/exec.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <ostream>

namespace ops {

namespace {

using namespace std::chrono_literals;

constexpr auto k_leader_retry = 1s;

// Runs an ovn-nbctl command whose only output is NB_Global.ipsec's value.
bool
flag_answer(kube::Cluster& cluster, const ipsec::PodTarget& leader, const std::vector<std::string>& argv,
            std::chrono::milliseconds timeout)
{
  const std::string out = checked_output(cluster, leader, argv, timeout, Wording::command);
  if (auto flag = ipsec::parse_ipsec_flag(out)) {
    return *flag;
  }
  throw util::Error(fmt::format("unexpected answer from `{}` in {}/{}: \"{}\"", util::join(argv, " "), leader.ns,
                                leader.pod, util::trim(out).substr(0, 80)));
}

} // namespace

ipsec::PodTarget
find_leader(const Session& session, int attempts)
{
  for (int attempt = 1;; ++attempt) {
    const auto candidates = session.cluster.list_pods(session.ns, std::string(ipsec::k_nb_leader_selector), "");
    if (auto leader = ipsec::pick_central_leader(candidates)) {
      session.log(1, fmt::format("NB leader: {}/{}", leader->ns, leader->pod));
      return *leader;
    }
    if (attempt >= attempts) {
      throw util::Error(fmt::format("no ready OVN NB leader in namespace {} after {} {}: {}", session.ns, attempts,
                                    attempts == 1 ? "try" : "tries", ipsec::describe_leader_candidates(candidates)));
    }
    if (session.deadline.at.remaining() <= k_leader_retry) {
      throw session.deadline.timed_out(fmt::format("a ready OVN NB leader in namespace {} ({})", session.ns,
                                                   ipsec::describe_leader_candidates(candidates)));
    }
    session.sleep(k_leader_retry);
  }
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

ipsec::FlipResult
flip_flag(const Session& session, bool on, std::chrono::milliseconds timeout)
{
  // kubectl-ko waits up to 10 s for a leader; an election normally settles well within that.
  constexpr int leader_attempts = 10;
  ipsec::FlipResult result;
  result.on = on;
  result.ns = session.ns;
  const auto& deadline = session.deadline;
  for (int attempt = 1;; ++attempt) {
    const auto leader = find_leader(session, leader_attempts);
    result.leader = leader;
    // What a timeout was waiting for, named in the error when --timeout runs out.
    std::string step = fmt::format("NB_Global.ipsec={} to be set through {}/{}", on, leader.ns, leader.pod);
    try {
      const bool was = swap_flag(session.cluster, leader, on, deadline.cap(timeout, step));
      result.was = was;
      if (was == on && !result.set_through.empty()) {
        // The set landed before the old leader stepped down; the new one confirms it.
        result.outcome = ipsec::FlipOutcome::turned_after_move;
        return result;
      }
      if (was == on && attempt > 1) {
        // The first get+set failed: it may or may not have landed, so claim neither.
        result.outcome = ipsec::FlipOutcome::is_after_move;
        return result;
      }
      if (was == on) {
        result.outcome = ipsec::FlipOutcome::already;
        return result;
      }
      result.set_through = leader.pod;
      step = fmt::format("NB_Global.ipsec to be read back through {}/{} after setting it to {} (the change may "
                         "stand)",
                         leader.ns, leader.pod, on);
      if (read_flag(session.cluster, leader, deadline.cap(timeout, step)) != on) {
        throw util::Error(fmt::format("NB_Global.ipsec still reads {} after setting it through {}/{}",
                                      on ? "false" : "true", leader.ns, leader.pod));
      }
      result.outcome = ipsec::FlipOutcome::turned;
      return result;
    } catch (const util::Error& e) {
      if (deadline.expired()) {
        // No time is left to try again: the error says what was waited for (-v 1 has how it failed).
        session.log(1, fmt::format("NB leader {} failed: {}", leader.pod, e.what()));
        throw deadline.timed_out(step);
      }
      if (attempt >= 2) {
        throw;
      }
      session.log(1, fmt::format("NB leader {} failed ({}); looking for the leader again", leader.pod, e.what()));
    }
  }
}

ipsec::FlipResult
turn_ipsec(const Session& session, bool on, bool force, std::chrono::milliseconds timeout)
{
  const auto owner = flag_owner(session.cluster, session.ns);
  if (owner && owner->value != on) {
    if (!force) {
      throw util::Error(ipsec::owned_flag_message(*owner, on, session.ns));
    }
    session.err << "warning: --force: kube-ovn-controller will set NB_Global.ipsec back to "
                << (owner->value ? "true" : "false") << " when it restarts\n";
  }
  return flip_flag(session, on, timeout);
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

} // namespace ops
