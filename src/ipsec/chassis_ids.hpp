#pragma once
// Checks on nodes' OVS system-ids (= OVN chassis names = the CN of each node's certificate).
// Kube-OVN's start-ovs.sh runs `ovs-ctl --system-id=random` (v1.10-v1.12; the cni image the same
// from v1.13), so a system-id is a UUID from uuidgen, unique per node. Two nodes with one id
// would share one certificate CN, and a peer could not tell them apart; an id that is not a UUID
// was set by hand. Pure.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipsec {

// 8-4-4-4-12 hex digits (either case).
bool is_uuid(std::string_view text);

// node → the other nodes reporting the same chassis id, for every node that shares its id.
// `node_chassis` pairs (node, chassis); empty chassis (unknown) are ignored.
std::map<std::string, std::vector<std::string>> shared_chassis(
    const std::vector<std::pair<std::string, std::string>>& node_chassis);

// Why `init` must not issue `node` a certificate for `chassis` ("" when it may).
std::string chassis_refusal(const std::string& chassis, const std::vector<std::string>& also_on);

// The `nodes`/`status` wording for a node whose chassis id other nodes report too.
std::string shared_chassis_problem(const std::string& chassis, const std::vector<std::string>& also_on);

} // namespace ipsec
