#include "ops/watch.hpp"

#include <algorithm>

namespace ops {

int
watch(const WatchLoop& loop, const std::function<int()>& round)
{
  using namespace std::chrono;
  constexpr milliseconds k_slice{200};
  int code = 0;
  while (true) {
    const auto started = steady_clock::now();
    code = round();
    auto left = loop.interval - duration_cast<milliseconds>(steady_clock::now() - started);
    do {
      if (loop.stop()) {
        return code;
      }
      const auto nap = std::min(k_slice, std::max(left, milliseconds(0)));
      if (nap.count() > 0) {
        loop.sleep(nap);
      }
      left -= k_slice;
    } while (left.count() > 0);
  }
}

} // namespace ops
