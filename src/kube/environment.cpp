#include "kube/client_config.hpp"

#include <cstdlib>

namespace kube {

Environment
Environment::process()
{
  Environment env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    // Only read, never modified by this program, so std::getenv is safe from several threads.
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
  return env;
}

std::string
Environment::value(const std::string& name) const
{
  if (!getenv) {
    return "";
  }
  auto found = getenv(name);
  return found ? *found : "";
}

} // namespace kube
