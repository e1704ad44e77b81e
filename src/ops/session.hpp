#pragma once
// What the code that drives the cluster needs from its caller: the cluster, Kube-OVN's
// namespace, where -v lines and progress go, how to wait, and until when. cli/ builds one per
// command.

#include "kube/cluster.hpp"
#include "ops/command_deadline.hpp"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

namespace ops {

struct Session {
  kube::Cluster& cluster;
  std::string ns;                                              // Kube-OVN's namespace
  std::function<void(int level, const std::string& line)> log; // -v lines; safe from worker threads
  std::function<void(std::chrono::milliseconds)> sleep;        // between polls; tests avoid real sleeps
  bool err_is_terminal = false;                                // progress lines only go to a terminal
  std::ostream& err;                                           // progress lines and warnings
  CommandDeadline deadline;                                    // never, unless --timeout bounds the command
};

} // namespace ops
