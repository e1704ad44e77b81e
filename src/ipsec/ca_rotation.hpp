#pragma once
// `rotate ca` as Kube-OVN <= 1.12 knowledge: the phases that replace the IPsec CA with no moment
// where two nodes distrust each other, where each phase is recorded (Secret ovn-ipsec-ca, so an
// interrupted run resumes or rolls back), and the node files each phase writes. Pure.
//
// 1. trust:   the new CA is stored beside the current one (next-cacert/next-cakey) and every node
//             gets it as a second trusted CA, /etc/ipsec.d/cacerts/cacert-next.pem. strongSwan
//             reads one certificate per file (a bundle in cacert.pem gives it the first only: seen
//             in the lab; Kube-OVN v1.15's linkCACertToIPSecDir splits its bundle for the same
//             reason) and loads every file in cacerts/ on `ipsec rereadcacerts`.
// 2. reissue: every node gets a certificate from the new CA (its old one is from a CA its peers
//             trust, and so is its new one). cacert.pem, which ovs-monitor-ipsec names in
//             ipsec.conf's `ca` section, still holds the old CA.
// 3. retire:  the Secret is swapped (cacert/cakey = the new CA, previous-cacert/previous-cakey =
//             the old one), every node's cacert.pem becomes the new CA and cacert-next.pem goes
//             (rereadcacerts drops a CA whose file is gone: seen in the lab). Then the previous-*
//             keys are removed and the rotation is over.
// Before the swap a rotation can be rolled back (--abort): nodes already on the new CA get a
// certificate from the old one again while both are trusted, then cacert-next.pem goes. After
// the swap it can only be finished. Kube-OVN >= 1.13 reads only cacert/cakey: the extra keys
// change nothing for it.

#include "ipsec/init_plan.hpp"
#include "kube/types.hpp"
#include "pki/ca.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

inline constexpr std::string_view k_next_ca_cert_key = "next-cacert";
inline constexpr std::string_view k_next_ca_key_key = "next-cakey";
inline constexpr std::string_view k_previous_ca_cert_key = "previous-cacert";
inline constexpr std::string_view k_previous_ca_key_key = "previous-cakey";
inline constexpr std::string_view k_rotation_phase_key = "rotation-phase";

enum class CaPhase {
  none,    // no rotation under way
  trust,   // next CA stored; nodes are being given it as a second trusted CA
  reissue, // every node trusts both; certificates are being re-issued from the next CA
  retire,  // Secret swapped; nodes' CA files are being reduced to the new CA
};
std::string_view to_string(CaPhase phase);

// What Secret ovn-ipsec-ca says about a rotation.
struct CaRotationState {
  CaPhase phase = CaPhase::none;
  pki::CaPem current;                 // cacert/cakey
  std::optional<pki::CaPem> next;     // phases trust and reissue
  std::optional<pki::CaPem> previous; // phase retire
};

// Throws pki::PkiError naming the Secret and the key when it is inconsistent (a phase without
// its CA, an unknown phase): a Secret edited by hand is not guessed at.
CaRotationState read_rotation(const kube::Secret& secret);

// The Secret's data for each step (`secret` as read; its resource_version is kept so a
// concurrent change fails the update instead of being overwritten).
kube::Secret begin_rotation(const kube::Secret& secret, const pki::CaPem& next); // -> trust
kube::Secret enter_phase(const kube::Secret& secret, CaPhase phase);             // trust -> reissue
kube::Secret swap_ca(const kube::Secret& secret);                                // reissue -> retire
kube::Secret finish_rotation(const kube::Secret& secret);                        // retire -> none
kube::Secret abort_rotation(const kube::Secret& secret);                         // trust|reissue -> none

// What a run does, from the phase recorded: the phases still to run, in order. A resumed phase
// runs again from its start (every node step is idempotent: a node already done is skipped).
enum class CaStep {
  store_next,   // write next-* and phase trust
  trust,        // every node: cacert-next.pem + reread
  mark_reissue, // phase reissue
  reissue,      // every node: certificate from the next CA (cacert.pem still the old CA)
  swap,         // cacert/cakey := next, previous-* := old, phase retire
  retire,       // every node: cacert.pem := new CA, cacert-next.pem removed, reread
  finish,       // previous-* and the phase removed
  // --abort:
  reissue_back, // every node: certificate from the current CA again (both still trusted)
  untrust,      // every node: cacert-next.pem removed + reread
  drop_next,    // next-* and the phase removed
};
std::string_view to_string(CaStep step);
bool is_node_step(CaStep step);

// Throws util::Error when `abort` is asked where it cannot be (after the swap, or with nothing
// under way).
std::vector<CaStep> plan_ca_rotation(CaPhase recorded, bool abort);

// The second trusted CA's file beside NodePaths::ca.
std::string next_ca_path(std::string_view dir = k_ipsec_dir);

// Writes stdin to cacert-next.pem as install_ca_command writes the CA file (only a certificate,
// through a temporary file).
std::vector<std::string> install_next_ca_command(std::string_view dir = k_ipsec_dir);
// Removes cacert-next.pem (no error when it is not there).
std::vector<std::string> remove_next_ca_command(std::string_view dir = k_ipsec_dir);

// What one step did: per node for a node step, and the wait for the tunnels after it.
struct CaStepReport {
  CaStep step = CaStep::trust;
  std::vector<InitNodeResult> nodes; // node steps only
  std::string wait;                  // "" when there was no wait; else what it found, one line
  bool failed = false;               // a node failed or the wait ran out: the run stopped here
};

struct CaRotationReport {
  // Kube-OVN >= 1.13: only the explanation (kube_ovn_ca_rotation) is filled in.
  std::optional<FlagOwner> kube_ovn_owner;
  std::vector<std::string> kube_ovn_steps;
  std::string ca_ref;               // "Secret kube-system/ovn-ipsec-ca"
  CaPhase recorded = CaPhase::none; // the phase found when the run began
  bool abort = false;
  bool dry_run = false;
  std::string old_ca;             // subject and SHA-256 fingerprint of the CA being replaced
  std::string new_ca;             // ... and of the one replacing it ("" when --abort)
  std::vector<std::string> nodes; // every node the run covers
  std::vector<CaStep> plan;
  std::vector<CaStepReport> steps; // as far as the run got
  bool completed = false;
};

// `ipsec listcacerts`: the CAs strongSwan holds now (it reads cacerts/ at start and on
// rereadcacerts, one certificate per file), and their subjectKeyIdentifiers as it prints them
// ("  subjkeyId: 1c:f6:..."), lower case; a CA without one is not listed by id.
std::vector<std::string> list_cas_command();
std::vector<std::string> listed_ca_key_ids(std::string_view output);

// The name of a CA made by `rotate ca`: distinct from the one it replaces (strongSwan and a reader
// of `status` tell CAs apart by subject), with the minute it was made.
std::string rotated_ca_name(std::chrono::system_clock::time_point now);

} // namespace ipsec
