#pragma once
// Lists read a page at a time, as kubectl's --chunk-size does (limit/continue): each page is
// parsed keeping only what its converter reads, converted, and its JSON dropped before the
// next page is asked for, so no answer holds more than one page. What the list keeps is
// charged to the command's budget until it is returned.

#include "kube/resource_json.hpp"
#include "kube/rest_client.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace kube {

// kubectl's default --chunk-size.
inline constexpr int k_list_page_size = 500;

struct ListQuery {
  std::string path;                                        // "/api/v1/namespaces/kube-system/pods", no query
  std::vector<std::pair<std::string, std::string>> params; // selectors; limit and continue are added
  const JsonFields* fields = nullptr;                      // what each page keeps (nullptr: everything)
};

// Calls `take_page` with every page in order. A continue token the server has expired (410
// Expired: etcd compacted the list's revision) starts the list over once, after `restart`
// (which drops what was taken), since a list stitched across revisions is not consistent;
// a second expiry is an ApiError saying so.
void read_pages(RestClient& rest, const ListQuery& query, const std::function<void(const nlohmann::json&)>& take_page,
                const std::function<void()>& restart);

// Every item of the list, converted page by page by `convert` (pods_from_list, csrs_from_list).
// Throws util::MemoryLimitError when the items kept pass the command's budget.
template<typename Item>
std::vector<Item>
list_all(RestClient& rest, const ListQuery& query, std::vector<Item> (*convert)(const nlohmann::json&))
{
  std::vector<Item> items;
  util::MemoryCharge held(rest.budget());
  read_pages(
      rest, query,
      [&](const nlohmann::json& page) {
        for (auto& item : convert(page)) {
          if (!held.grow(held_bytes(item))) {
            throw util::exceeds_budget("the list from " + rest.server() + query.path, rest.budget()->limit());
          }
          items.push_back(std::move(item));
        }
      },
      [&] {
        items.clear();
        held.reset();
      });
  return items;
}

} // namespace kube
