#pragma once
// How long a run of printable ASCII is, eight bytes at a time. The output of `tunnels` at 1,000
// nodes (1.2 GB read, 1.7 GB written as json) is scanned more than once: by the parser for
// bytes to replace, by the JSON writer for bytes to escape, by the terminal filter. Nearly all
// of it is printable ASCII, so each scan asks this first and looks at single bytes only where
// a word holds something else.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace util {

namespace ascii_detail {

constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_highs = 0x8080808080808080ULL;

// Non-zero when a byte of `word` may be below `limit` (<= 0x80); never zero when one is.
constexpr std::uint64_t
may_be_below(std::uint64_t word, unsigned limit)
{
  return (word - k_ones * limit) & ~word & k_highs;
}

// Non-zero when a byte of `word` may be above 0x7E; never zero when one is.
constexpr std::uint64_t
may_be_above_tilde(std::uint64_t word)
{
  return ((word + k_ones) | word) & k_highs;
}

template<char... Excluded>
constexpr bool
accepted(unsigned char c)
{
  return c >= 0x20 && c < 0x7F && ((c != static_cast<unsigned char>(Excluded)) && ...);
}

} // namespace ascii_detail

// Length of the longest prefix of `text` made of printable ASCII (0x20..0x7E) other than the
// `Excluded` bytes.
template<char... Excluded>
std::size_t
printable_prefix(std::string_view text)
{
  using namespace ascii_detail;
  std::size_t i = 0;
  while (i + 8 <= text.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, 8);
    std::uint64_t odd = may_be_below(word, 0x20) | may_be_above_tilde(word);
    ((odd |= may_be_below(word ^ (k_ones * static_cast<unsigned char>(Excluded)), 1)), ...);
    if (odd != 0) {
      break; // a word with something else in it: byte by byte from here
    }
    i += 8;
  }
  while (i < text.size() && accepted<Excluded...>(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  return i;
}

// Length of the longest prefix of `text` made of printable ASCII and the `Also` bytes (TAB, newline):
// what the parser keeps as it is (TAB) and what the terminal filter passes (TAB and newline).
template<char... Also>
std::size_t
plain_run(std::string_view text)
{
  std::size_t i = 0;
  while (true) {
    i += printable_prefix(text.substr(i));
    if (i < text.size() && ((text[i] == Also) || ...)) {
      ++i;
      continue;
    }
    return i;
  }
}

} // namespace util
