// Fuzzes what the plugin reads from the API server during an exec: the HTTP answer to the
// WebSocket upgrade, then server frames (FrameDecoder, fuzzer-chosen chunk boundaries) joined
// into messages (MessageAssembler), close payloads, and the v4/v5 channel demultiplexer with its
// status-channel JSON (ExecChannels). Limits are small so the size checks are reached too.

#include "fuzz_support.hpp"
#include "kube/exec_stream.hpp"
#include "kube/websocket.hpp"
#include "kube/websocket_handshake.hpp"
#include "util/error.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace {

void
fuzz_upgrade_answer(const std::string& bytes, std::uint32_t seed)
{
  kube::ws::HandshakeResponseReader reader(64 * 1024);
  bool done = false;
  for (std::string_view chunk : fuzz::split_chunks(bytes, seed)) {
    if (reader.feed(chunk)) {
      done = true;
      break;
    }
  }
  if (!done) {
    reader.finish();
  }
  const auto& response = reader.response();
  if (response.status == 101) {
    (void)kube::ws::check_upgrade(response, "dGhlIHNhbXBsZSBub25jZQ==", kube::exec_protocols());
    (void)reader.take_remainder();
  } else {
    (void)kube::upgrade_refused_error(response, "kube-system/ovs-ovn-abc");
  }
}

void
fuzz_exec_stream(const std::string& bytes, std::uint32_t seed, std::uint8_t flags)
{
  const bool v5 = (flags & 1U) != 0;
  const bool sink = (flags & 2U) != 0;
  const bool from_client = (flags & 4U) != 0;
  const std::size_t max_payload = (flags & 8U) != 0 ? 64 : 64 * 1024;
  const std::size_t max_output = (flags & 16U) != 0 ? 100 : 1024 * 1024;

  kube::ws::FrameDecoder decoder(max_payload, from_client);
  kube::ws::MessageAssembler assembler(max_payload * 2);
  std::string sunk;
  kube::ExecChannels channels(v5 ? kube::ExecProtocol::v5 : kube::ExecProtocol::v4, "kube-system/ovs-ovn-abc",
                              sink ? [&sunk](std::string_view data) { sunk.append(data); }
                                   : std::function<void(std::string_view)>{},
                              max_output);
  std::optional<kube::ws::CloseInfo> close;
  for (std::string_view chunk : fuzz::split_chunks(bytes, seed)) {
    decoder.feed(chunk);
    while (auto frame = decoder.next()) {
      auto message = assembler.add(std::move(*frame));
      if (!message) {
        continue;
      }
      if (message->opcode == kube::ws::Opcode::close) {
        close = kube::ws::parse_close_payload(message->payload);
        break;
      }
      if (!kube::ws::is_control(message->opcode)) {
        channels.on_message(message->opcode, message->payload);
      }
    }
    if (close) {
      break;
    }
  }
  if (!close) {
    decoder.finish();
  }
  (void)channels.finish(close, "connection reset by peer");
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  FuzzedDataProvider provider(data, size);
  const auto mode = provider.ConsumeIntegral<std::uint8_t>();
  const auto seed = provider.ConsumeIntegral<std::uint32_t>();
  const std::string bytes = provider.ConsumeRemainingBytesAsString();
  try {
    switch (mode % 4) {
    case 0:
      fuzz_upgrade_answer(bytes, seed);
      break;
    case 1:
      (void)kube::parse_exec_status(bytes);
      break;
    default:
      fuzz_exec_stream(bytes, seed, mode >> 2);
      break;
    }
  } catch (const util::Error&) {
    // ProtocolError, ApiError, TransportError: the exec fails with a message, as it should.
  }
  return 0;
}
