#pragma once
// The shared body of `on` and `off`: flip NB_Global.ipsec through the NB leader with a
// read-back, refuse when Kube-OVN owns the flag, and optionally wait for the nodes to follow.

#include "cli/app.hpp"
#include "cli/discovery.hpp"

#include <chrono>
#include <string>

namespace cli {

struct SwitchOptions {
  bool force = false;
  bool wait = false;
  bool wait_established = false;   // `on` only: also wait for installed SAs
  std::string timeout = "5m";      // for --wait
  size_t concurrency = k_default_concurrency;
  std::chrono::milliseconds exec_timeout{20'000};   // each command run in a pod
};

// Adds --force, --wait, --timeout, --concurrency (and --wait-established for `on`).
void add_switch_options(CLI::App* sub, SwitchOptions& options, bool on);

// Turns IPsec on or off; prints what it did; throws util::Error or util::ExitStatus(1).
void switch_ipsec(const AppContext& ctx, bool on, const SwitchOptions& options);

} // namespace cli
