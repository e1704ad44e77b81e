#include "ipsec/ca_rotation.hpp"

#include "ipsec/ca_secret.hpp"
#include "pki/errors.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ipsec {

namespace {

constexpr std::string_view k_next_ca_file = "cacert-next.pem";

std::optional<CaPhase>
parse_phase(std::string_view text)
{
  for (const auto phase : {CaPhase::trust, CaPhase::reissue, CaPhase::retire}) {
    if (text == to_string(phase)) {
      return phase;
    }
  }
  return std::nullopt;
}

void
erase_keys(kube::Secret& secret, std::initializer_list<std::string_view> keys)
{
  for (const auto key : keys) {
    secret.data.erase(std::string(key));
  }
}

} // namespace

std::string_view
to_string(CaPhase phase)
{
  switch (phase) {
  case CaPhase::none:
    return "none";
  case CaPhase::trust:
    return "trust";
  case CaPhase::reissue:
    return "reissue";
  case CaPhase::retire:
    return "retire";
  }
  return "none";
}

CaRotationState
read_rotation(const kube::Secret& secret)
{
  CaRotationState state;
  state.current = ca_from_secret(secret);
  state.next = ca_pair_in(secret, k_next_ca_cert_key, k_next_ca_key_key);
  state.previous = ca_pair_in(secret, k_previous_ca_cert_key, k_previous_ca_key_key);
  const auto recorded = secret.data.find(std::string(k_rotation_phase_key));
  const std::string ref = fmt::format("Secret {}/{}", secret.ns, secret.name);
  if (recorded == secret.data.end()) {
    if (state.next || state.previous) {
      throw pki::PkiError(fmt::format("{} has {} but no \"{}\": not a rotation this plugin recorded; remove the key "
                                      "by hand or restore it",
                                      ref, state.next ? k_next_ca_cert_key : k_previous_ca_cert_key,
                                      k_rotation_phase_key));
    }
    return state;
  }
  const auto phase = parse_phase(recorded->second);
  if (!phase) {
    throw pki::PkiError(fmt::format("{} has \"{}\" = \"{}\", which is none of trust, reissue, retire", ref,
                                    k_rotation_phase_key, recorded->second));
  }
  state.phase = *phase;
  const bool wants_next = *phase != CaPhase::retire;
  if (wants_next ? !state.next : !state.previous) {
    throw pki::PkiError(fmt::format("{} records rotation phase {} but has no \"{}\"", ref, to_string(*phase),
                                    wants_next ? k_next_ca_cert_key : k_previous_ca_cert_key));
  }
  return state;
}

kube::Secret
begin_rotation(const kube::Secret& secret, const pki::CaPem& next)
{
  kube::Secret out = secret;
  out.data[std::string(k_next_ca_cert_key)] = next.cert;
  out.data[std::string(k_next_ca_key_key)] = next.key;
  out.data[std::string(k_rotation_phase_key)] = std::string(to_string(CaPhase::trust));
  return out;
}

kube::Secret
enter_phase(const kube::Secret& secret, CaPhase phase)
{
  kube::Secret out = secret;
  out.data[std::string(k_rotation_phase_key)] = std::string(to_string(phase));
  return out;
}

kube::Secret
swap_ca(const kube::Secret& secret)
{
  const auto state = read_rotation(secret);
  if (!state.next) {
    throw util::Error(fmt::format("Secret {}/{} has no next CA to swap in", secret.ns, secret.name));
  }
  kube::Secret out = secret;
  out.data[std::string(k_previous_ca_cert_key)] = state.current.cert;
  out.data[std::string(k_previous_ca_key_key)] = state.current.key;
  out.data[std::string(k_ca_cert_key)] = state.next->cert;
  out.data[std::string(k_ca_key_key)] = state.next->key;
  erase_keys(out, {k_next_ca_cert_key, k_next_ca_key_key});
  out.data[std::string(k_rotation_phase_key)] = std::string(to_string(CaPhase::retire));
  return out;
}

kube::Secret
finish_rotation(const kube::Secret& secret)
{
  kube::Secret out = secret;
  erase_keys(out, {k_previous_ca_cert_key, k_previous_ca_key_key, k_rotation_phase_key});
  return out;
}

kube::Secret
abort_rotation(const kube::Secret& secret)
{
  kube::Secret out = secret;
  erase_keys(out, {k_next_ca_cert_key, k_next_ca_key_key, k_rotation_phase_key});
  return out;
}

std::string_view
to_string(CaStep step)
{
  switch (step) {
  case CaStep::store_next:
    return "store the new CA beside the current one";
  case CaStep::trust:
    return "every node trusts both CAs";
  case CaStep::mark_reissue:
    return "record: every node trusts both";
  case CaStep::reissue:
    return "every node gets a certificate from the new CA";
  case CaStep::swap:
    return "the Secret's CA becomes the new one (the old one kept as previous-cacert)";
  case CaStep::retire:
    return "every node trusts the new CA only";
  case CaStep::finish:
    return "the old CA leaves the Secret";
  case CaStep::reissue_back:
    return "every node gets a certificate from the current CA again";
  case CaStep::untrust:
    return "no node trusts the new CA any more";
  case CaStep::drop_next:
    return "the new CA leaves the Secret";
  }
  return "";
}

bool
is_node_step(CaStep step)
{
  return step == CaStep::trust || step == CaStep::reissue || step == CaStep::retire || step == CaStep::reissue_back ||
         step == CaStep::untrust;
}

std::vector<CaStep>
plan_ca_rotation(CaPhase recorded, bool abort)
{
  using enum CaStep;
  if (abort) {
    switch (recorded) {
    case CaPhase::none:
      throw util::Error("no CA rotation is under way: there is nothing to abort");
    case CaPhase::trust:
      return {untrust, drop_next};
    case CaPhase::reissue:
      return {trust, reissue_back, untrust, drop_next};
    case CaPhase::retire:
      throw util::Error("the Secret already holds the new CA (phase retire): the rotation can only be finished; "
                        "run rotate ca again");
    }
  }
  switch (recorded) {
  case CaPhase::none:
    return {store_next, trust, mark_reissue, reissue, swap, retire, finish};
  case CaPhase::trust:
    return {trust, mark_reissue, reissue, swap, retire, finish};
  case CaPhase::reissue:
    // Pods restarted since lose cacert-next.pem: every node is given it again first.
    return {trust, reissue, swap, retire, finish};
  case CaPhase::retire:
    return {retire, finish};
  }
  return {};
}

std::string
next_ca_path(std::string_view dir)
{
  return fmt::format("{}/cacerts/{}", dir, k_next_ca_file);
}

std::vector<std::string>
install_next_ca_command(std::string_view dir)
{
  NodePaths paths;
  paths.ca = next_ca_path(dir);
  return install_ca_command(paths);
}

std::vector<std::string>
remove_next_ca_command(std::string_view dir)
{
  return shell_command("rm -f \"$1\"", {next_ca_path(dir)});
}

std::vector<std::string>
list_cas_command()
{
  return {"ipsec", "listcacerts"};
}

std::vector<std::string>
listed_ca_key_ids(std::string_view output)
{
  constexpr std::string_view label = "subjkeyId:";
  std::vector<std::string> ids;
  for (const auto& line : util::split(output, '\n')) {
    const auto text = util::trim(line);
    if (text.substr(0, label.size()) == label) {
      std::string id(util::trim(text.substr(label.size())));
      std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

std::string
rotated_ca_name(std::chrono::system_clock::time_point now)
{
  return fmt::format("kubectl-ko-ipsec CA {:%Y-%m-%d %H:%M}", std::chrono::floor<std::chrono::minutes>(now));
}

} // namespace ipsec
