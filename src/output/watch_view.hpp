#pragma once
// What `--watch` prints round after round. On a terminal every round is one screen, redrawn in
// place: a title line ("Every 2s: kubectl ko ipsec status   elapsed 1m05s   Ctrl-C to stop"), the
// command's screen, then what changed since the round before. Piped (a file, `| tee`), the first
// round prints the screen and later rounds only the table rows that changed, after a line saying
// when, as `kubectl get -w` appends changes, then the summary; a round in which neither a row nor
// the summary changed prints nothing. Pure.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace output {

struct WatchFrame {
  bool clear_screen = false; // write "cursor home, clear screen" (a control sequence) first
  std::string text;
};

class WatchView {
public:
  // A row is known by its first `key_cells` cells: the node for `status`; node, remote node and
  // interface for `tunnels` (said as "node/remote/interface").
  WatchView(bool terminal, std::string title, size_t key_cells = 1)
      : m_terminal(terminal), m_title(std::move(title)), m_key_cells(key_cells)
  {}

  // `screen`: the round's whole output; `rows`: its table's rows without headings;
  // `summary`: the line that sums the round up.
  WatchFrame frame(const std::string& screen, const std::vector<std::string>& rows, const std::string& summary,
                   std::chrono::steady_clock::duration elapsed);

  // A poll that failed (the API server away for a moment): said, and the watch goes on; the next
  // poll that works is compared with the last one that did.
  WatchFrame failed(const std::string& error, std::chrono::steady_clock::duration elapsed) const;

  // A poll has been shown: before that, an error ends the watch as it would end `status`.
  bool shown_any() const { return m_rounds > 0; }

private:
  bool m_terminal;
  std::string m_title;
  size_t m_key_cells;
  size_t m_rounds = 0;
  std::map<std::string, std::string> m_rows; // the previous round's rows by key
  std::string m_summary;                     // the previous round's summary
};

} // namespace output
