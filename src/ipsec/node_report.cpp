#include "ipsec/node_report.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ipsec {

bool
NodeReport::all_ok() const
{
  return std::all_of(rows.begin(), rows.end(), [](const NodeRow& row) { return row.error.empty(); });
}

NodeRow
node_row(const NodeTarget& target, const std::optional<kube::ExecResult>& result, const std::string& exec_error)
{
  NodeRow row;
  row.node = target.node;
  if (target.target) {
    row.pod = target.target->pod;
    row.container = target.target->container;
  }
  if (!result) {
    row.error = exec_error.empty() ? target.problem : exec_error;
    return row;
  }
  if (result->exit_code != 0) {
    const auto said = util::trim(result->err);
    row.error = fmt::format("ovs-vsctl exited with code {}{}{}", result->exit_code, said.empty() ? "" : ": ",
                            said.substr(0, said.find('\n')));
    return row;
  }
  if (auto id = parse_system_id(result->out)) {
    row.chassis = *id;
  } else {
    row.error = "ovs-vsctl printed no system-id (is external_ids:system-id set?)";
  }
  return row;
}

} // namespace ipsec
