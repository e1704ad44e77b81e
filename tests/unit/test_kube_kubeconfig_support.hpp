#pragma once
// Helpers shared by the kubeconfig and credentials unit tests: fixture paths, an injected
// environment, and "what did it throw".

#include "kube/client_config.hpp"
#include "kube/credentials.hpp"
#include "kube/errors.hpp"
#include "kube/kubeconfig.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kctest {

// The value of header `name` in a request's headers, "" when absent.
inline std::string
header(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name)
{
  for (const auto& [k, v] : headers) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

inline std::string
fixture_dir()
{
  return std::string(KOI_SOURCE_DIR) + "/tests/testdata/kubeconfig";
}
inline std::string
fixture(const std::string& name)
{
  return fixture_dir() + "/" + name;
}

// An Environment backed by a map; the service-account dir defaults to one that does not exist.
inline kube::Environment
env_of(std::map<std::string, std::string> vars = {}, std::string service_account_dir = "/nonexistent/serviceaccount")
{
  kube::Environment env;
  env.getenv = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
  env.service_account_dir = std::move(service_account_dir);
  return env;
}

// The kubeconfig fixture `name` loaded as kubectl would, with `o` as the flags.
inline kube::ClientConfig
load(const std::string& name, kube::ConfigOverrides o = {})
{
  o.kubeconfig = fixture(name);
  return kube::load_client_config(o, env_of());
}

// A clock the credential cache reads, moved by the test; stdin is never a terminal.
struct FakeClock {
  std::chrono::system_clock::time_point now =
      std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  kube::CredentialsOptions options()
  {
    kube::CredentialsOptions o;
    o.now = [this] { return now; };
    o.stdin_is_terminal = [] { return false; };
    return o;
  }
};

inline kube::ConfigOverrides
kubeconfig_flag(const std::string& path)
{
  kube::ConfigOverrides o;
  o.kubeconfig = path;
  return o;
}

// The ConfigError message `fn` throws; fails the test (and returns "") when it throws nothing.
template<typename Fn>
std::string
config_error(Fn&& fn)
{
  try {
    fn();
  } catch (const kube::ConfigError& e) {
    return e.what();
  }
  FAIL_CHECK("expected a kube::ConfigError");
  return "";
}

} // namespace kctest
