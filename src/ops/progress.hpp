#pragma once
// One progress style for every long operation (init's and rotate's nodes, --wait's polls): on a
// terminal, one line on stderr rewritten in place, "[/] <what>: <detail> (12s)", cut to the
// terminal's width so it never wraps, and erased when the operation ends, so the result that
// follows is printed once; nothing at all when stderr is no terminal (a pipe, a file, CI).

#include "ops/session.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace ops {

class Progress {
public:
  Progress(const Session& session, std::string what);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Redraws the line with `detail` (and the spinner's next frame). Safe from worker threads.
  void update(const std::string& detail);
  // Erases the line now (the destructor does too).
  void clear();

private:
  const Session& m_session;
  std::string m_what;
  std::chrono::steady_clock::time_point m_start;
  size_t m_frame = 0;
  bool m_shown = false;
  std::mutex m_mutex;
};

} // namespace ops
