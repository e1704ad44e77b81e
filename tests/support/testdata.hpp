#pragma once
// Reads files the tests compare with: any file by path, and those under tests/testdata (the
// captures, goldens and fixtures).

#include "ipsec/tunnels_show.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace testsupport {

// The whole file at `path`; throws std::runtime_error naming it when it cannot be read.
inline std::string
read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) {
    throw std::runtime_error("cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The whole file at `path`, "" when it is missing or unreadable (a log not written yet).
inline std::string
read_file_or_empty(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string
testdata_path(const std::string& relative)
{
  return std::string(KOI_SOURCE_DIR) + "/tests/testdata/" + relative;
}

inline std::string
read_testdata(const std::string& relative)
{
  return read_file(testdata_path(relative));
}

// A tunnels/show capture under tests/testdata/tunnels-show, as text and parsed.
inline std::string
read_capture(const std::string& name)
{
  return read_testdata("tunnels-show/" + name);
}

inline ipsec::NodeTunnels
parse_capture(const std::string& name)
{
  return ipsec::parse_tunnels_show(read_capture(name));
}

// Three chassis ids the report and renderer tests share.
inline const std::string k_chassis1 = "11111111-aaaa-4000-8000-000000000001";
inline const std::string k_chassis2 = "22222222-bbbb-4000-8000-000000000002";
inline const std::string k_chassis3 = "33333333-cccc-4000-8000-000000000003";

} // namespace testsupport
