#pragma once
// One memory budget for a whole command. What a pod or the API server sends and we keep (an
// exec's output, a response body and its parsed JSON) is charged to it while it is held, so
// twenty hostile pods together get one bound, not one each. Thread-safe: the fan-out's
// threads charge the same budget.

#include "util/error.hpp"

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

namespace util {

inline constexpr std::size_t k_mib = 1024 * 1024;

// A charge refused by a holder's own limit or by the command's budget; the message names whose
// data it was and which limit it passed.
class MemoryLimitError : public Error {
public:
  using Error::Error;
};

// "16 MiB" for whole mebibytes, else "N bytes".
std::string format_bytes(std::size_t bytes);

// The errors for data from `what` ("output from ns/pod", "response from https://..."): over its
// own limit ("... exceeds the limit of 16 MiB"), or refused by the command's budget.
MemoryLimitError exceeds_limit(std::string_view what, std::size_t limit);
MemoryLimitError exceeds_budget(std::string_view what, std::size_t budget_limit);

class MemoryBudget {
public:
  explicit MemoryBudget(std::size_t limit) : m_limit(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Adds `bytes` when the total stays within the limit; otherwise adds nothing, returns false.
  bool try_charge(std::size_t bytes);
  void release(std::size_t bytes) noexcept;

  std::size_t limit() const { return m_limit; }
  std::size_t used() const { return m_used.load(); }
  std::size_t peak() const { return m_peak.load(); } // the most held at once

private:
  const std::size_t m_limit;
  std::atomic<std::size_t> m_used{0};
  std::atomic<std::size_t> m_peak{0};
};

// Bytes charged to a budget for as long as this object lives; move-only. Without a budget
// (nullptr) it only counts.
class MemoryCharge {
public:
  MemoryCharge() = default;
  explicit MemoryCharge(MemoryBudget* budget) : m_budget(budget) {}
  ~MemoryCharge() { reset(); }
  MemoryCharge(MemoryCharge&& other) noexcept;
  MemoryCharge& operator=(MemoryCharge&& other) noexcept;
  MemoryCharge(const MemoryCharge&) = delete;
  MemoryCharge& operator=(const MemoryCharge&) = delete;

  // False (and nothing charged) when the budget refuses.
  bool grow(std::size_t bytes);
  void shrink(std::size_t bytes) noexcept;
  void reset() noexcept;

  std::size_t bytes() const { return m_bytes; }
  MemoryBudget* budget() const { return m_budget; }

private:
  MemoryBudget* m_budget = nullptr;
  std::size_t m_bytes = 0;
};

// glibc raises its mmap threshold to the size of each mapped block freed (up to 32 MiB); from
// then on the large buffers a budget bounds come from arenas, which keep what is freed, and the
// process holds about twice what the budget says. A fixed threshold gives every block over
// 128 KiB its own mapping, returned to the system when freed. Also two malloc arenas instead of
// one per thread. Call once, before the buffers.
void return_large_blocks_when_freed();

enum class Growth { ok, too_big, over_budget };

// Appends `data` to `text` unless the result would pass `max_size` bytes (too_big) or the
// budget refuses the memory (over_budget); then `text` is unchanged. Capacity grows as
// std::string's does (doubling) but never past `max_size`, and `charge` holds the capacity
// (what is really allocated), the new buffer charged before it is allocated.
Growth append_charged(std::string& text, std::string_view data, std::size_t max_size, MemoryCharge& charge);

} // namespace util
