#include "cli/init_node.hpp"

#include "pki/request.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

namespace cli {

namespace {

// One step in the node's pod; a non-zero exit is an error naming the step.
std::string
run_step(kube::Cluster& cluster, const ipsec::PodTarget& pod, const std::string& step, std::vector<std::string> argv,
         std::optional<std::string> stdin_data, std::chrono::milliseconds timeout)
{
  kube::ExecRequest request{pod.ns, pod.pod, pod.container, std::move(argv), std::move(stdin_data), timeout, {}};
  const auto result = cluster.exec(request);
  if (result.exit_code != 0) {
    const auto said = util::trim(result.err);
    throw util::Error(fmt::format("{} failed in {}/{} (exit code {}){}{}", step, pod.ns, pod.pod, result.exit_code,
                                  said.empty() ? "" : ": ", said.substr(0, said.find('\n'))));
  }
  return result.out;
}

std::vector<std::string>
refresh_command()
{
  return {"ovs-appctl", "-t", "ovs-monitor-ipsec", "refresh"};
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
      run_step(cluster, pod, "installing the CA certificate", ipsec::install_ca_command(paths), settings.ca.cert_pem,
               settings.timeout);
      run_step(cluster, pod, "installing the certificate", ipsec::install_cert_command(paths), cert, settings.timeout);
    } else {
      run_step(cluster, pod, "installing the CA certificate", ipsec::install_ca_command(paths), settings.ca.cert_pem,
               settings.timeout);
    }
    run_step(cluster, pod, "pointing OVS at the certificate", ipsec::configure_command(paths), std::nullopt,
             settings.timeout);
    // Same paths as before: OVSDB did not change, so the monitor must be told to reload.
    const bool same_paths = probe->other_config.at("certificate") == paths.cert;
    if (same_paths && ipsec::needs_certificate(decision.action)) {
      try {
        run_step(cluster, pod, "refreshing ovs-monitor-ipsec", refresh_command(), std::nullopt, settings.timeout);
      } catch (const util::Error& e) {
        result.note = e.what();
      }
    }
  } catch (const util::Error& e) {
    result.error = e.what();
  }
  return result;
}

} // namespace cli
