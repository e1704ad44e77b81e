#pragma once
// The cluster side of `version`: Kube-OVN's release from its pods' image tag, OVN and Open
// vSwitch from their own `--version` in the pods (the OVS that runs ovs-monitor-ipsec decides
// its quirks: docs/reference/lab.md §6). Pure: commands and parsing, no I/O.

#include "kube/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

// `ovs-vsctl --version`, run in a node's pod: "ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1".
std::vector<std::string> ovs_version_command();
// `ovn-nbctl --version`, run in ovn-central: "ovn-nbctl 23.03.1\nOpen vSwitch Library 3.1.0\n...".
std::vector<std::string> ovn_version_command();

// The version in those first lines ("3.1.0", "23.03.1"); nullopt for anything else.
std::optional<std::string> parse_ovs_version(std::string_view output);
std::optional<std::string> parse_ovn_version(std::string_view output);

// The tag of the images of `pods`' containers named `container` ("v1.12.22" from
// "docker.io/kubeovn/kube-ovn:v1.12.22"), several joined by ", " in sorted order during an
// upgrade; "" when none has a tag (a digest alone says no release).
std::string image_tags(const std::vector<kube::Pod>& pods, std::string_view container);

} // namespace ipsec
