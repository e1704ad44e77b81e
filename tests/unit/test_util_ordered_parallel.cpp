// util::ordered_parallel: results used in order on the caller's thread, at most `window` alive.
#include "util/ordered_parallel.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

// Counts the results alive, and the most ever alive at once.
struct Tracked {
  static inline std::atomic<int> alive{0};
  static inline std::atomic<int> peak{0};
  size_t value = 0;
  bool live = false;

  Tracked() = default;
  explicit Tracked(size_t v) : value(v), live(true) { note(++alive); }
  Tracked(Tracked&& other) noexcept : value(other.value), live(other.live) { other.live = false; }
  Tracked& operator=(Tracked&& other) noexcept
  {
    release();
    value = other.value;
    live = other.live;
    other.live = false;
    return *this;
  }
  ~Tracked() { release(); }
  void release()
  {
    if (live) {
      --alive;
      live = false;
    }
  }
  static void note(int now)
  {
    for (int seen = peak.load(); now > seen && !peak.compare_exchange_weak(seen, now);) {
    }
  }
};

} // namespace

TEST_CASE("ordered_parallel: in order, on the caller's thread, a slow first item holds at most the window")
{
  Tracked::alive = 0;
  Tracked::peak = 0;
  const auto caller = std::this_thread::get_id();
  std::vector<size_t> seen;
  util::ordered_parallel<Tracked>(
      200, 4, 6,
      [](size_t i) {
        if (i == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100)); // the others must wait for it
        }
        return Tracked(i);
      },
      [&](size_t i, Tracked result) {
        CHECK(std::this_thread::get_id() == caller);
        CHECK(result.value == i);
        seen.push_back(i);
      });
  REQUIRE(seen.size() == 200);
  for (size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i] == i);
  }
  CHECK(Tracked::peak.load() <= 6 + 1); // the window, plus the one being handed over
  CHECK(Tracked::alive.load() == 0);
}

TEST_CASE("ordered_parallel: a throwing item or consumer stops the rest and is rethrown")
{
  std::atomic<size_t> produced{0};
  CHECK_THROWS_WITH_AS(util::ordered_parallel<int>(
                           1000, 3, 3,
                           [&](size_t i) {
                             ++produced;
                             if (i == 5) {
                               throw std::runtime_error("item 5");
                             }
                             return static_cast<int>(i);
                           },
                           [](size_t, int) {}),
                       "item 5", std::runtime_error);
  CHECK(produced.load() < 20);

  std::vector<size_t> consumed;
  CHECK_THROWS_WITH_AS(util::ordered_parallel<int>(
                           1000, 3, 3, [](size_t i) { return static_cast<int>(i); },
                           [&](size_t i, int) {
                             consumed.push_back(i);
                             if (i == 2) {
                               throw std::runtime_error("write failed");
                             }
                           }),
                       "write failed", std::runtime_error);
  CHECK(consumed == std::vector<size_t>{0, 1, 2});
  util::ordered_parallel<int>(
      0, 3, 3, [](size_t) { return 0; }, [](size_t, int) { FAIL("nothing to consume"); });
}
