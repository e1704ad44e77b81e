#pragma once
// A command's --timeout where it bounds the whole command, retries included (on/off): every
// exec, poll and retry gets at most what is left of it, and running out is one "timed out"
// error that names what was being waited for.

#include "util/deadline.hpp"
#include "util/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ops {

struct CommandDeadline {
  util::Deadline at = util::Deadline::never();
  std::string limit; // --timeout as given ("5s"), for the error

  bool expired() const { return at.expired(); }
  // `per_try` (0 = no limit of its own), or what is left when that is less. Throws timed_out(what)
  // when nothing is left, so no step starts without time to finish.
  std::chrono::milliseconds cap(std::chrono::milliseconds per_try, std::string_view what) const;
  // "timed out after 5s (--timeout) waiting for <what>".
  util::Error timed_out(std::string_view what) const;
};

} // namespace ops
