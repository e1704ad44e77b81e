#include "support/plugin_run.hpp"

namespace testsupport {

RunResult
run_plugin(const TestApiServer& server, std::vector<std::string> args, const std::string& user, int timeout_ms)
{
  args.insert(args.begin(), KOI_PLUGIN_BINARY);
  return run(args, {"KUBECONFIG=" + server.write_kubeconfig(user), "KUBE_OVN_NS="}, "", timeout_ms);
}

bool
contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

size_t
count(const std::string& text, const std::string& part)
{
  size_t n = 0;
  for (size_t pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) {
    ++n;
  }
  return n;
}

std::string
line_starting(const std::string& text, const std::string& prefix)
{
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) {
      return line;
    }
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return "";
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
