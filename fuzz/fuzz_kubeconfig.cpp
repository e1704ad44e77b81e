// Fuzzes kubeconfig decoding (YAML 1.1 -> JSON -> kubeconfig types), path resolution, merging
// and context/cluster/user resolution with kubectl's validation. Files the input names are
// replaced by one path that does not exist, so the run never reads the machine's files (the
// "cannot read" branches still run) and no environment is consulted.

#include "kube/kubeconfig.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

const std::string k_missing = "/nonexistent-koi-fuzz/file";

void
neutralize(std::string& path)
{
  if (!path.empty()) {
    path = k_missing;
  }
}

void
neutralize_files(kube::Kubeconfig& config)
{
  for (auto& [name, cluster] : config.clusters) {
    neutralize(cluster.certificate_authority);
  }
  for (auto& [name, user] : config.users) {
    neutralize(user.client_certificate);
    neutralize(user.client_key);
    neutralize(user.token_file);
  }
}

// Flag overrides picked from the input's length, so the same text is also resolved with flags.
kube::ConfigOverrides
overrides_for(const kube::Kubeconfig& config, std::size_t size)
{
  kube::ConfigOverrides overrides;
  switch (size % 4) {
  case 1:
    if (!config.contexts.empty()) {
      overrides.context = config.contexts.rbegin()->first;
    }
    break;
  case 2:
    overrides.server = "https://127.0.0.1:6443";
    overrides.insecure_skip_tls_verify = true;
    break;
  case 3:
    overrides.token = "fuzz-token";
    overrides.as = "fuzz-user";
    break;
  default:
    break;
  }
  return overrides;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    kube::Kubeconfig config = kube::parse_kubeconfig(text, "fuzz.yaml", "/nonexistent-koi-fuzz/config");
    // The same text merged under itself exercises the first-definition-wins merge.
    kube::merge_kubeconfig(config, kube::parse_kubeconfig(text, "fuzz2.yaml", "/nonexistent-koi-fuzz/other"));
    kube::resolve_local_paths(config);
    neutralize_files(config);
    (void)kube::resolve_client_config(config, overrides_for(config, size), "/nonexistent-koi-fuzz");
  } catch (const util::Error&) {
    // Refusing bad input with a message is the expected outcome; anything else escapes and crashes.
  }
  return 0;
}
