#pragma once
// Elapsed wall time, for tests that report or bound how long something took.

#include <chrono>

namespace testsupport {

inline double
seconds_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace testsupport
