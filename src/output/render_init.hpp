#pragma once
// What `init` did (or, with --dry-run, would do) per node, as a table or json/yaml.

#include "ipsec/init_plan.hpp"
#include "output/format.hpp"

#include <string>
#include <vector>

namespace output {

struct InitReport {
  std::string ca_ref;      // "Secret kube-system/ovn-ipsec-ca"
  std::string ca_origin;   // existing / created / imported / would create / would import
  std::string ca_subject;
  bool dry_run = false;
  std::vector<ipsec::InitNodeResult> nodes;
};

std::string render_init(const InitReport& report, Format format);

} // namespace output
