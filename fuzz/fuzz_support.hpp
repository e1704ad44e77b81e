#pragma once
// Helpers shared by the fuzz targets: chunk boundaries chosen by the fuzzer, for the parsers
// that take their input as it arrives over the network.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fuzz {

// Splits `text` into pieces whose sizes come from `seed` (a small xorshift generator), so one
// input byte pattern in the seed explores many boundary placements, including 0- and 1-byte
// pieces and boundaries in the middle of lines, frames and UTF-8 sequences.
inline std::vector<std::string_view>
split_chunks(std::string_view text, std::uint32_t seed)
{
  std::vector<std::string_view> chunks;
  std::uint32_t state = seed | 1U;
  std::size_t pos = 0;
  while (pos < text.size()) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    // Mostly small pieces; now and then a large one so long inputs do not become millions of calls.
    const std::size_t size = (state & 0x300U) == 0 ? (state >> 10) % 4096 : (state >> 10) % 17;
    const std::size_t take = size < text.size() - pos ? size : text.size() - pos;
    chunks.push_back(text.substr(pos, take));
    pos += take;
  }
  return chunks;
}

} // namespace fuzz
