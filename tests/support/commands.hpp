#pragma once
// The exact argv the plugin sends into pods for the steps the tests check, written out here
// (not taken from src/) so that a change to what the plugin runs fails a test.

#include <string>
#include <vector>

namespace testsupport {

// Where the ovs-ovn image keeps IPsec keys and certificates (Kube-OVN <= 1.12, ipsec.sh).
inline constexpr const char* k_ipsec_dir = "/etc/ipsec.d";

inline const std::vector<std::string> k_get{"ovn-nbctl", "get", "NB_Global", ".", "ipsec"};
// The old value is read in the transaction that sets the new one.
inline const std::vector<std::string> k_swap_true{"ovn-nbctl", "get", "NB_Global", ".", "ipsec",
                                                  "--",        "set", "NB_Global", ".", "ipsec=true"};
inline const std::vector<std::string> k_swap_false{"ovn-nbctl", "get", "NB_Global", ".", "ipsec",
                                                   "--",        "set", "NB_Global", ".", "ipsec=false"};
inline const std::vector<std::string> k_system_id{"ovs-vsctl", "get", "Open_vSwitch", ".", "external_ids:system-id"};
inline const std::vector<std::string> k_show{"ovs-appctl", "-t", "ovs-monitor-ipsec", "tunnels/show"};

} // namespace testsupport
