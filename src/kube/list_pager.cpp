#include "kube/list_pager.hpp"

#include "kube/errors.hpp"
#include "util/url.hpp"

#include <fmt/format.h>

namespace kube {

void
read_pages(RestClient& rest, const ListQuery& query, const std::function<void(const nlohmann::json&)>& take_page,
           const std::function<void()>& restart)
{
  static const JsonFields k_everything;
  bool restarted = false;
  std::string token;
  while (true) {
    auto params = query.params;
    params.emplace_back("limit", std::to_string(k_list_page_size));
    if (!token.empty()) {
      params.emplace_back("continue", token);
    }
    nlohmann::json page;
    try {
      page = rest.get(query.path + "?" + util::query_string(params), query.fields ? *query.fields : k_everything);
    } catch (const ApiError& e) {
      if (e.status() != 410 || token.empty()) {
        throw;
      }
      if (restarted) {
        throw ApiError(
            e.status(), e.reason(),
            fmt::format("listing {}: the server expired the list's continue token twice: {}", query.path, e.what()));
      }
      restarted = true;
      token.clear();
      restart();
      continue;
    }
    std::string next = list_continue(page);
    take_page(page);
    page = nlohmann::json();
    if (next.empty()) {
      return;
    }
    if (next == token) {
      // A server answering the same token again would page forever.
      throw ApiError(0, "", fmt::format("listing {}: the server returned the same continue token twice", query.path));
    }
    token = std::move(next);
  }
}

} // namespace kube
