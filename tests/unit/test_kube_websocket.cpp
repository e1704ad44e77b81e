// RFC 6455 framing and handshake, checked against the RFC's own examples (§1.3, §5.7).

#include "kube/errors.hpp"
#include "kube/websocket.hpp"
#include "kube/websocket_handshake.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

using namespace kube;

namespace {

std::string
bytes(std::initializer_list<unsigned> values)
{
  std::string out;
  for (const unsigned v : values) {
    out += static_cast<char>(v);
  }
  return out;
}

const ws::MaskKey k_rfc_mask{0x37, 0xfa, 0x21, 0x3d};

// A RandomSource that repeats `pattern`, so masks and keys are predictable.
ws::RandomSource
fixed_random(std::string pattern)
{
  return [pattern](std::span<unsigned char> out) {
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<unsigned char>(pattern[i % pattern.size()]);
    }
  };
}

std::vector<ws::Frame>
decode_all(std::string_view wire, bool from_client = false, size_t max = 1 << 20)
{
  ws::FrameDecoder decoder(max, from_client);
  decoder.feed(wire);
  std::vector<ws::Frame> frames;
  while (auto frame = decoder.next()) {
    frames.push_back(std::move(*frame));
  }
  decoder.finish();
  return frames;
}

} // namespace

TEST_CASE("ws::encode_frame reproduces RFC 6455 §5.7 examples")
{
  CHECK(ws::encode_frame(ws::Opcode::text, "Hello", std::nullopt) == bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  CHECK(ws::encode_frame(ws::Opcode::text, "Hello", k_rfc_mask) ==
        bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  CHECK(ws::encode_frame(ws::Opcode::text, "Hel", std::nullopt, false) == bytes({0x01, 0x03}) + "Hel");
  CHECK(ws::encode_frame(ws::Opcode::continuation, "lo", std::nullopt) == bytes({0x80, 0x02}) + "lo");
  CHECK(ws::encode_frame(ws::Opcode::ping, "Hello", std::nullopt) == bytes({0x89, 0x05}) + "Hello");
  CHECK(ws::encode_frame(ws::Opcode::pong, "Hello", k_rfc_mask) ==
        bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));

  const std::string b256(256, 'x');
  CHECK(ws::encode_frame(ws::Opcode::binary, b256, std::nullopt) == bytes({0x82, 0x7E, 0x01, 0x00}) + b256);
  const std::string b64k(65536, 'y');
  CHECK(ws::encode_frame(ws::Opcode::binary, b64k, std::nullopt) ==
        bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + b64k);
  // The boundaries of the 7- and 16-bit forms.
  CHECK(ws::encode_frame(ws::Opcode::binary, std::string(125, 'a'), std::nullopt).substr(0, 2) == bytes({0x82, 125}));
  CHECK(ws::encode_frame(ws::Opcode::binary, std::string(126, 'a'), std::nullopt).substr(0, 4) ==
        bytes({0x82, 126, 0x00, 126}));
  CHECK(ws::encode_frame(ws::Opcode::binary, std::string(65535, 'a'), std::nullopt).substr(0, 4) ==
        bytes({0x82, 126, 0xFF, 0xFF}));
}

TEST_CASE("ws::encode_client_frame masks with a key drawn from the random source")
{
  const std::string wire = ws::encode_client_frame(ws::Opcode::text, "Hello", fixed_random("\x37\xfa\x21\x3d"));
  CHECK(wire == bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  // A server's view of our frames: masked, and unmasked again by the decoder.
  const auto frames =
      decode_all(ws::encode_client_frame(ws::Opcode::binary, std::string(70000, 'z'), fixed_random("\x01\x02\x03\x04")),
                 /*from_client=*/true);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].payload == std::string(70000, 'z'));
}

TEST_CASE("ws::FrameDecoder decodes RFC examples and every length form")
{
  auto frames = decode_all(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].fin);
  CHECK(frames[0].opcode == ws::Opcode::text);
  CHECK(frames[0].payload == "Hello");

  frames = decode_all(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), true);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].payload == "Hello");

  const std::string b256(256, '\x01');
  frames = decode_all(bytes({0x82, 0x7E, 0x01, 0x00}) + b256 + bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0}) +
                      std::string(65536, '\x02'));
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].payload == b256);
  CHECK(frames[1].payload.size() == 65536);
  CHECK(frames[1].opcode == ws::Opcode::binary);

  // Non-minimal lengths are legal to decode.
  frames = decode_all(bytes({0x82, 0x7E, 0x00, 0x03}) + "abc" + bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x02}) + "de");
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].payload == "abc");
  CHECK(frames[1].payload == "de");

  frames = decode_all(bytes({0x82, 0x00}));
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].payload.empty());
}

TEST_CASE("ws::FrameDecoder waits for truncated input and fails at end of stream")
{
  const std::string wire = bytes({0x82, 0x7E, 0x01, 0x00}) + std::string(256, 'q') + bytes({0x81, 0x02}) + "hi";
  ws::FrameDecoder decoder(1 << 20);
  std::vector<ws::Frame> frames;
  for (const char c : wire) {
    decoder.feed(std::string_view(&c, 1));
    while (auto frame = decoder.next()) {
      frames.push_back(std::move(*frame));
    }
  }
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].payload == std::string(256, 'q'));
  CHECK(frames[1].payload == "hi");
  CHECK_FALSE(decoder.has_partial());
  CHECK_NOTHROW(decoder.finish());

  ws::FrameDecoder cut(1 << 20);
  cut.feed(bytes({0x82, 0x7F, 0, 0}));
  CHECK_FALSE(cut.next().has_value());
  cut.feed(bytes({0, 0, 0, 0, 0x10, 0}) + "partial");
  CHECK_FALSE(cut.next().has_value());
  CHECK(cut.has_partial());
  CHECK_THROWS_WITH_AS(cut.finish(), "WebSocket stream ended inside a frame (17 bytes of it received)", ProtocolError);
}

TEST_CASE("ws::FrameDecoder refuses what RFC 6455 forbids")
{
  // Reserved bits without a negotiated extension.
  CHECK_THROWS_AS(decode_all(bytes({0xC1, 0x00})), ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0xA1, 0x00})), ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0x91, 0x00})), ProtocolError);
  // Reserved opcodes.
  CHECK_THROWS_WITH_AS(decode_all(bytes({0x83, 0x00})), "WebSocket frame uses reserved opcode 0x3", ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0x8B, 0x00})), ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0x8F, 0x00})), ProtocolError);
  // Control frames: at most 125 bytes, never fragmented.
  CHECK_THROWS_WITH_AS(decode_all(bytes({0x89, 0x7E, 0x00, 0x7E}) + std::string(126, 'p')),
                       "WebSocket ping frame has 126 payload bytes (at most 125 allowed)", ProtocolError);
  CHECK_THROWS_WITH_AS(decode_all(bytes({0x09, 0x00})), "WebSocket ping frame is fragmented", ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0x08, 0x00})), ProtocolError);
  CHECK_NOTHROW(decode_all(bytes({0x89, 0x7D}) + std::string(125, 'p')));
  // A 64-bit length with its top bit set.
  CHECK_THROWS_AS(decode_all(bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1})), ProtocolError);
  // A server must not mask; a client must.
  CHECK_THROWS_WITH_AS(decode_all(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})),
                       "WebSocket server sent a masked frame", ProtocolError);
  CHECK_THROWS_AS(decode_all(bytes({0x81, 0x05}) + "Hello", true), ProtocolError);
}

TEST_CASE("ws::FrameDecoder refuses an oversized frame from its header alone")
{
  ws::FrameDecoder decoder(1000);
  decoder.feed(bytes({0x82, 0x7F, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF}));
  CHECK_THROWS_WITH_AS(decoder.next(), "WebSocket frame of 2147483647 bytes exceeds the limit of 1000 bytes",
                       ProtocolError);
  CHECK_NOTHROW(decode_all(bytes({0x82, 0x7E, 0x03, 0xE8}) + std::string(1000, 'a'), false, 1000));
  CHECK_THROWS_AS(decode_all(bytes({0x82, 0x7E, 0x03, 0xE9}) + std::string(1001, 'a'), false, 1000), ProtocolError);
}

TEST_CASE("ws::MessageAssembler joins fragments and lets control frames interleave")
{
  ws::MessageAssembler assembler(1 << 20);
  const auto frames = decode_all(bytes({0x01, 0x03}) + "Hel" + bytes({0x89, 0x02}) + "hi" + bytes({0x00, 0x01}) + "l" +
                                 bytes({0x80, 0x01}) + "o" + bytes({0x82, 0x01}) + "z");
  std::vector<ws::Message> messages;
  for (const auto& frame : frames) {
    if (auto message = assembler.add(frame)) {
      messages.push_back(std::move(*message));
    }
  }
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].opcode == ws::Opcode::ping);
  CHECK(messages[0].payload == "hi");
  CHECK(messages[1].opcode == ws::Opcode::text);
  CHECK(messages[1].payload == "Hello");
  CHECK(messages[2].opcode == ws::Opcode::binary);
  CHECK(messages[2].payload == "z");
}

TEST_CASE("ws::MessageAssembler refuses broken fragmentation and oversized messages")
{
  ws::MessageAssembler stray(100);
  CHECK_THROWS_WITH_AS(stray.add({true, ws::Opcode::continuation, "x"}),
                       "WebSocket continuation frame without a message to continue", ProtocolError);

  ws::MessageAssembler nested(100);
  CHECK_FALSE(nested.add({false, ws::Opcode::binary, "a"}).has_value());
  CHECK_THROWS_AS(nested.add({true, ws::Opcode::text, "b"}), ProtocolError);

  ws::MessageAssembler big(10);
  CHECK_FALSE(big.add({false, ws::Opcode::binary, "123456"}).has_value());
  CHECK_THROWS_WITH_AS(big.add({true, ws::Opcode::continuation, "78901"}),
                       "WebSocket message exceeds the limit of 10 bytes", ProtocolError);
  ws::MessageAssembler single(10);
  CHECK_THROWS_AS(single.add({true, ws::Opcode::binary, std::string(11, 'a')}), ProtocolError);
  CHECK(single.add({true, ws::Opcode::binary, std::string(10, 'a')}).has_value());
}

TEST_CASE("ws close payloads")
{
  CHECK(ws::parse_close_payload("").code == 1005);
  CHECK(ws::parse_close_payload("").reason.empty());
  const auto normal = ws::parse_close_payload(bytes({0x03, 0xE8}));
  CHECK(normal.code == 1000);
  CHECK(normal.reason.empty());
  const auto proto = ws::parse_close_payload(bytes({0x03, 0xEA}) + "bad frame");
  CHECK(proto.code == 1002);
  CHECK(proto.reason == "bad frame");
  CHECK(ws::parse_close_payload(bytes({0x0B, 0xB8})).code == 3000);
  CHECK(ws::parse_close_payload(bytes({0x13, 0x87})).code == 4999);
  CHECK(ws::parse_close_payload(bytes({0x03, 0xF6})).code == 1014);

  CHECK_THROWS_WITH_AS(ws::parse_close_payload(bytes({0x03, 0xE7})),
                       "WebSocket close frame has invalid status code 999", ProtocolError);
  for (const unsigned code : {0U, 999U, 1004U, 1005U, 1006U, 1015U, 1016U, 2999U, 5000U, 65535U}) {
    CAPTURE(code);
    CHECK_FALSE(ws::is_valid_close_code(static_cast<std::uint16_t>(code)));
    CHECK_THROWS_AS(ws::parse_close_payload(bytes({code >> 8, code & 0xFF})), ProtocolError);
  }
  CHECK_THROWS_AS(ws::parse_close_payload(bytes({0x03})), ProtocolError);
  CHECK_THROWS_WITH_AS(ws::parse_close_payload(bytes({0x03, 0xE8, 0xC3, 0x28})),
                       "WebSocket close reason is not valid UTF-8", ProtocolError);

  CHECK(ws::close_payload(1000) == bytes({0x03, 0xE8}));
  CHECK(ws::close_payload(1002, "why") == bytes({0x03, 0xEA}) + "why");
  CHECK(ws::close_payload(1000, std::string(200, 'r')).size() == 125);
  // Truncation keeps UTF-8 whole: 123 reason bytes fit, so of 62 two-byte characters 61 are kept.
  std::string accents;
  for (int i = 0; i < 62; ++i) {
    accents += "\xC3\xA9";
  }
  const std::string cut = ws::close_payload(1000, accents);
  CHECK(cut.size() == 124);
  CHECK(ws::is_valid_utf8(cut.substr(2)));
}

TEST_CASE("ws::is_valid_utf8")
{
  CHECK(ws::is_valid_utf8("plain"));
  CHECK(ws::is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CHECK_FALSE(ws::is_valid_utf8("\xC0\xAF"));         // overlong
  CHECK_FALSE(ws::is_valid_utf8("\xED\xA0\x80"));     // surrogate
  CHECK_FALSE(ws::is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
  CHECK_FALSE(ws::is_valid_utf8("\xE2\x82"));         // truncated
  CHECK_FALSE(ws::is_valid_utf8("\x80"));
}
