// The exec limit (kube/exec_limit.hpp): how many execs a command keeps open, and how that number
// answers the API server — slow start up to the cap, one halving per round of trouble, a floor
// of one, and a fixed --concurrency that nothing moves.

#include "kube/exec_limit.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using kube::ExecLimiter;
using kube::ExecLimitPolicy;
using kube::ExecSignal;
using namespace std::chrono_literals;

namespace {

// Takes `n` slots, reports `signal` on each, releases them.
void
round_of(ExecLimiter& limiter, size_t n, ExecSignal signal)
{
  std::vector<ExecLimiter::Slot> slots;
  slots.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    slots.push_back(limiter.acquire());
  }
  for (auto& slot : slots) {
    slot.report(signal);
  }
}

} // namespace

TEST_CASE("exec limit: starts above 20, doubles per good round up to the cap, never past it")
{
  ExecLimiter limiter(ExecLimitPolicy{});
  CHECK(limiter.limit() == 32);
  CHECK(kube::k_exec_concurrency_initial > 20);
  round_of(limiter, 32, ExecSignal::ok);
  CHECK(limiter.limit() == 64);
  round_of(limiter, 64, ExecSignal::ok);
  round_of(limiter, 64, ExecSignal::ok);
  CHECK(limiter.limit() == kube::k_exec_concurrency_cap);
  CHECK(limiter.peak() == 64);
  CHECK(limiter.cuts() == 0);
}

TEST_CASE("exec limit: a round of 429s halves it once, not once per exec")
{
  std::vector<std::string> lines;
  ExecLimiter limiter(ExecLimitPolicy{}, [&](const std::string& line) { lines.push_back(line); });
  round_of(limiter, 20, ExecSignal::overload);
  CHECK(limiter.limit() == 16);
  CHECK(limiter.cuts() == 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "exec concurrency 32 -> 16: the API server refused or dropped an exec (429, 5xx or reset)");
  // The next round's trouble cuts again; then growth is one slot per round, not one per exec.
  round_of(limiter, 10, ExecSignal::overload);
  CHECK(limiter.limit() == 8);
  round_of(limiter, 8, ExecSignal::ok);
  CHECK(limiter.limit() == 9);
}

TEST_CASE("exec limit: a 429 cuts at once, while the exec still waits to retry")
{
  ExecLimiter limiter(ExecLimitPolicy{});
  auto slot = limiter.acquire();
  slot.report(ExecSignal::overload); // told before the Retry-After wait
  CHECK(limiter.limit() == 16);
  slot.report(ExecSignal::ok); // the retry went through: it cut already, it does not grow it
  {
    auto moved = std::move(slot);
  }
  CHECK(limiter.limit() == 16);
  CHECK(limiter.cuts() == 1);
}

TEST_CASE("exec limit: never below one")
{
  ExecLimiter limiter(ExecLimitPolicy{});
  for (int i = 0; i < 10; ++i) {
    round_of(limiter, 1, ExecSignal::overload);
  }
  CHECK(limiter.limit() == 1);
  round_of(limiter, 1, ExecSignal::ok);
  CHECK(limiter.limit() == 2);
}

TEST_CASE("exec limit: slow is four times the fastest upgrade and over a second; a slow exec cuts")
{
  ExecLimiter limiter(ExecLimitPolicy{});
  CHECK(limiter.pace(100ms) == ExecSignal::ok);
  CHECK(limiter.pace(390ms) == ExecSignal::ok);
  CHECK(limiter.pace(1000ms) == ExecSignal::ok); // the floor: a second is not slow
  CHECK(limiter.pace(1001ms) == ExecSignal::slow);
  CHECK(limiter.pace(20ms) == ExecSignal::ok); // the fastest is now 20 ms: the floor decides
  CHECK(limiter.pace(1200ms) == ExecSignal::slow);
  ExecLimiter quick(ExecLimitPolicy{});
  CHECK(quick.pace(400ms) == ExecSignal::ok);
  CHECK(quick.pace(1500ms) == ExecSignal::ok); // under 4 x 400 ms
  CHECK(quick.pace(1700ms) == ExecSignal::slow);
  round_of(quick, 3, ExecSignal::slow);
  CHECK(quick.limit() == 16);
  round_of(quick, 3, ExecSignal::neutral); // a failed command says nothing
  CHECK(quick.limit() == 16);
}

TEST_CASE("exec limit: --concurrency N is N whatever the server says")
{
  ExecLimiter limiter(ExecLimitPolicy::fixed(5));
  CHECK(limiter.limit() == 5);
  round_of(limiter, 5, ExecSignal::overload);
  round_of(limiter, 5, ExecSignal::slow);
  round_of(limiter, 5, ExecSignal::ok);
  CHECK(limiter.limit() == 5);
  CHECK(limiter.cuts() == 0);
  CHECK(ExecLimiter(ExecLimitPolicy::fixed(0)).limit() == 1);
}

TEST_CASE("exec limit: an exec past the limit waits for a slot")
{
  ExecLimiter limiter(ExecLimitPolicy::fixed(2));
  std::optional<ExecLimiter::Slot> first(limiter.acquire());
  auto second = limiter.acquire();
  std::atomic<bool> third_in{false};
  std::thread third([&] {
    auto slot = limiter.acquire();
    third_in = true;
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(third_in.load());
  first.reset();
  third.join();
  CHECK(third_in.load());
  CHECK(limiter.peak() == 2);
}
