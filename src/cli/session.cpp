#include "cli/session.hpp"

#include <utility>

namespace cli {

ops::Session
make_session(const AppContext& ctx, kube::Cluster& cluster, ops::CommandDeadline deadline)
{
  return ops::Session{cluster,
                      ctx.plugin_namespace(),
                      [&ctx](int level, const std::string& line) { ctx.log(level, line); },
                      [&ctx](std::chrono::milliseconds pause) { ctx.sleep(pause); },
                      ctx.err_is_terminal,
                      ctx.err,
                      std::move(deadline)};
}

} // namespace cli
