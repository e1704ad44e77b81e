#pragma once
// Bounded fan-out whose results are used in order: produce(i) runs on at most `concurrency`
// threads, consume(i, result) runs on the calling thread for i = 0, 1, 2, … as soon as that
// result and all before it are there. A result waits only until the ones before it are done,
// and no item starts more than `window` items ahead of the oldest one not yet consumed, so at
// most `window` results exist at once however slow one item is: memory stays bounded when
// each result is large (a node's tunnels at 1,000 nodes) and output can be written as it comes.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace util {

template<typename Result, typename Produce, typename Consume>
void
ordered_parallel(size_t count, size_t concurrency, size_t window, Produce&& produce, Consume&& consume)
{
  window = std::max(window, std::max<size_t>(1, concurrency));
  std::mutex mutex;
  // Two queues, so that a result wakes only the consumer and a consumed one only one worker: with
  // one condition for both, every result woke every idle worker (64 at 1,000 nodes), which
  // showed as a fifth of `tunnels`' CPU in the kernel's scheduler.
  std::condition_variable can_start; // workers: an item may start (or all is over)
  std::condition_variable arrived;   // the consumer: a result came in (or all is over)
  std::map<size_t, Result> ready;    // produced, not consumed yet
  size_t next_start = 0;
  size_t next_consume = 0;
  bool stopping = false; // consume threw: start nothing more
  std::exception_ptr error;
  // The first exception wins; everyone stops.
  const auto fail = [&](std::exception_ptr thrown) {
    std::lock_guard lock(mutex);
    if (!error) {
      error = std::move(thrown);
    }
    stopping = true;
    can_start.notify_all();
    arrived.notify_all();
  };

  auto work = [&] {
    while (true) {
      size_t i = 0;
      {
        std::unique_lock lock(mutex);
        can_start.wait(lock, [&] { return stopping || next_start >= count || next_start < next_consume + window; });
        if (stopping || next_start >= count) {
          return;
        }
        i = next_start++;
        if (next_start == count) {
          can_start.notify_all(); // the idle workers end
        }
      }
      std::optional<Result> result;
      try {
        result.emplace(produce(i));
      } catch (...) {
        fail(std::current_exception());
        return;
      }
      std::lock_guard lock(mutex);
      ready.emplace(i, std::move(*result));
      if (i == next_consume) {
        arrived.notify_one();
      }
    }
  };

  const size_t workers = std::max<size_t>(1, std::min(concurrency, count));
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back(work);
  }
  try {
    while (next_consume < count) {
      Result result;
      {
        std::unique_lock lock(mutex);
        arrived.wait(lock, [&] { return stopping || ready.count(next_consume) != 0; });
        if (stopping) {
          break;
        }
        auto found = ready.find(next_consume);
        result = std::move(found->second);
        ready.erase(found);
      }
      consume(next_consume, std::move(result));
      std::lock_guard lock(mutex);
      ++next_consume;
      can_start.notify_one(); // one more item fits in the window
    }
  } catch (...) {
    fail(std::current_exception());
  }
  for (auto& thread : threads) {
    thread.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

} // namespace util
