#include "ops/kube_ovn_switch.hpp"

#include "util/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ostream>

namespace ops {

namespace {

using ipsec::WorkloadRef;

std::string
describe(const WorkloadRef& ref, const std::string& ns)
{
  return fmt::format("{} {}/{}", ref.kind, ns, ref.name);
}

kube::Workload
read_workload(const Session& session, const WorkloadRef& ref)
{
  auto found = session.cluster.get_workload(std::string(ref.kind), session.ns, std::string(ref.name));
  if (!found) {
    throw util::Error(fmt::format("no {}: Kube-OVN >= 1.13 keeps --enable-ovn-ipsec on Deployment "
                                  "kube-ovn-controller and DaemonSet kube-ovn-cni in namespace {}",
                                  describe(ref, session.ns), session.ns));
  }
  return std::move(*found);
}

kube::Workload
patch(const Session& session, const WorkloadRef& ref, const std::string& ops)
{
  try {
    return session.cluster.patch_workload(std::string(ref.kind), session.ns, std::string(ref.name), ops);
  } catch (const util::Error& e) {
    throw util::Error(fmt::format("cannot patch {}: {}", describe(ref, session.ns), e.what()));
  }
}

// Polls both workloads once a second until they are rolled out, printing progress as it changes.
void
wait_for_rollouts(const Session& session, const std::array<WorkloadRef, 2>& refs, std::chrono::milliseconds timeout)
{
  const long polls = std::max<long>(1, static_cast<long>(timeout / std::chrono::seconds(1)));
  std::string last;
  for (long poll = 0;; ++poll) {
    bool done = true;
    std::string progress;
    for (const auto& ref : refs) {
      const auto workload = read_workload(session, ref);
      done = done && ipsec::rollout_complete(workload);
      progress += (progress.empty() ? "" : ", ") + ipsec::rollout_progress(workload);
    }
    if (progress != last) {
      session.err << "rollout: " << progress << "\n" << std::flush;
      last = progress;
    }
    if (done) {
      return;
    }
    // Polls are counted (tests sleep in no time), and the command's --timeout ends them too: the
    // patches before them took some of it.
    if (poll >= polls || session.deadline.expired()) {
      throw util::Error(fmt::format("the rollout did not finish within {} s ({}); --enable-ovn-ipsec is changed and "
                                    "stays so: see `kubectl -n {} rollout status daemonset/kube-ovn-cni`",
                                    timeout.count() / 1000, progress, session.ns));
    }
    session.sleep(std::min<std::chrono::milliseconds>(std::chrono::seconds(1), session.deadline.at.remaining()));
  }
}

} // namespace

ipsec::KubeOvnSwitch
switch_kube_ovn(const Session& session, const KubeOvnSwitchRequest& request)
{
  const std::array<WorkloadRef, 2> refs{ipsec::k_controller_workload, ipsec::k_cni_workload};
  ipsec::KubeOvnSwitch result;
  result.on = request.on;
  std::array<kube::Workload, 2> workloads{read_workload(session, refs[0]), read_workload(session, refs[1])};
  for (const auto& workload : workloads) {
    if (auto helm = ipsec::helm_release(workload)) {
      result.helm = std::move(helm);
      return result; // Helm would undo a patch at its next upgrade: the user runs helm instead
    }
  }
  std::array<std::string, 2> patches;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const bool keys_volume = refs[i].name == ipsec::k_cni_workload.name;
    result.workloads.push_back(
        {std::string(refs[i].kind), std::string(refs[i].name), ipsec::workload_flag(workloads[i], refs[i].container)});
    patches[i] = ipsec::flag_patch(workloads[i], refs[i].container, request.on, keys_volume);
  }
  if (patches[0].empty() && patches[1].empty()) {
    // Nothing changed: no rollout of ours to wait for (one stuck on a NotReady node would hold an
    // `on` that has nothing to do until --timeout).
    result.rolled_out = ipsec::rollout_complete(workloads[0]) && ipsec::rollout_complete(workloads[1]);
    return result;
  }
  session.err << fmt::format("setting --enable-ovn-ipsec={} on deployment/{} and daemonset/{}{}\n", request.on,
                             refs[0].name, refs[1].name,
                             request.on ? " (with the ovs-ipsec-keys host path volume)" : "")
              << std::flush;
  const auto start = std::chrono::steady_clock::now();
  std::optional<kube::Workload> first;
  if (!patches[0].empty()) {
    first = patch(session, refs[0], patches[0]);
    result.workloads[0].patched = true;
  }
  if (!patches[1].empty()) {
    try {
      patch(session, refs[1], patches[1]);
      result.workloads[1].patched = true;
    } catch (const util::Error& e) {
      if (!first) {
        throw;
      }
      // Never leave one workload switched and the other not.
      const bool before = result.workloads[0].before.value_or(!request.on);
      try {
        patch(session, refs[0], ipsec::flag_patch(*first, refs[0].container, before, false));
      } catch (const util::Error& undo) {
        throw util::Error(fmt::format("{}; undoing the change to {} failed too: {}", e.what(),
                                      describe(refs[0], session.ns), undo.what()));
      }
      throw util::Error(
          fmt::format("{}; the change to {} was undone, nothing is changed", e.what(), describe(refs[0], session.ns)));
    }
  }
  wait_for_rollouts(session, refs, request.rollout_timeout);
  result.rolled_out = true;
  result.rollout_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  return result;
}

} // namespace ops
