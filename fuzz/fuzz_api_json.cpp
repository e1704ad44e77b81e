// Fuzzes the API server's JSON as the plugin reads it: pod lists and pods (also through the
// budgeted, field-filtered parser list pages go through), Secrets (and writing a decoded Secret
// back), and error bodies turned into kubectl-like messages (metav1.Status).

#include "kube/api_status.hpp"
#include "kube/bounded_json.hpp"
#include "kube/resource_json.hpp"
#include "util/error.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// A list page as RealCluster reads it: only the fields pods_from_list uses, within a small
// budget (a refusal is util::MemoryLimitError, caught by the caller).
void
fuzz_bounded_list(const std::string& text, std::uint8_t mode)
{
  util::MemoryBudget budget(mode % 2 == 0 ? 1024 : 64 * util::k_mib);
  util::MemoryCharge charge(&budget);
  const auto page = kube::parse_json_within(text, kube::pod_list_fields(), charge, "response from fuzz");
  if (!page.is_discarded()) {
    (void)kube::pods_from_list(page);
    (void)kube::list_continue(page);
  }
}

void
fuzz_json(const std::string& text, std::uint8_t mode)
{
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) {
    return;
  }
  switch (mode % 3) {
  case 0:
    (void)kube::pods_from_list(value);
    break;
  case 1:
    (void)kube::pod_from_json(value);
    break;
  default: {
    const kube::Secret secret = kube::secret_from_json(value);
    // What we write back must read back the same (init rewrites the CA Secret).
    const kube::Secret again = kube::secret_from_json(kube::secret_to_json(secret));
    if (again.data != secret.data || again.name != secret.name || again.ns != secret.ns) {
      std::fprintf(stderr, "Secret does not survive secret_to_json -> secret_from_json\n");
      std::abort();
    }
    break;
  }
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  FuzzedDataProvider provider(data, size);
  const auto mode = provider.ConsumeIntegral<std::uint8_t>();
  const auto http_status = provider.ConsumeIntegralInRange<int>(100, 599);
  const std::string text = provider.ConsumeRemainingBytesAsString();
  try {
    if (mode < 64) {
      (void)kube::api_error_from_response(http_status, text, "GET /api/v1/namespaces/kube-system/pods");
    } else if (mode < 128) {
      fuzz_bounded_list(text, mode);
    } else {
      fuzz_json(text, mode);
    }
  } catch (const util::Error&) {
    // A wrong type in a server's answer is refused with an ApiError naming the field.
  }
  return 0;
}
