// kubectl-ko-ipsec: everything lives in ko_ipsec_core; this only binds it to the process.
#include "cli/app.hpp"
#include "kube/cluster.hpp"
#include "kube/process_setup.hpp"

#include <iostream>

#include <unistd.h>

int
main(int argc, char** argv)
{
  kube::prepare_process();
  cli::AppContext ctx{std::cout, std::cerr};
  ctx.invoked_as = cli::invocation_name(argc > 0 ? argv[0] : "kubectl-ko-ipsec");
  ctx.err_is_terminal = ::isatty(STDERR_FILENO) == 1;
  ctx.out_is_terminal = ::isatty(STDOUT_FILENO) == 1;
  ctx.cluster_factory = kube::make_cluster;
  return cli::run(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc), ctx);
}
