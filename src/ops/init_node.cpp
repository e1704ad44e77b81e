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
         const std::vector<std::string>& argv, std::optional<std::string> stdin_data, std::chrono::milliseconds timeout)
{
  return checked_output(cluster, pod, argv, timeout, Wording::step, step, std::move(stdin_data));
}

// A step that prints nothing until it is done, however long that takes (a key generation,
// starting the daemons): --request-timeout must not take its silence for a hung pod.
std::string
run_quiet_step(kube::Cluster& cluster, const ipsec::PodTarget& pod, std::string_view step,
               const std::vector<std::string>& argv, std::chrono::milliseconds timeout)
{
  kube::ExecRequest request;
  request.ns = pod.ns;
  request.pod = pod.pod;
  request.container = pod.container;
  request.command = argv;
  request.timeout = timeout;
  request.may_be_silent = true;
  auto result = cluster.exec(request);
  require_success(result, step, pod, Wording::step);
  return std::move(result.out);
}

void
add_note(ipsec::InitNodeResult& result, const std::string& note)
{
  result.note += (result.note.empty() ? "" : "; ") + note;
}

// Writes the CA file, then has a running strongSwan load it: it reads cacerts only at start,
// so peers would fail with "no trusted RSA public key" (seen in the lab). strongSwan not
// running yet is no error: it loads the file when it starts (and when init is about to start
// it, it is not asked at all).
void
install_ca(kube::Cluster& cluster, const ipsec::PodTarget& pod, const ipsec::NodePaths& paths,
           const InitSettings& settings, bool daemons_down, ipsec::InitNodeResult& result)
{
  run_step(cluster, pod, "installing the CA certificate", ipsec::install_ca_command(paths),
           settings.ca_file_pem.value_or(settings.ca.cert_pem), settings.timeout);
  if (daemons_down) {
    return;
  }
  try {
    run_step(cluster, pod, "telling strongSwan to reread the CA", ipsec::reread_ca_command(), std::nullopt,
             settings.timeout);
  } catch (const util::Error& e) {
    add_note(result, fmt::format("{} (it loads the CA when it starts)", e.what()));
  }
}

// Both daemons answer. Either check exiting non-zero means "not running"; a pod that cannot be
// reached throws, and fails the node as any other step would.
bool
daemons_running(kube::Cluster& cluster, const ipsec::PodTarget& pod, std::chrono::milliseconds timeout)
{
  for (const auto& argv : {ipsec::monitor_alive_command(), ipsec::ike_alive_command()}) {
    if (exec_in(cluster, pod, argv, timeout).exit_code != 0) {
      return false;
    }
  }
  return true;
}

// As ipsec.sh does, a bounded number of nodes at a time.
void
start_daemons(kube::Cluster& cluster, const ipsec::PodTarget& pod, const InitSettings& settings)
{
  if (settings.start_slots != nullptr) {
    settings.start_slots->acquire();
  }
  struct Release {
    std::counting_semaphore<>* slots;
    ~Release()
    {
      if (slots != nullptr) {
        slots->release();
      }
    }
  } release{settings.start_slots};
  for (const auto& argv : ipsec::start_daemons_commands()) {
    run_quiet_step(cluster, pod, "starting the IPsec daemons", argv, settings.timeout);
  }
}

} // namespace

ipsec::InitNodeResult
init_node(kube::Cluster& cluster, const ipsec::NodeTarget& node, const InitSettings& settings,
          const std::optional<std::string>& known_id)
{
  ipsec::InitNodeResult result;
  result.node = node.node;
  if (!node.target) {
    result.error = node.problem;
    return result;
  }
  const auto& pod = *node.target;
  try {
    const auto id = known_id
                        ? known_id
                        : ipsec::parse_system_id(run_step(cluster, pod, "reading the system-id",
                                                          ipsec::system_id_command(), std::nullopt, settings.timeout));
    if (!id) {
      result.error = "ovs-vsctl printed no system-id (is external_ids:system-id set?)";
      return result;
    }
    result.chassis = *id;
    const auto paths = ipsec::node_paths(*id);
    const auto probe = ipsec::parse_probe(run_step(cluster, pod, "looking at the certificate",
                                                   ipsec::probe_command(paths), std::nullopt, settings.timeout));
    if (!probe) {
      result.error = fmt::format("unexpected answer when looking at the certificate in {}/{}", pod.ns, pod.pod);
      return result;
    }
    const auto decision = ipsec::decide(
        {*probe, paths, *id, settings.ca.cert_pem, settings.now, settings.renew_before_days, settings.force});
    result.action = decision.action;
    result.reason = decision.reason;
    result.decided = true;
    const bool start = settings.start_daemons && !daemons_running(cluster, pod, settings.timeout);
    if (settings.dry_run) {
      result.daemons = start ? "would start" : "";
      return result;
    }
    if (decision.action == ipsec::NodeAction::skip) {
      if (start) {
        start_daemons(cluster, pod, settings);
        result.daemons = "started";
      }
      return result;
    }
    if (ipsec::needs_certificate(decision.action)) {
      const std::string csr =
          run_quiet_step(cluster, pod, "making the key and request",
                         ipsec::keygen_command(paths, ipsec::node_subject(*id), settings.key_bits), settings.timeout);
      try {
        const auto checked = pki::check_request(csr, *id);
        const std::string cert = pki::sign_request(settings.ca, checked, {settings.cert_days, settings.now});
        install_ca(cluster, pod, paths, settings, start, result);
        run_step(cluster, pod, "installing the certificate", ipsec::install_cert_command(paths), cert,
                 settings.timeout);
      } catch (const util::Error&) {
        // No half-done node: the new key goes when its certificate cannot follow (best effort;
        // the first failure is the one reported).
        try {
          run_step(cluster, pod, "removing the unused new key", ipsec::discard_new_command(paths), std::nullopt,
                   settings.timeout);
        } catch (const util::Error&) {
        }
        throw;
      }
    } else {
      install_ca(cluster, pod, paths, settings, start, result);
    }
    run_step(cluster, pod, "pointing OVS at the certificate", ipsec::configure_command(paths), std::nullopt,
             settings.timeout);
    if (start) {
      // Freshly started daemons read the files and OVSDB as they are now: nothing to reload.
      start_daemons(cluster, pod, settings);
      result.daemons = "started";
      return result;
    }
    // OVSDB already held these paths, so the `set` changed nothing the monitor would notice, and
    // ipsec.conf stays as it is: strongSwan itself is told to load the new key and certificate
    // (install_ca had it reread the CA already).
    const auto& before = probe->other_config;
    const bool ovsdb_unchanged = before.at("certificate") == paths.cert && before.at("private_key") == paths.key &&
                                 before.at("ca_cert") == paths.ca;
    if (ovsdb_unchanged && ipsec::needs_certificate(decision.action)) {
      try {
        run_step(cluster, pod, "reloading strongSwan's key and certificate", ipsec::reload_credentials_command(),
                 std::nullopt, settings.timeout);
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
