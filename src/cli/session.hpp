#pragma once
// The ops::Session a command hands to ops/: the cluster it made, the namespace, -v log, sleep
// and stderr of its AppContext, and the command's deadline when it has one.

#include "cli/app.hpp"
#include "ops/session.hpp"

namespace cli {

// `ctx` and `cluster` must outlive the session; `deadline` bounds the whole command (on/off).
ops::Session make_session(const AppContext& ctx, kube::Cluster& cluster, ops::CommandDeadline deadline = {});

} // namespace cli
