#pragma once
// `rotate ca`: replaces the IPsec CA in phases (ipsec/ca_rotation.hpp), each recorded in Secret
// ovn-ipsec-ca before its node steps run, every node step on a bounded pool, and a wait for every
// tunnel after each. A node that fails stops the run where it is: the Secret says where to resume.
// Kube-OVN >= 1.13: explained only.

#include "ipsec/ca_rotation.hpp"
#include "ops/session.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace ops {

struct RotateCaRequest {
  size_t concurrency = 3;                    // nodes re-keyed at once (k_rotate_concurrency)
  std::chrono::milliseconds timeout{20'000}; // each command in a pod
  std::string ca_cert_file;                  // --ca-cert/--ca-key: the new CA, "" = make one
  std::string ca_key_file;
  int cert_days = 730;
  int key_bits = 3072;
  bool abort = false;
  bool dry_run = false;
  bool wait = true;                                // for every tunnel after each node step (when IPsec is on)
  std::chrono::milliseconds wait_timeout{300'000}; // each wait; 0 = none
  std::string wait_timeout_text = "5m";            // as the user gave it, for messages
};

// Called after each step (to print it as the run goes) with its index in report.steps.
using CaStepDone = std::function<void(const ipsec::CaRotationReport&, size_t step_index)>;

// Throws util::Error before anything is changed (no CA Secret, a Secret edited by hand, --abort
// with nothing to abort, an unusable CA) and when the Secret changed under the run; a node's
// failure ends the run with the report's last step marked failed.
ipsec::CaRotationReport rotate_ca(const Session& session, const RotateCaRequest& request, const CaStepDone& on_step);

} // namespace ops
