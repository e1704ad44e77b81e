#include "util/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace util {

namespace {

std::atomic<bool> g_interrupted{false};
struct sigaction g_previous {};

extern "C" void
on_interrupt(int)
{
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends the process at once
}

} // namespace

InterruptScope::InterruptScope()
{
  g_interrupted.store(false);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  // SA_RESTART: a poll in flight (reads from the API server on any thread) goes on to its end
  // instead of failing with EINTR, so the state the command ends with is a whole one.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous);
}

InterruptScope::~InterruptScope()
{
  sigaction(SIGINT, &g_previous, nullptr);
}

bool
InterruptScope::interrupted()
{
  return g_interrupted.load();
}

} // namespace util
