#pragma once
// A point in time an operation must be done by, on the steady clock (immune to wall-clock
// changes). "never" means no limit. A value type: copy it freely.

#include <algorithm>
#include <chrono>
#include <climits>

namespace util {

class Deadline {
public:
  using Clock = std::chrono::steady_clock;

  // Expires `duration` from now; already expired when `duration` <= 0.
  static Deadline after(std::chrono::milliseconds duration)
  {
    // Beyond ~100 years the addition could overflow the clock's representation.
    constexpr auto k_far = std::chrono::hours(24 * 365 * 100);
    if (duration >= k_far) {
      return never();
    }
    return Deadline(Clock::now() + duration);
  }

  // Never expires.
  static Deadline never() { return Deadline(Clock::time_point::max()); }

  // The earlier of `a` and `b`.
  static Deadline earliest(const Deadline& a, const Deadline& b) { return Deadline(std::min(a.m_at, b.m_at)); }

  bool is_never() const { return m_at == Clock::time_point::max(); }

  bool expired() const { return !is_never() && Clock::now() >= m_at; }

  // Time left, rounded up to whole milliseconds; zero once expired; milliseconds::max() for never.
  std::chrono::milliseconds remaining() const
  {
    if (is_never()) {
      return std::chrono::milliseconds::max();
    }
    const auto left = m_at - Clock::now();
    if (left <= Clock::duration::zero()) {
      return std::chrono::milliseconds::zero();
    }
    return std::chrono::ceil<std::chrono::milliseconds>(left);
  }

  // remaining() as a poll(2) timeout: -1 for never, otherwise clamped to INT_MAX.
  int poll_timeout_ms() const
  {
    if (is_never()) {
      return -1;
    }
    const auto left = remaining().count();
    return left > INT_MAX ? INT_MAX : static_cast<int>(left);
  }

  // `limit` (zero: no limit of its own), or the time left when that is shorter; at least 1 ms
  // once a limit applies, so the result never reads as "no limit". Check expired() first.
  std::chrono::milliseconds cap(std::chrono::milliseconds limit) const
  {
    if (is_never()) {
      return limit;
    }
    const auto left = std::max(remaining(), std::chrono::milliseconds(1));
    return limit.count() > 0 ? std::min(limit, left) : left;
  }

  Clock::time_point time_point() const { return m_at; }

private:
  explicit Deadline(Clock::time_point at) : m_at(at) {}

  Clock::time_point m_at;
};

} // namespace util
