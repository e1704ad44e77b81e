#pragma once
// Every test skip goes through here, so none is silent: it is printed in the case, appended to
// $KOI_SKIP_LOG (the test command prints the total and the reasons at the end), and under
// CI=true a skip whose prerequisite the project's own install step provides fails the case.

#include <string>

namespace testsupport {

enum class SkipKind {
  // .ci/install-deps installs what is missing (packages, node's ws, root in CI): under CI=true
  // such a skip means the install step or the machine is broken, and the case fails.
  install_provides,
  // Not installable from Debian (kubectl >= 1.26, kubectl 1.27 beside it) or left out on
  // purpose (the UML lab in the sanitizer run): always a skip, always counted.
  by_design,
};

// Records the skip of the running case; returns true when the case should return now.
// Under CI=true an install_provides skip is a failed check instead (still returns true).
bool skip_test(const std::string& why, SkipKind kind = SkipKind::install_provides);

// "" when `program` is on PATH, else "<program> is not on PATH".
std::string program_missing(const std::string& program);

} // namespace testsupport

// In a doctest case: ends the case through skip_test() when `reason` (an expression giving a
// std::string) is not empty.
#define KOI_SKIP_IF_REASON_AS(reason, kind)                                                                            \
  do {                                                                                                                 \
    const std::string koi_why = (reason);                                                                              \
    if (!koi_why.empty() && ::testsupport::skip_test(koi_why, (kind))) {                                               \
      return;                                                                                                          \
    }                                                                                                                  \
  } while (false)
#define KOI_SKIP_IF_REASON(reason) KOI_SKIP_IF_REASON_AS(reason, ::testsupport::SkipKind::install_provides)
