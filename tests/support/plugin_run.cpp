#include "support/plugin_run.hpp"

namespace testsupport {

RunResult
run_plugin(const TestApiServer& server, std::vector<std::string> args, const std::string& user, int timeout_ms)
{
  args.insert(args.begin(), KOI_PLUGIN_BINARY);
  return run(args, {"KUBECONFIG=" + server.write_kubeconfig(user), "KUBE_OVN_NS="}, "", timeout_ms);
}

std::vector<nlohmann::json>
exec_requests(const TestApiServer& server)
{
  std::vector<nlohmann::json> out;
  for (const auto& entry : server.control("GET", "/_test/requests")) {
    if (entry.contains("exec") && entry["exec"].is_object()) {
      out.push_back(entry["exec"]);
    }
  }
  return out;
}

} // namespace testsupport
