// The command's memory budget: charges, their release, concurrent charging, and strings that
// grow within a size limit with their capacity charged.
#include "util/memory_budget.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using util::Growth;
using util::MemoryBudget;
using util::MemoryCharge;

TEST_CASE("util::MemoryBudget refuses what would pass its limit and counts the peak")
{
  MemoryBudget budget(100);
  CHECK(budget.try_charge(60));
  CHECK_FALSE(budget.try_charge(41)); // nothing added
  CHECK(budget.used() == 60);
  CHECK(budget.try_charge(40));
  CHECK_FALSE(budget.try_charge(1));
  budget.release(70);
  CHECK(budget.used() == 30);
  CHECK(budget.peak() == 100);
  CHECK(util::format_bytes(16 * util::k_mib) == "16 MiB");
  CHECK(util::format_bytes(8) == "8 bytes");
}

TEST_CASE("util::MemoryCharge releases its bytes when it ends, and moves them with it")
{
  MemoryBudget budget(100);
  {
    MemoryCharge charge(&budget);
    CHECK(charge.grow(50));
    CHECK_FALSE(charge.grow(51));
    CHECK(charge.bytes() == 50);
    MemoryCharge moved = std::move(charge);
    CHECK(charge.bytes() == 0);
    charge.reset(); // the moved-from charge holds nothing to release
    CHECK(budget.used() == 50);
    moved.shrink(20);
    CHECK(budget.used() == 30);
  }
  CHECK(budget.used() == 0);
  MemoryCharge unbudgeted;
  CHECK(unbudgeted.grow(1 << 30)); // no budget: it only counts
  CHECK(unbudgeted.bytes() == 1 << 30);
}

TEST_CASE("util::MemoryBudget holds its limit under concurrent charges")
{
  MemoryBudget budget(1000);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        if (budget.try_charge(7)) {
          ++granted;
          CHECK(budget.used() <= 1000);
          budget.release(7);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(granted > 0);
  CHECK(budget.used() == 0);
  CHECK(budget.peak() <= 1000);
}

TEST_CASE("util::append_charged grows within the size limit and charges the capacity")
{
  MemoryBudget budget(1 << 20);
  std::string text;
  {
    MemoryCharge charge(&budget);
    CHECK(util::append_charged(text, std::string(100, 'a'), 1000, charge) == Growth::ok);
    CHECK(charge.bytes() == text.capacity());
    CHECK(util::append_charged(text, std::string(100, 'b'), 1000, charge) == Growth::ok);
    CHECK(text.size() == 200);
    CHECK(charge.bytes() == text.capacity()); // the old buffer's charge was given back
    CHECK(budget.used() == text.capacity());

    // Over the size limit: refused, the text unchanged, and its capacity never past the limit.
    CHECK(util::append_charged(text, std::string(801, 'c'), 1000, charge) == Growth::too_big);
    CHECK(text.size() == 200);
    CHECK(util::append_charged(text, std::string(800, 'c'), 1000, charge) == Growth::ok);
    CHECK(text.size() == 1000);
    CHECK(text.capacity() == 1000);
    CHECK(text.substr(0, 101) == std::string(100, 'a') + "b");
  }
  CHECK(budget.used() == 0);

  MemoryBudget small(500);
  MemoryCharge charge(&small);
  std::string other;
  CHECK(util::append_charged(other, std::string(400, 'x'), 10000, charge) == Growth::ok);
  CHECK(util::append_charged(other, std::string(200, 'y'), 10000, charge) == Growth::over_budget);
  CHECK(other == std::string(400, 'x'));
  CHECK(small.used() == other.capacity());
}

TEST_CASE("util::MemoryLimitError wording names the data and the limit")
{
  CHECK(std::string(util::exceeds_limit("output from kube-system/ovs-ovn-abc", 16 * util::k_mib).what()) ==
        "output from kube-system/ovs-ovn-abc exceeds the limit of 16 MiB");
  CHECK(std::string(util::exceeds_budget("response from https://h/api/v1/pods", 128 * util::k_mib).what()) ==
        "response from https://h/api/v1/pods exceeds the command's memory limit of 128 MiB (all pods' output and API "
        "responses held at once)");
}
