#include "ops/init_node.hpp"

#include "ops/exec.hpp"
#include "pki/request.hpp"
#include "util/error.hpp"

#include <fmt/format.h>

namespace ops {

namespace {

// One step in the node's pod; a non-zero exit is an error naming the step.
std::string
run_step(kube::Cluster& cluster, const ipsec::PodTarget& pod, std::string_view step,
         const std::vector<std::string>& argv, std::optional<std::string> stdin_data,
         std::chrono::milliseconds timeout)
{
  return checked_output(cluster, pod, argv, timeout, Wording::step, step, std::move(stdin_data));
}

void
add_note(ipsec::InitNodeResult& result, const std::string& note)
{
  result.note += (result.note.empty() ? "" : "; ") + note;
}

// Writes the CA file, then has a running strongSwan load it: it reads cacerts only at start,
// so peers would fail with "no trusted RSA public key" (seen in the lab). strongSwan not
// running yet is no error: it loads the file when it starts.
void
install_ca(kube::Cluster& cluster, const ipsec::PodTarget& pod, const ipsec::NodePaths& paths,
           const InitSettings& settings, ipsec::InitNodeResult& result)
{
  run_step(cluster, pod, "installing the CA certificate", ipsec::install_ca_command(paths), settings.ca.cert_pem,
           settings.timeout);
  try {
    run_step(cluster, pod, "telling strongSwan to reread the CA", ipsec::reread_ca_command(), std::nullopt,
             settings.timeout);
  } catch (const util::Error& e) {
    add_note(result, fmt::format("{} (it loads the CA when it starts)", e.what()));
  }
}

} // namespace

ipsec::InitNodeResult
init_node(kube::Cluster& cluster, const ipsec::NodeTarget& node, const InitSettings& settings)
{
  ipsec::InitNodeResult result;
  result.node = node.node;
  if (!node.target) {
    result.error = node.problem;
    return result;
  }
  const auto& pod = *node.target;
  try {
    const auto id = ipsec::parse_system_id(
        run_step(cluster, pod, "reading the system-id", ipsec::system_id_command(), std::nullopt, settings.timeout));
    if (!id) {
      result.error = "ovs-vsctl printed no system-id (is external_ids:system-id set?)";
      return result;
    }
    result.chassis = *id;
    const auto paths = ipsec::node_paths(*id);
    const auto probe = ipsec::parse_probe(
        run_step(cluster, pod, "looking at the certificate", ipsec::probe_command(paths), std::nullopt, settings.timeout));
    if (!probe) {
      result.error = fmt::format("unexpected answer when looking at the certificate in {}/{}", pod.ns, pod.pod);
      return result;
    }
    const auto decision = ipsec::decide({*probe, paths, *id, settings.ca.cert_pem, settings.now,
                                         settings.renew_before_days, settings.force});
    result.action = decision.action;
    result.reason = decision.reason;
    result.decided = true;
    if (settings.dry_run || decision.action == ipsec::NodeAction::skip) {
      return result;
    }
    if (ipsec::needs_certificate(decision.action)) {
      const std::string csr = run_step(cluster, pod, "making the key and request",
                                       ipsec::keygen_command(paths, ipsec::node_subject(*id), settings.key_bits),
                                       std::nullopt, settings.timeout);
      const auto checked = pki::check_request(csr, *id);
      const std::string cert = pki::sign_request(settings.ca, checked, {settings.cert_days, settings.now});
      install_ca(cluster, pod, paths, settings, result);
      run_step(cluster, pod, "installing the certificate", ipsec::install_cert_command(paths), cert, settings.timeout);
    } else {
      install_ca(cluster, pod, paths, settings, result);
    }
    run_step(cluster, pod, "pointing OVS at the certificate", ipsec::configure_command(paths), std::nullopt,
             settings.timeout);
    // OVSDB already held these paths, so the `set` changed nothing the monitor would notice:
    // it must be told to reload the files written (a new certificate, or the CA file).
    const auto& before = probe->other_config;
    const bool ovsdb_unchanged = before.at("certificate") == paths.cert && before.at("private_key") == paths.key &&
                                 before.at("ca_cert") == paths.ca;
    if (ovsdb_unchanged) {
      try {
        run_step(cluster, pod, "refreshing ovs-monitor-ipsec", ipsec::refresh_command(), std::nullopt, settings.timeout);
      } catch (const util::Error& e) {
        add_note(result, e.what());
      }
    }
    // A certificate replaced under the same name: strongSwan keeps the old one loaded (seen in
    // the lab: peers then refuse the new key's signatures) until its connections are reloaded.
    if (ovsdb_unchanged && ipsec::needs_certificate(decision.action)) {
      try {
        run_step(cluster, pod, "reloading strongSwan", ipsec::reload_ike_command(), std::nullopt, settings.timeout);
      } catch (const util::Error& e) {
        add_note(result, fmt::format("{} (it uses the new certificate when it restarts)", e.what()));
      }
    }
  } catch (const util::Error& e) {
    result.error = e.what();
  }
  return result;
}

} // namespace ops
