#include "cli/watch_screen.hpp"

#include "ops/watch.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/terminal_text.hpp"

#include <fmt/format.h>

#include <ostream>

namespace cli {

void
add_watch_options(CLI::App* command, bool& watch, std::string& interval)
{
  command->add_flag("-w,--watch", watch,
                    "Poll again and again: one screen redrawn on a terminal, changed rows appended on a pipe; Ctrl-C "
                    "stops with the last poll's exit code");
  command->add_option("--interval", interval, "Time between polls with --watch (default 2s)");
}

void
check_watch(const output::OutputOptions& format, std::chrono::milliseconds interval, const std::string& command)
{
  if (!format.is_table()) {
    throw util::UsageError(fmt::format("--watch redraws the table (-o wide too); for a script, poll `{}`", command));
  }
  if (interval < std::chrono::milliseconds(500)) {
    throw util::UsageError("--interval must be at least 500ms");
  }
}

int
run_watch(const AppContext& ctx, output::WatchView& view, std::chrono::milliseconds interval,
          const std::function<WatchRound()>& poll)
{
  util::InterruptScope ctrl_c;
  const auto start = std::chrono::steady_clock::now();
  return ops::watch({interval, ctx.sleep, ctx.interrupted}, [&] {
    output::WatchFrame frame;
    int code = 1;
    try {
      const auto round = poll();
      frame = view.frame(round.screen, round.rows, round.summary, std::chrono::steady_clock::now() - start);
      code = round.code;
    } catch (const util::Error& e) {
      // Once it runs, a watch outlives a blip of the API server or of ovn-central: say it and
      // poll again. The first poll failing (wrong namespace, no access) ends it, as the command
      // without --watch would end.
      if (!view.shown_any() || dynamic_cast<const util::UsageError*>(&e) != nullptr) {
        throw;
      }
      frame = view.failed(e.what(), std::chrono::steady_clock::now() - start);
    }
    if (frame.clear_screen) {
      util::write_terminal_control(ctx.out, "\033[H\033[2J");
    }
    ctx.out << frame.text << std::flush;
    return code;
  });
}

} // namespace cli
