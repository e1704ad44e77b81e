#pragma once
// `--watch` for a command whose poll makes a table (`status`, `tunnels`): the checks on its
// options and the loop that polls, prints each round through output::WatchView and outlives a
// failed poll once one has been shown.

#include "cli/app.hpp"
#include "output/output_options.hpp"
#include "output/watch_view.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace cli {

// One poll: what it printed, the table's rows without headings (compared round to round), the
// line that sums it up, and its exit code.
struct WatchRound {
  std::string screen;
  std::vector<std::string> rows;
  std::string summary;
  int code = 0;
};

// -w/--watch and --interval (a duration, "2s" unless given).
void add_watch_options(CLI::App* command, bool& watch, std::string& interval);

// A table printer (-o wide too) and an interval of at least 500 ms; `command` names the poll a
// script would run instead ("status -o json").
void check_watch(const output::OutputOptions& format, std::chrono::milliseconds interval, const std::string& command);

// Runs `poll` at once, then every `interval`, until Ctrl-C; returns the last poll's code. Once a
// round has been shown a failed poll is said and the watch goes on; a first poll failing ends it.
int run_watch(const AppContext& ctx, output::WatchView& view, std::chrono::milliseconds interval,
              const std::function<WatchRound()>& poll);

} // namespace cli
