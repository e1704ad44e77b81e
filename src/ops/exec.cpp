#include "ops/exec.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace ops {

kube::ExecResult
exec_in(kube::Cluster& cluster, const ipsec::PodTarget& pod, std::vector<std::string> argv,
        std::chrono::milliseconds timeout, std::optional<std::string> stdin_data,
        std::function<void(std::string_view)> stdout_sink)
{
  kube::ExecRequest request{
      pod.ns, pod.pod, pod.container, std::move(argv), std::move(stdin_data), timeout, std::move(stdout_sink)};
  return cluster.exec(request);
}

void
require_success(const kube::ExecResult& result, std::string_view what, const ipsec::PodTarget& pod, Wording wording)
{
  if (result.exit_code == 0) {
    return;
  }
  // Not util::first_line: these messages quote the whole first line (up to LF), as they always have.
  const auto said = util::trim(result.err);
  const auto first = said.substr(0, said.find('\n'));
  const char* colon = said.empty() ? "" : ": ";
  if (wording == Wording::command) {
    throw util::Error(
        fmt::format("`{}` in {}/{} exited with code {}{}{}", what, pod.ns, pod.pod, result.exit_code, colon, first));
  }
  throw util::Error(
      fmt::format("{} failed in {}/{} (exit code {}){}{}", what, pod.ns, pod.pod, result.exit_code, colon, first));
}

std::string
checked_output(kube::Cluster& cluster, const ipsec::PodTarget& pod, const std::vector<std::string>& argv,
               std::chrono::milliseconds timeout, Wording wording, std::string_view step,
               std::optional<std::string> stdin_data)
{
  auto result = exec_in(cluster, pod, argv, timeout, std::move(stdin_data));
  require_success(result, wording == Wording::command ? util::join(argv, " ") : std::string(step), pod, wording);
  return std::move(result.out);
}

} // namespace ops
