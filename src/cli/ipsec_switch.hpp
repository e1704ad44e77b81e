#pragma once
// The shared wiring of `on` and `off`: their flags, and turning IPsec on or off through ops/
// with what happened printed by output/render_switch.

#include "cli/app.hpp"
#include "ops/discovery.hpp"

#include <chrono>
#include <string>

namespace cli {

struct SwitchOptions {
  bool force = false;
  bool wait = false;
  bool wait_established = false;                  // `on` only: also wait for installed SAs
  std::string timeout = "5m";                     // for --wait
  size_t concurrency = 0;                         // --concurrency; 0: adaptive (kube/exec_limit.hpp)
  std::chrono::milliseconds exec_timeout{20'000}; // each command run in a pod
};

// Adds --force, --wait, --timeout, --concurrency (and --wait-established for `on`).
void add_switch_options(CLI::App* sub, SwitchOptions& options, bool on);

// Turns IPsec on or off; prints what it did; throws util::Error or util::ExitStatus(1).
void switch_ipsec(const AppContext& ctx, bool on, const SwitchOptions& options);

} // namespace cli
