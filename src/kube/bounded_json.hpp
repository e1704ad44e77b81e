#pragma once
// An API answer parsed into nlohmann::json within the command's memory budget. Only the
// members a caller reads are kept (a pod list page keeps a few hundred bytes per pod, not its
// managedFields and annotations), and what is kept is charged as it is built: a hostile answer
// ends in one clear error instead of gigabytes of parsed JSON.

#include "util/memory_budget.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace kube {

// The object members to keep, as dotted paths of keys from the top ("items.metadata.labels");
// arrays are transparent (the elements of "items" are at "items"), and a listed path keeps
// everything under it. Empty: keep everything.
using JsonFields = std::vector<std::string>;

// Parses `text` keeping `fields`, and charges `charge` an estimate of the memory each kept
// value takes. Returns a discarded value when `text` is not JSON. Throws util::MemoryLimitError
// "<what> exceeds the command's memory limit of N MiB ..." when the budget refuses.
nlohmann::json parse_json_within(std::string_view text, const JsonFields& fields, util::MemoryCharge& charge,
                                 std::string_view what);

} // namespace kube
