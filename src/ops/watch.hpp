#pragma once
// `--watch`: a command's round (read the cluster, print) again and again until the user stops it.

#include <chrono>
#include <functional>

namespace ops {

struct WatchLoop {
  std::chrono::milliseconds interval{2000};             // from the start of one round to the next
  std::function<void(std::chrono::milliseconds)> sleep; // tests pass one that does not sleep
  std::function<bool()> stop;                           // Ctrl-C (util::InterruptScope)
};

// Runs `round` (it returns its exit code) at once, then every loop.interval, until loop.stop()
// says so; the wait between rounds is sliced so a stop is seen within 200 ms. Returns the last
// round's exit code.
int watch(const WatchLoop& loop, const std::function<int()>& round);

} // namespace ops
