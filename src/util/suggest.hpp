#pragma once
// "Did you mean this?": the words close to a mistyped one, as cobra (kubectl's command library)
// suggests them: within Levenshtein distance 2, ignoring case, or starting with what was typed.

#include <string>
#include <string_view>
#include <vector>

namespace util {

// Edits (insert, delete, substitute one character) that turn `a` into `b`, ignoring ASCII case.
size_t edit_distance(std::string_view a, std::string_view b);

// The `candidates` close to `word`, in their order; empty `word` suggests nothing.
std::vector<std::string> suggestions(std::string_view word, const std::vector<std::string>& candidates,
                                     size_t max_distance = 2);

} // namespace util
