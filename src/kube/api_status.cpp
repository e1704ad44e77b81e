#include "kube/api_status.hpp"

#include "util/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kube {

namespace {

// A string member of a Status, "" when absent or of another type (value() would throw).
std::string
text_member(const nlohmann::json& status, const char* key)
{
  const auto it = status.find(key);
  return it != status.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

ApiError
api_error_from_response(int http_status, std::string_view body, std::string_view context)
{
  std::string reason;
  std::string message;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && text_member(json, "kind") == "Status") {
    reason = text_member(json, "reason");
    message = text_member(json, "message");
  }
  if (message.empty()) {
    // Not a Status (a proxy, a load balancer, an old server): keep what little it said.
    const std::string said = util::first_line(body);
    message = said.empty() ? fmt::format("{} returned HTTP {}", context, http_status)
                           : fmt::format("{} returned HTTP {}: {}", context, http_status, said);
  }
  if (http_status == 401) {
    // kubectl: "error: You must be logged in to the server (Unauthorized)".
    return ApiError(http_status, reason.empty() ? "Unauthorized" : reason,
                    fmt::format("You must be logged in to the server ({})", message));
  }
  if (!reason.empty()) {
    return ApiError(http_status, reason, fmt::format("Error from server ({}): {}", reason, message));
  }
  return ApiError(http_status, reason, message);
}

} // namespace kube
