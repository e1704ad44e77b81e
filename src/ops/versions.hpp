#pragma once
// `version`'s cluster side, read within a few seconds: Kube-OVN's release (kube-ovn-cni's image
// tag), OVN (ovn-nbctl --version in ovn-central) and Open vSwitch (ovs-vsctl --version in a
// node's pod). Whatever cannot be read says why; nothing here fails the command.

#include "ops/session.hpp"

#include <chrono>
#include <string>

namespace ops {

struct VersionPart {
  std::string version; // "" when not read
  std::string source;  // where it was read ("kube-system/ovn-central-x"), or why not
};

struct ClusterVersions {
  VersionPart kube_ovn;
  VersionPart ovn;
  VersionPart openvswitch;
};

ClusterVersions read_cluster_versions(const Session& session, std::chrono::milliseconds timeout);

} // namespace ops
