#include "kube/exec_limit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kube {

namespace {

// The slots a fractional limit grants: 8 + 8 × 1/8 is 9, whatever the rounding of the eighths.
std::size_t
whole(double limit)
{
  return static_cast<std::size_t>(std::floor(limit + 1e-9));
}

} // namespace

ExecLimitPolicy
ExecLimitPolicy::fixed(std::size_t n)
{
  ExecLimitPolicy policy;
  policy.initial = std::max<std::size_t>(1, n);
  policy.cap = policy.initial;
  policy.adaptive = false;
  return policy;
}

ExecLimiter::Slot::Slot(Slot&& other) noexcept
    : m_owner(other.m_owner), m_round(other.m_round), m_signal(other.m_signal)
{
  other.m_owner = nullptr;
}

ExecLimiter::Slot::~Slot()
{
  if (m_owner != nullptr) {
    m_owner->release(*this);
  }
}

void
ExecLimiter::Slot::report(ExecSignal signal)
{
  if (signal == ExecSignal::overload && m_owner != nullptr) {
    m_owner->overloaded(*this);
    return;
  }
  // A 429 that was followed by a good retry stays the exec's story: it already cut.
  if (m_signal != ExecSignal::overload) {
    m_signal = signal;
  }
}

ExecLimiter::ExecLimiter(ExecLimitPolicy policy, std::function<void(const std::string&)> log)
    : m_policy(policy), m_log(std::move(log)),
      m_limit(static_cast<double>(std::clamp<std::size_t>(policy.initial, 1, std::max<std::size_t>(1, policy.cap))))
{}

ExecLimiter::Slot
ExecLimiter::acquire()
{
  std::unique_lock lock(m_mutex);
  m_freed.wait(lock, [&] { return m_in_flight < whole(m_limit); });
  ++m_in_flight;
  m_peak = std::max(m_peak, m_in_flight);
  return Slot(this, m_round);
}

ExecSignal
ExecLimiter::pace(std::chrono::milliseconds took)
{
  std::lock_guard lock(m_mutex);
  if (!m_fastest || took < *m_fastest) {
    m_fastest = took;
  }
  const double slow_after = std::max(static_cast<double>(m_policy.slow_floor.count()),
                                     m_policy.slow_factor * static_cast<double>(m_fastest->count()));
  return static_cast<double>(took.count()) > slow_after ? ExecSignal::slow : ExecSignal::ok;
}

std::size_t
ExecLimiter::limit() const
{
  std::lock_guard lock(m_mutex);
  return whole(m_limit);
}

std::size_t
ExecLimiter::peak() const
{
  std::lock_guard lock(m_mutex);
  return m_peak;
}

int
ExecLimiter::cuts() const
{
  std::lock_guard lock(m_mutex);
  return m_cuts;
}

void
ExecLimiter::overloaded(Slot& slot)
{
  std::lock_guard lock(m_mutex);
  if (slot.m_signal != ExecSignal::overload) {
    cut(slot, ExecSignal::overload);
  }
  slot.m_signal = ExecSignal::overload;
}

void
ExecLimiter::release(const Slot& slot)
{
  {
    std::lock_guard lock(m_mutex);
    --m_in_flight;
    if (slot.m_signal == ExecSignal::ok && m_policy.adaptive) {
      // Slow start doubles the limit each round; afterwards one more slot per round.
      m_limit += m_slow_start ? 1.0 : 1.0 / static_cast<double>(whole(m_limit));
      m_limit = std::min(m_limit, static_cast<double>(m_policy.cap));
    } else if (slot.m_signal == ExecSignal::slow) {
      cut(slot, ExecSignal::slow);
    }
  }
  m_freed.notify_all();
}

void
ExecLimiter::cut(const Slot& slot, ExecSignal why)
{
  // One cut per round: the execs already in flight when the limit was cut report the same
  // trouble, and halving again for each of them would drain the limit to one.
  if (!m_policy.adaptive || slot.m_round != m_round) {
    return;
  }
  const double before = m_limit;
  m_limit = std::max(1.0, std::floor(whole(m_limit) / 2.0));
  m_slow_start = false;
  ++m_round;
  ++m_cuts;
  if (m_log) {
    m_log(fmt::format("exec concurrency {} -> {}: {}", whole(before), whole(m_limit),
                      why == ExecSignal::slow ? "the API server answered an exec slowly"
                                              : "the API server refused or dropped an exec (429, 5xx or reset)"));
  }
}

} // namespace kube
