#pragma once
// RFC 6455 framing for a WebSocket client, as pure functions over byte strings (no I/O):
// frame encoding with client masking, an incremental frame decoder, a message assembler for
// fragmented messages, and close-frame payloads. Violations throw kube::ProtocolError.
// The opening handshake is in kube/websocket_handshake.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kube::ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Close, ping and pong: never fragmented, at most 125 payload bytes (RFC 6455 §5.5).
bool is_control(Opcode opcode);

// "text", "binary", ... for messages.
std::string_view opcode_name(Opcode opcode);

struct Frame {
  bool fin = true;
  Opcode opcode = Opcode::binary;
  std::string payload; // unmasked
};

using MaskKey = std::array<unsigned char, 4>;

// Fills its argument with random bytes: OpenSSL's RAND_bytes in production, fixed bytes in tests.
using RandomSource = std::function<void(std::span<unsigned char>)>;

// RandomSource backed by OpenSSL's CSPRNG (throws ProtocolError if it fails).
RandomSource openssl_random();

// One frame with the shortest length encoding. Client frames carry `mask` (RFC 6455 §5.3:
// every client frame must be masked); nullopt gives an unmasked (server) frame.
std::string encode_frame(Opcode opcode, std::string_view payload, std::optional<MaskKey> mask, bool fin = true);

// A client frame masked with a fresh key drawn from `random`.
std::string encode_client_frame(Opcode opcode, std::string_view payload, const RandomSource& random, bool fin = true);

// Incremental frame decoder: feed bytes as they arrive, pop complete frames.
class FrameDecoder {
public:
  // Decodes frames a server sent, which must be unmasked (RFC 6455 §5.1 makes a masked server
  // frame fatal for the client, so it is refused rather than decoded). With `from_client`,
  // frames must be masked instead (a server's view; used to check our encoder). Frames whose
  // payload exceeds `max_payload` are refused before their payload is buffered.
  explicit FrameDecoder(std::size_t max_payload, bool from_client = false);

  void feed(std::string_view bytes);

  // The next complete frame, or nullopt when more bytes are needed. Throws ProtocolError on
  // reserved bits or opcodes, a 64-bit length with the top bit set, a fragmented or oversized
  // control frame, wrong masking, or a payload over the limit. Non-minimal lengths are accepted.
  std::optional<Frame> next();

  // True when bytes of an incomplete frame are buffered.
  bool has_partial() const { return m_pos < m_buffer.size(); }

  // Call at end of stream: throws ProtocolError when it cut a frame short.
  void finish() const;

private:
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::size_t m_max_payload;
  bool m_from_client;
};

struct Message {
  Opcode opcode = Opcode::binary; // text, binary, close, ping or pong
  std::string payload;
};

// Joins fragmented data messages (RFC 6455 §5.4); control frames pass straight through, also
// between the fragments of a data message.
class MessageAssembler {
public:
  // Messages whose total size exceeds `max_message` are refused.
  explicit MessageAssembler(std::size_t max_message);

  // Returns the message `frame` completes, if any. Throws ProtocolError on a continuation with
  // nothing to continue, a new data frame inside a fragmented message, or an oversized message.
  std::optional<Message> add(Frame frame);

private:
  std::size_t m_max_message;
  bool m_in_progress = false;
  Opcode m_opcode = Opcode::binary;
  std::string m_payload;
};

constexpr std::uint16_t k_close_normal = 1000;
constexpr std::uint16_t k_close_protocol_error = 1002;
constexpr std::uint16_t k_close_no_status = 1005; // never sent: stands for an empty close payload
constexpr std::uint16_t k_close_abnormal = 1006;  // never sent: stands for a dropped connection
constexpr std::uint16_t k_close_too_big = 1009;

struct CloseInfo {
  std::uint16_t code = k_close_no_status;
  std::string reason;
};

// Codes a peer may send: 1000-1003, 1007-1014 and 3000-4999 (RFC 6455 §7.4, IANA registry).
bool is_valid_close_code(std::uint16_t code);

// Parses a close frame's payload: empty means 1005 (no status). Throws ProtocolError on a
// 1-byte payload, a code that may not be sent, or a reason that is not UTF-8.
CloseInfo parse_close_payload(std::string_view payload);

// A close frame payload: 2-byte code then the reason (truncated to fit in 125 bytes).
std::string close_payload(std::uint16_t code, std::string_view reason = {});

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);

} // namespace kube::ws
