// Which kubeconfig files are read, in which order, and how they are merged
// (client-go tools/clientcmd/loader.go: ClientConfigLoadingRules.Load, ResolveLocalPaths).

#include "kube/kubeconfig.hpp"

#include "util/error.hpp"

#include "kube/errors.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kube {
namespace {} // namespace

std::string
current_directory()
{
  std::string buffer(PATH_MAX, '\0');
  if (::getcwd(buffer.data(), buffer.size()) == nullptr) {
    return "/";
  }
  buffer.resize(std::strlen(buffer.c_str()));
  return buffer;
}

namespace {

void
resolve(std::string& path, const std::string& base_dir)
{
  if (!path.empty()) {
    path = absolute_path(path, base_dir);
  }
}

// Files as kubectl's loading rules list them (NewDefaultClientConfigLoadingRules).
std::vector<std::string>
candidate_files(const ConfigOverrides& overrides, const Environment& env)
{
  if (!overrides.kubeconfig.empty()) {
    return {overrides.kubeconfig};
  }
  const std::string list = env.value("KUBECONFIG");
  std::vector<std::string> files;
  if (!list.empty()) {
    std::set<std::string> seen;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      std::string entry = list.substr(start, end - start);
      if (!entry.empty() && seen.insert(entry).second) {
        files.push_back(std::move(entry));
      }
      start = end + 1;
    }
    return files;
  }
  // homedir.HomeDir() is $HOME on Linux; without it there is no home file to read.
  const std::string home = env.value("HOME");
  if (!home.empty()) {
    files.push_back(clean_path(home + "/.kube/config"));
  }
  return files;
}

} // namespace

std::string
read_file_text(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw FileReadError("open " + path + ": " + util::errno_text(err), err);
  }
  std::string data;
  std::array<char, 65536> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      data.append(buffer.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw FileReadError("read " + path + ": " + util::errno_text(err), err);
    }
    break;
  }
  ::close(fd);
  return data;
}

std::string
read_token_file(const std::string& path)
{
  const std::string text = read_file_text(path);
  const auto first = text.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string::npos) {
    throw util::Error("read empty token from file \"" + path + "\"");
  }
  const auto last = text.find_last_not_of(" \t\r\n\v\f");
  return text.substr(first, last - first + 1);
}

std::string
clean_path(std::string_view path)
{
  if (path.empty()) {
    return ".";
  }
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string
absolute_path(std::string_view path, std::string_view base_dir)
{
  if (!path.empty() && path.front() == '/') {
    return std::string(path);
  }
  return clean_path(std::string(base_dir) + "/" + std::string(path));
}

std::string
parent_dir(std::string_view path)
{
  const std::string cleaned = clean_path(path);
  const std::size_t slash = cleaned.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : cleaned.substr(0, slash);
}

void
resolve_local_paths(Kubeconfig& config)
{
  for (auto& [name, cluster] : config.clusters) {
    resolve(cluster.certificate_authority, parent_dir(cluster.origin));
  }
  for (auto& [name, user] : config.users) {
    const std::string base = parent_dir(user.origin);
    resolve(user.client_certificate, base);
    resolve(user.client_key, base);
    resolve(user.token_file, base);
    // A bare command name is looked up on $PATH when the plugin runs.
    if (user.exec && user.exec->command.find('/') != std::string::npos) {
      resolve(user.exec->command, base);
    }
  }
}

Kubeconfig
load_kubeconfig(const ConfigOverrides& overrides, const Environment& env)
{
  const std::string cwd = current_directory();
  if (!overrides.kubeconfig.empty()) {
    struct stat st {};
    if (::stat(overrides.kubeconfig.c_str(), &st) != 0 && errno == ENOENT) {
      throw ConfigError("stat " + overrides.kubeconfig + ": " + util::errno_text(ENOENT));
    }
  }
  Kubeconfig merged;
  std::vector<std::string> errors;
  for (const auto& file : candidate_files(overrides, env)) {
    std::string text;
    try {
      text = read_file_text(file);
    } catch (const FileReadError& e) {
      if (e.error_number() == ENOENT) {
        continue; // missing files in the list are skipped silently, as kubectl does
      }
      errors.push_back("error loading config file \"" + file + "\": " + e.what());
      continue;
    }
    try {
      merge_kubeconfig(merged, parse_kubeconfig(text, file, absolute_path(file, cwd)));
    } catch (const ConfigError& e) {
      errors.push_back(e.what());
    }
  }
  if (errors.size() == 1) {
    throw ConfigError(errors.front());
  }
  if (!errors.empty()) {
    std::string text = "invalid configuration:";
    for (const auto& e : errors) {
      text += "\n* " + e;
    }
    throw ConfigError(text);
  }
  resolve_local_paths(merged);
  return merged;
}

ClientConfig
load_client_config(const ConfigOverrides& overrides, const Environment& env)
{
  const Kubeconfig config = load_kubeconfig(overrides, env);
  if (auto resolved = resolve_client_config(config, overrides, current_directory())) {
    return *resolved;
  }
  if (auto in_cluster = in_cluster_client_config(overrides, env)) {
    return *in_cluster;
  }
  if (config.files.empty()) {
    // kubectl would fall back to http://localhost:8080; we never guess a server.
    throw ConfigError("no kubeconfig found: set --kubeconfig or $KUBECONFIG, or create ~/.kube/config");
  }
  std::string files;
  for (const auto& f : config.files) {
    files += (files.empty() ? "" : ", ") + f;
  }
  if (config.contexts.empty()) {
    throw ConfigError("no context to use: kubeconfig " + files + " defines no contexts");
  }
  throw ConfigError("current-context is not set (kubeconfig " + files + "): choose a context with --context");
}

} // namespace kube
