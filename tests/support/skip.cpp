#include "support/skip.hpp"

#include "support/subprocess.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace testsupport {

namespace {

std::mutex g_mutex;
std::string g_current_case;

// Keeps the name of the running case for the skip log.
struct CurrentCase : doctest::IReporter {
  explicit CurrentCase(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData& data) override
  {
    std::lock_guard lock(g_mutex);
    g_current_case = data.m_name;
  }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

bool
in_ci()
{
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// One line per skip: "<case>\t<kind>\t<why>"; O_APPEND keeps parallel test processes' lines whole.
void
append_to_log(const std::string& line)
{
  const char* path = std::getenv("KOI_SKIP_LOG");
  if (path == nullptr || *path == '\0') {
    return;
  }
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return;
  }
  const ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::close(fd);
}

} // namespace

REGISTER_LISTENER("koi_current_case", 1, CurrentCase);

bool
skip_test(const std::string& why, SkipKind kind)
{
  std::string name;
  {
    std::lock_guard lock(g_mutex);
    name = g_current_case;
  }
  std::string flat = why;
  for (char& c : flat) {
    if (c == '\n' || c == '\t') {
      c = ' ';
    }
  }
  const bool fail = kind == SkipKind::install_provides && in_ci();
  append_to_log(name + "\t" +
                (fail                          ? "FAILED"
                 : kind == SkipKind::by_design ? "by-design"
                                               : "skipped") +
                "\t" + flat + "\n");
  if (fail) {
    FAIL_CHECK("would skip, but CI=true and .ci/install-deps provides this: " << why);
  } else {
    MESSAGE("skipped: " << why);
  }
  return true;
}

std::string
program_missing(const std::string& program)
{
  return which(program).empty() ? program + " is not on PATH" : "";
}

} // namespace testsupport
