#include "util/deadline.hpp"

#include <doctest/doctest.h>

#include <climits>

using namespace std::chrono_literals;
using util::Deadline;

TEST_CASE("util::Deadline")
{
  const Deadline never = Deadline::never();
  CHECK(never.is_never());
  CHECK_FALSE(never.expired());
  CHECK(never.remaining() == std::chrono::milliseconds::max());
  CHECK(never.poll_timeout_ms() == -1);

  const Deadline now = Deadline::after(0ms);
  CHECK(now.expired());
  CHECK(now.remaining() == 0ms);
  CHECK(now.poll_timeout_ms() == 0);
  CHECK(Deadline::after(-5s).expired());

  const Deadline soon = Deadline::after(10s);
  CHECK_FALSE(soon.expired());
  CHECK(soon.remaining() > 9s);
  CHECK(soon.remaining() <= 10s);
  CHECK(soon.poll_timeout_ms() > 9000);
  CHECK(soon.poll_timeout_ms() <= 10000);

  CHECK(Deadline::earliest(soon, never).time_point() == soon.time_point());
  CHECK(Deadline::earliest(never, now).time_point() == now.time_point());

  // Far-away limits do not overflow the clock: they mean "never".
  CHECK(Deadline::after(std::chrono::milliseconds::max()).is_never());
  CHECK(Deadline::after(std::chrono::hours(24 * 365 * 50)).poll_timeout_ms() == INT_MAX);
}

TEST_CASE("util::Deadline::cap: a step gets its own limit or what is left, never \"no limit\" by accident")
{
  CHECK(Deadline::never().cap(20s) == 20s);
  CHECK(Deadline::never().cap(0ms) == 0ms); // neither limits

  const Deadline soon = Deadline::after(5s);
  CHECK(soon.cap(2s) == 2s);
  CHECK(soon.cap(20s) > 4s);
  CHECK(soon.cap(20s) <= 5s);
  CHECK(soon.cap(0ms) > 4s); // no limit of its own: what is left
  CHECK(soon.cap(0ms) <= 5s);

  // Expired: 1 ms, not 0 (which an ExecRequest reads as "no timeout").
  CHECK(Deadline::after(0ms).cap(20s) == 1ms);
  CHECK(Deadline::after(0ms).cap(0ms) == 1ms);
}
