#pragma once
// Running the built plugin against a TestApiServer, and reading what it printed and what the
// server's pods were asked to run. Shared by the end-to-end CLI tests.

#include "support/commands.hpp"
#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"
#include "support/text.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace testsupport {

// Runs KOI_PLUGIN_BINARY with `args` and a fresh kubeconfig for `user` (KUBE_OVN_NS cleared).
RunResult run_plugin(const TestApiServer& server, std::vector<std::string> args, const std::string& user = "admin",
                     int timeout_ms = 60000);

// run_plugin, plus the plugin process's peak resident memory (wait4's ru_maxrss, in KiB).
struct MeasuredRun {
  RunResult run;
  long max_rss_kib = 0;
};
MeasuredRun run_plugin_measured(const TestApiServer& server, std::vector<std::string> args, int timeout_ms = 60000);

// The `exec` records of the server's request log (GET /_test/requests), in order.
std::vector<nlohmann::json> exec_requests(const TestApiServer& server);

} // namespace testsupport
