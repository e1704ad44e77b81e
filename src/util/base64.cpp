#include "util/base64.hpp"

#include "util/error.hpp"

#include <array>
#include <cstdint>

namespace util {
namespace {

constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t k_invalid = 0xff;

constexpr std::array<std::uint8_t, 256>
make_decode_map()
{
  std::array<std::uint8_t, 256> map{};
  for (auto& v : map) {
    v = k_invalid;
  }
  for (std::size_t i = 0; i < k_alphabet.size(); ++i) {
    map[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return map;
}

constexpr auto k_decode_map = make_decode_map();

[[noreturn]] void
corrupt(std::size_t at)
{
  throw Error("illegal base64 data at input byte " + std::to_string(at));
}

bool
is_newline(char c)
{
  return c == '\n' || c == '\r';
}

} // namespace

std::string
base64_encode(std::string_view data)
{
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
                            (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8) |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
    out += k_alphabet[(v >> 18) & 0x3f];
    out += k_alphabet[(v >> 12) & 0x3f];
    out += k_alphabet[(v >> 6) & 0x3f];
    out += k_alphabet[v & 0x3f];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (rest == 2) {
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    }
    out += k_alphabet[(v >> 18) & 0x3f];
    out += k_alphabet[(v >> 12) & 0x3f];
    out += rest == 2 ? k_alphabet[(v >> 6) & 0x3f] : '=';
    out += '=';
  }
  return out;
}

// A transcription of Go's decodeQuantum loop (non-strict StdEncoding) so that both the
// accepted inputs and the reported byte offsets are the same as kubectl's.
std::string
base64_decode(std::string_view src)
{
  std::string out;
  out.reserve(src.size() / 4 * 3 + 3);
  std::size_t si = 0;
  while (true) {
    std::array<std::uint8_t, 4> dbuf{};
    std::size_t dlen = 4;
    bool finished = false;
    for (int j = 0; j < 4; ++j) {
      if (src.size() == si) {
        if (j == 0) {
          return out;
        }
        corrupt(si - static_cast<std::size_t>(j)); // padding is mandatory, so a short final quantum is an error
      }
      const char in = src[si];
      ++si;
      const std::uint8_t value = k_decode_map[static_cast<unsigned char>(in)];
      if (value != k_invalid) {
        dbuf[static_cast<std::size_t>(j)] = value;
        continue;
      }
      if (is_newline(in)) {
        --j; // newlines do not count towards the quantum
        continue;
      }
      if (in != '=') {
        corrupt(si - 1);
      }
      switch (j) {
      case 0:
      case 1:
        corrupt(si - 1);
      case 2:
        while (si < src.size() && is_newline(src[si])) {
          ++si;
        }
        if (si == src.size()) {
          corrupt(src.size());
        }
        if (src[si] != '=') {
          corrupt(si - 1);
        }
        ++si;
        break;
      default:
        break;
      }
      while (si < src.size() && is_newline(src[si])) {
        ++si;
      }
      if (si < src.size()) {
        corrupt(si); // trailing garbage after the padding
      }
      dlen = static_cast<std::size_t>(j);
      finished = true;
      break;
    }
    const std::uint32_t val = (static_cast<std::uint32_t>(dbuf[0]) << 18) |
                              (static_cast<std::uint32_t>(dbuf[1]) << 12) | (static_cast<std::uint32_t>(dbuf[2]) << 6) |
                              static_cast<std::uint32_t>(dbuf[3]);
    const std::array<char, 3> bytes{static_cast<char>((val >> 16) & 0xff), static_cast<char>((val >> 8) & 0xff),
                                    static_cast<char>(val & 0xff)};
    out.append(bytes.data(), dlen - 1);
    if (finished) {
      return out;
    }
  }
}

} // namespace util
