#include "kube/websocket.hpp"

#include "kube/errors.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <utility>

namespace kube::ws {

namespace {

constexpr std::size_t k_max_control_payload = 125;

unsigned char
byte_at(std::string_view bytes, std::size_t index)
{
  return static_cast<unsigned char>(bytes[index]);
}

bool
is_known_opcode(unsigned value)
{
  return value <= 0x2 || (value >= 0x8 && value <= 0xA);
}

} // namespace

bool
is_control(Opcode opcode)
{
  return (static_cast<unsigned>(opcode) & 0x8U) != 0;
}

std::string_view
opcode_name(Opcode opcode)
{
  switch (opcode) {
  case Opcode::continuation:
    return "continuation";
  case Opcode::text:
    return "text";
  case Opcode::binary:
    return "binary";
  case Opcode::close:
    return "close";
  case Opcode::ping:
    return "ping";
  case Opcode::pong:
    return "pong";
  }
  return "unknown";
}

RandomSource
openssl_random()
{
  return [](std::span<unsigned char> out) {
    if (out.size() > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      throw ProtocolError("cannot draw random bytes for the WebSocket mask from OpenSSL");
    }
  };
}

std::string
encode_frame(Opcode opcode, std::string_view payload, std::optional<MaskKey> mask, bool fin)
{
  std::string out;
  out.reserve(payload.size() + 14);
  out += static_cast<char>((fin ? 0x80U : 0U) | static_cast<unsigned>(opcode));
  const unsigned mask_bit = mask ? 0x80U : 0U;
  const std::uint64_t size = payload.size();
  if (size <= 125) {
    out += static_cast<char>(mask_bit | static_cast<unsigned>(size));
  } else if (size <= 0xFFFF) {
    out += static_cast<char>(mask_bit | 126U);
    out += static_cast<char>((size >> 8) & 0xFF);
    out += static_cast<char>(size & 0xFF);
  } else {
    out += static_cast<char>(mask_bit | 127U);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((size >> shift) & 0xFF);
    }
  }
  if (!mask) {
    out += payload;
    return out;
  }
  for (const unsigned char b : *mask) {
    out += static_cast<char>(b);
  }
  const std::size_t start = out.size();
  out += payload;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out[start + i] = static_cast<char>(static_cast<unsigned char>(out[start + i]) ^ (*mask)[i % 4]);
  }
  return out;
}

std::string
encode_client_frame(Opcode opcode, std::string_view payload, const RandomSource& random, bool fin)
{
  MaskKey key{};
  random(key);
  return encode_frame(opcode, payload, key, fin);
}

FrameDecoder::FrameDecoder(std::size_t max_payload, bool from_client)
    : m_max_payload(max_payload), m_from_client(from_client)
{}

void
FrameDecoder::feed(std::string_view bytes)
{
  // Drop consumed bytes once they dominate the buffer, so a long stream of frames does not
  // keep every byte it ever received.
  if (m_pos > 0 && (m_pos == m_buffer.size() || m_pos >= 64 * 1024)) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  m_buffer.append(bytes);
}

std::optional<Frame>
FrameDecoder::next()
{
  const std::string_view data = std::string_view(m_buffer).substr(m_pos);
  if (data.size() < 2) {
    return std::nullopt;
  }
  const unsigned b0 = byte_at(data, 0);
  const unsigned b1 = byte_at(data, 1);
  if ((b0 & 0x70U) != 0) {
    throw ProtocolError(
        fmt::format("WebSocket frame has reserved bits set (0x{:02x}) but no extension was negotiated", b0));
  }
  const unsigned op = b0 & 0x0FU;
  if (!is_known_opcode(op)) {
    throw ProtocolError(fmt::format("WebSocket frame uses reserved opcode 0x{:x}", op));
  }
  Frame frame;
  frame.fin = (b0 & 0x80U) != 0;
  frame.opcode = static_cast<Opcode>(op);
  const bool masked = (b1 & 0x80U) != 0;
  if (masked != m_from_client) {
    throw ProtocolError(masked ? "WebSocket server sent a masked frame" : "WebSocket client sent an unmasked frame");
  }

  std::size_t header = 2;
  std::uint64_t size = b1 & 0x7FU;
  if (size == 126) {
    header = 4;
  } else if (size == 127) {
    header = 10;
  }
  if (data.size() < header) {
    return std::nullopt;
  }
  if (size >= 126) {
    size = 0;
    for (std::size_t i = 2; i < header; ++i) {
      size = (size << 8) | byte_at(data, i);
    }
    if (header == 10 && (size >> 63) != 0) {
      throw ProtocolError("WebSocket frame length has its most significant bit set");
    }
  }
  if (is_control(frame.opcode)) {
    if (!frame.fin) {
      throw ProtocolError(fmt::format("WebSocket {} frame is fragmented", opcode_name(frame.opcode)));
    }
    if (size > k_max_control_payload) {
      throw ProtocolError(fmt::format("WebSocket {} frame has {} payload bytes (at most 125 allowed)",
                                      opcode_name(frame.opcode), size));
    }
  }
  if (size > m_max_payload) {
    throw ProtocolError(fmt::format("WebSocket frame of {} bytes exceeds the limit of {} bytes", size, m_max_payload));
  }
  const std::size_t key_size = masked ? 4 : 0;
  if (data.size() < header + key_size || data.size() - header - key_size < size) {
    return std::nullopt;
  }
  frame.payload.assign(data.substr(header + key_size, static_cast<std::size_t>(size)));
  if (masked) {
    for (std::size_t i = 0; i < frame.payload.size(); ++i) {
      frame.payload[i] =
          static_cast<char>(static_cast<unsigned char>(frame.payload[i]) ^ byte_at(data, header + i % 4));
    }
  }
  m_pos += header + key_size + static_cast<std::size_t>(size);
  return frame;
}

void
FrameDecoder::finish() const
{
  if (has_partial()) {
    throw ProtocolError(
        fmt::format("WebSocket stream ended inside a frame ({} bytes of it received)", m_buffer.size() - m_pos));
  }
}

MessageAssembler::MessageAssembler(std::size_t max_message) : m_max_message(max_message) {}

std::optional<Message>
MessageAssembler::add(Frame frame)
{
  if (is_control(frame.opcode)) {
    return Message{frame.opcode, std::move(frame.payload)};
  }
  if (frame.opcode == Opcode::continuation) {
    if (!m_in_progress) {
      throw ProtocolError("WebSocket continuation frame without a message to continue");
    }
  } else if (m_in_progress) {
    throw ProtocolError(
        fmt::format("WebSocket {} frame started while a fragmented message was unfinished", opcode_name(frame.opcode)));
  } else if (frame.fin) {
    if (frame.payload.size() > m_max_message) {
      throw ProtocolError(fmt::format("WebSocket message exceeds the limit of {} bytes", m_max_message));
    }
    return Message{frame.opcode, std::move(frame.payload)};
  } else {
    m_in_progress = true;
    m_opcode = frame.opcode;
    m_payload.clear();
  }
  if (frame.payload.size() > m_max_message - m_payload.size()) {
    throw ProtocolError(fmt::format("WebSocket message exceeds the limit of {} bytes", m_max_message));
  }
  m_payload += frame.payload;
  if (!frame.fin) {
    return std::nullopt;
  }
  m_in_progress = false;
  return Message{m_opcode, std::exchange(m_payload, std::string())};
}

bool
is_valid_close_code(std::uint16_t code)
{
  return (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) ||
         (code >= 3000 && code <= 4999);
}

CloseInfo
parse_close_payload(std::string_view payload)
{
  if (payload.empty()) {
    return CloseInfo{};
  }
  if (payload.size() == 1) {
    throw ProtocolError("WebSocket close frame has a 1-byte payload (a status code needs 2)");
  }
  CloseInfo info;
  info.code = static_cast<std::uint16_t>((byte_at(payload, 0) << 8) | byte_at(payload, 1));
  if (!is_valid_close_code(info.code)) {
    throw ProtocolError(fmt::format("WebSocket close frame has invalid status code {}", info.code));
  }
  info.reason.assign(payload.substr(2));
  if (!is_valid_utf8(info.reason)) {
    throw ProtocolError("WebSocket close reason is not valid UTF-8");
  }
  return info;
}

std::string
close_payload(std::uint16_t code, std::string_view reason)
{
  std::string out;
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xFF);
  std::size_t size = std::min(reason.size(), k_max_control_payload - 2);
  // Never cut a UTF-8 sequence in half: back up to the start of a character.
  while (size < reason.size() && size > 0 && (byte_at(reason, size) & 0xC0U) == 0x80U) {
    --size;
  }
  out += reason.substr(0, size);
  return out;
}

bool
is_valid_utf8(std::string_view text)
{
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned c = byte_at(text, i);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (text.size() - i <= extra) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const unsigned cont = byte_at(text, i + k);
      if ((cont & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cont & 0x3F);
    }
    const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

} // namespace kube::ws
