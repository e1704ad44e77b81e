#include "kube/api_status.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("util::parse_duration takes kubectl's forms")
{
  CHECK(util::parse_duration("0", "--x") == 0ms);
  CHECK(util::parse_duration("30", "--x") == 30s);
  CHECK(util::parse_duration("500ms", "--x") == 500ms);
  CHECK(util::parse_duration("1m30s", "--x") == 90s);
  CHECK(util::parse_duration("1.5s", "--x") == 1500ms);
  CHECK(util::parse_duration("2h", "--x") == 7200s);
  CHECK_THROWS_WITH_AS(util::parse_duration("soon", "--timeout"),
                       "invalid value \"soon\" for --timeout: use a duration such as 30s, 2m or 500ms",
                       util::UsageError);
  CHECK_THROWS_AS(util::parse_duration("5x", "--x"), util::UsageError);
  CHECK_THROWS_AS(util::parse_duration("", "--x"), util::UsageError);
  CHECK_THROWS_AS(util::parse_duration("99999999999", "--x"), util::UsageError);
}

TEST_CASE("util::parse_days takes days, or hours rounded up to days")
{
  CHECK(util::parse_days("30d", "--before") == 30);
  CHECK(util::parse_days("0d", "--before") == 0);
  CHECK(util::parse_days("720h", "--before") == 30);
  CHECK(util::parse_days("721h", "--before") == 31);
  CHECK(util::parse_days("90m", "--before") == 1);
  for (const char* bad : {"30", "", "d", "3x0d", "-1d", "123456d", "999999999h", "30 d", "1w"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(util::parse_days(bad, "--before"),
                         doctest::Contains("for --before: use days such as 30d (or hours such as 720h)"),
                         util::UsageError);
  }
}

TEST_CASE("util::format_duration reads like Go's")
{
  CHECK(util::format_duration(300ms) == "300ms");
  CHECK(util::format_duration(2s) == "2s");
  CHECK(util::format_duration(1500ms) == "1.5s");
  CHECK(util::format_duration(2min) == "2m0s");
  CHECK(util::format_duration(90s) == "1m30s");
  CHECK(util::format_duration(1h) == "1h0m0s");
}

TEST_CASE("util::percent_encode and query_string")
{
  CHECK(util::percent_encode("app=ovs,x!=y") == "app%3Dovs%2Cx%21%3Dy");
  CHECK(util::percent_encode("a b/c~d") == "a%20b%2Fc~d");
  CHECK(util::query_string({{"command", "ovs-appctl"}, {"command", "tunnels/show"}}) ==
        "command=ovs-appctl&command=tunnels%2Fshow");
}

TEST_CASE("util strings")
{
  CHECK(util::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(util::trim("  x y \n") == "x y");
  CHECK(util::join({"a", "b"}, ", ") == "a, b");
  CHECK(util::to_lower("AbC") == "abc");
}

TEST_CASE("util::parallel_for bounds concurrency and keeps per-item results")
{
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<int> out(20);
  util::parallel_for(out.size(), 4, [&](size_t i) {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(2ms);
    out[i] = static_cast<int>(i) * 2;
    --running;
  });
  CHECK(peak.load() <= 4);
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i] == static_cast<int>(i) * 2);
  }
  // And it really runs 4 at once: each of the first 4 items waits until all 4 have started. A
  // sequential (or 3-wide) pool never gets there and each wait gives up after its bound.
  std::mutex mutex;
  std::condition_variable all_started;
  int started = 0;
  std::atomic<int> met{0};
  util::parallel_for(4, 4, [&](size_t) {
    std::unique_lock lock(mutex);
    ++started;
    all_started.notify_all();
    if (all_started.wait_for(lock, 20s, [&] { return started == 4; })) {
      ++met;
    }
  });
  CHECK(met.load() == 4);
  CHECK_THROWS_AS(util::parallel_for(3, 2,
                                     [](size_t i) {
                                       if (i == 1) {
                                         throw util::Error("boom");
                                       }
                                     }),
                  util::Error);
}

TEST_CASE("kube::api_error_from_response reads metav1.Status like kubectl")
{
  const auto forbidden = kube::api_error_from_response(
      403,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p1\" is forbidden: User \"viewer\" cannot get resource \"pods/exec\" in API group \"\" in the namespace \"kube-system\"","reason":"Forbidden","details":{"name":"p1","kind":"pods"},"code":403})",
      "GET /x");
  CHECK(forbidden.status() == 403);
  CHECK(forbidden.reason() == "Forbidden");
  CHECK(std::string(forbidden.what()) == "Error from server (Forbidden): pods \"p1\" is forbidden: User \"viewer\" "
                                         "cannot get resource \"pods/exec\" in API "
                                         "group \"\" in the namespace \"kube-system\"");
  const auto unauthorized = kube::api_error_from_response(
      401, R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})",
      "GET /x");
  CHECK(std::string(unauthorized.what()) == "You must be logged in to the server (Unauthorized)");
  const auto html = kube::api_error_from_response(502, "<html>Bad Gateway</html>\nmore", "GET /api/v1/pods");
  CHECK(std::string(html.what()) == "GET /api/v1/pods returned HTTP 502: <html>Bad Gateway</html>");
  CHECK(std::string(kube::api_error_from_response(500, "", "GET /y").what()) == "GET /y returned HTTP 500");
}
