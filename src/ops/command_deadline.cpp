#include "ops/command_deadline.hpp"

#include <fmt/format.h>

namespace ops {

std::chrono::milliseconds
CommandDeadline::cap(std::chrono::milliseconds per_try, std::string_view what) const
{
  if (at.expired()) {
    throw timed_out(what);
  }
  return at.cap(per_try);
}

util::Error
CommandDeadline::timed_out(std::string_view what) const
{
  return util::Error(fmt::format("timed out after {} (--timeout) waiting for {}", limit, what));
}

} // namespace ops
