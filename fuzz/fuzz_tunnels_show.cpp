// Fuzzes the tunnels/show parser three ways and requires them to agree: the whole text at once,
// the text fed in fuzzer-chosen chunks, and chunked with a tunnel sink (the streaming path
// `status` uses). Any exception, sanitizer report or disagreement is a crash.

#include "fuzz_support.hpp"
#include "ipsec/tunnels_show.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  FuzzedDataProvider provider(data, size);
  const auto seed = provider.ConsumeIntegral<std::uint32_t>();
  const std::string text = provider.ConsumeRemainingBytesAsString();

  const ipsec::NodeTunnels whole = ipsec::parse_tunnels_show(text);

  ipsec::TunnelsShowParser chunked;
  for (std::string_view chunk : fuzz::split_chunks(text, seed)) {
    chunked.feed(chunk);
  }
  const ipsec::NodeTunnels streamed = chunked.finish();
  if (!(streamed == whole)) {
    std::fprintf(stderr, "chunked parse differs from the whole-text parse\n");
    std::abort();
  }

  std::vector<ipsec::Tunnel> sunk;
  ipsec::TunnelsShowParser with_sink([&sunk](ipsec::Tunnel&& tunnel) { sunk.push_back(std::move(tunnel)); });
  for (std::string_view chunk : fuzz::split_chunks(text, seed ^ 0x9e3779b9U)) {
    with_sink.feed(chunk);
  }
  ipsec::NodeTunnels rest = with_sink.finish();
  for (auto& tunnel : rest.tunnels) {
    sunk.push_back(std::move(tunnel));
  }
  rest.tunnels = std::move(sunk);
  if (!(rest == whole)) {
    std::fprintf(stderr, "parse with a tunnel sink differs from the whole-text parse\n");
    std::abort();
  }
  return 0;
}
