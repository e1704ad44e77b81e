#pragma once
// Reads a file under tests/testdata (the captures, goldens and fixtures the tests compare with).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace testsupport {

inline std::string
read_testdata(const std::string& relative)
{
  const std::string path = std::string(KOI_SOURCE_DIR) + "/tests/testdata/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) {
    throw std::runtime_error("cannot read test data " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace testsupport
