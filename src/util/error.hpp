#pragma once
// Error kinds every layer throws; main() maps them to one line on stderr and an exit code.

#include <stdexcept>
#include <string>

namespace util {

// A failure the user can act on: printed as "error: <what>", exit 1.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Bad command-line usage: printed with a usage hint, exit 2.
class UsageError : public Error {
public:
  using Error::Error;
};

// A command that ran and found a problem (a node failed, a check did not pass): its report
// is already printed, so main() prints nothing more and exits with `code`.
class ExitStatus : public std::exception {
public:
  explicit ExitStatus(int code) : m_code(code) {}
  int code() const { return m_code; }
  const char* what() const noexcept override { return "exit status"; }

private:
  int m_code;
};

// strerror(err) in Go's wording (lower-case first letter: "no such file or directory"), as
// kubectl words OS errors.
std::string errno_text(int err);

} // namespace util
