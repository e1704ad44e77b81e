#pragma once
// The ops::Session a command hands to ops/: the cluster it made, and the namespace, -v log,
// sleep and stderr of its AppContext.

#include "cli/app.hpp"
#include "ops/session.hpp"

namespace cli {

// `ctx` and `cluster` must outlive the session.
ops::Session make_session(const AppContext& ctx, kube::Cluster& cluster);

} // namespace cli
