#pragma once
// Bounded fan-out: runs fn(i) for i in [0, count) on at most `concurrency` threads. Each call
// owns its result slot, so nothing is shared but the index counter; exceptions stay per item
// (fn should catch and record them; one that escapes is rethrown after all items finish).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace util {

template<typename Fn>
void
parallel_for(size_t count, size_t concurrency, Fn&& fn)
{
  const size_t workers = std::max<size_t>(1, std::min(concurrency, count));
  std::atomic<size_t> next{0};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) {
          first_error = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (size_t w = 1; w < workers; ++w) {
    threads.emplace_back(work);
  }
  work();
  for (auto& t : threads) {
    t.join();
  }
  if (first_error) {
    std::rethrow_exception(first_error);
  }
}

} // namespace util
