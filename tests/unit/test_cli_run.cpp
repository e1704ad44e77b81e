#include "cli/app.hpp"

#include <doctest/doctest.h>

TEST_CASE("cli::invocation_name follows kubectl's plugin naming")
{
  CHECK(cli::invocation_name("/usr/local/bin/kubectl-ko-ipsec") == "kubectl ko ipsec");
  CHECK(cli::invocation_name("/root/.krew/bin/kubectl-ko_ipsec") == "kubectl ko-ipsec");
  CHECK(cli::invocation_name("kubectl-ko-ipsec") == "kubectl ko ipsec");
  CHECK(cli::invocation_name("./build/src/a.out") == "kubectl ko ipsec");
}
