#pragma once
// Running the built plugin against a TestApiServer, and reading what it printed and what the
// server's pods were asked to run. Shared by the end-to-end CLI tests.

#include "support/subprocess.hpp"
#include "support/test_apiserver.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace testsupport {

// Runs KOI_PLUGIN_BINARY with `args` and a fresh kubeconfig for `user` (KUBE_OVN_NS cleared).
RunResult run_plugin(const TestApiServer& server, std::vector<std::string> args, const std::string& user = "admin",
                     int timeout_ms = 60000);

// Whether `text` contains `part`; how many times it does (overlapping matches count).
bool contains(const std::string& text, const std::string& part);
size_t count(const std::string& text, const std::string& part);

// The first line of `text` that starts with `prefix` ("" when none).
std::string line_starting(const std::string& text, const std::string& prefix);

// The `exec` records of the server's request log (GET /_test/requests), in order.
std::vector<nlohmann::json> exec_requests(const TestApiServer& server);

} // namespace testsupport
