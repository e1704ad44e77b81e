#include "cli/app.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <ostream>

namespace cli {

void
register_version(CLI::App& root, AppContext& ctx)
{
  CLI::App* sub = root.add_subcommand("version", "Print the version, git commit and library versions");
  sub->callback([&ctx] {
    ctx.out << fmt::format("kubectl-ko-ipsec {}\ngit commit: {}\n", KOI_VERSION, KOI_GIT_COMMIT);
    ctx.out << fmt::format("openssl: {}\n", OpenSSL_version(OPENSSL_VERSION));
    ctx.out << fmt::format("cpp-httplib: {}\nfmt: {}.{}.{}\nnlohmann-json: {}.{}.{}\nCLI11: {}\n",
                           CPPHTTPLIB_VERSION, FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100,
                           NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH,
                           CLI11_VERSION);
  });
}

} // namespace cli
