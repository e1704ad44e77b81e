#pragma once
// The `nodes` report: per node, the pod the plugin uses and the node's OVN chassis name.

#include "ipsec/targets.hpp"
#include "kube/types.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ipsec {

struct NodeRow {
  std::string node;
  std::string pod; // "" when the node has no usable pod
  std::string container;
  std::string chassis; // system-id, "" when unknown
  std::string error;   // "" when the row is complete
};

struct NodeReport {
  Layout layout = Layout::ovs_ovn;
  std::vector<NodeRow> rows;
  bool all_ok() const;
};

// One row from a node's target and the outcome of system_id_command() there (`result` unset
// when it did not run, with `exec_error` saying why).
NodeRow node_row(const NodeTarget& target, const std::optional<kube::ExecResult>& result,
                 const std::string& exec_error);

} // namespace ipsec
