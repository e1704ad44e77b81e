#pragma once
// Plain data about cluster objects and exec, shared by kube/ (which fills them) and ipsec/
// (which reasons about them without doing any I/O).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kube {

struct Container {
  std::string name;
  std::vector<std::string> command;
  std::vector<std::string> args;
  bool ready = false;
};

struct Pod {
  std::string ns;
  std::string name;
  std::string node;         // spec.nodeName, "" when not scheduled
  std::string phase;        // status.phase
  bool ready = false;       // condition Ready=True
  bool terminating = false; // metadata.deletionTimestamp set
  std::map<std::string, std::string> labels;
  std::vector<Container> containers;
};

struct ExecRequest {
  std::string ns;
  std::string pod;
  std::string container;
  std::vector<std::string> command;
  std::optional<std::string> stdin_data; // sent then closed (v5) when set
  std::chrono::milliseconds timeout{0};  // whole-exec deadline; 0 = none
  // When set, stdout is passed here as it arrives instead of being kept in ExecResult::out.
  std::function<void(std::string_view)> stdout_sink;
};

struct ExecResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

struct Secret {
  std::string ns;
  std::string name;
  std::string type = "Opaque";
  std::string resource_version;            // "" on create
  std::map<std::string, std::string> data; // decoded bytes
};

} // namespace kube
