// Fuzzes the tunnels/show parser three ways and requires them to agree: the whole text at once,
// the text fed in fuzzer-chosen chunks, and chunked with a tunnel sink (the streaming path
// `status` uses). Any exception, sanitizer report or disagreement is a crash. The same pod text
// also goes through verify's parsers and the terminal filter (whole and chunked must agree, and
// what the filter lets through must need no more escaping).

#include "fuzz_support.hpp"
#include "ipsec/tunnels_show.hpp"
#include "ipsec/verify_probe.hpp"
#include "util/terminal_text.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
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

  (void)ipsec::parse_verify_facts(text);
  (void)ipsec::parse_probe_output(text);
  const std::string escaped = util::escape_for_terminal(text);
  std::ostringstream sink;
  {
    util::TerminalSafeScope scope(sink);
    for (std::string_view chunk : fuzz::split_chunks(text, seed ^ 0x5bd1e995U)) {
      sink.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
  }
  if (sink.str() != escaped || util::escape_for_terminal(escaped) != escaped) {
    std::fprintf(stderr, "the terminal filter differs from escape_for_terminal or leaves something to escape\n");
    std::abort();
  }
  return 0;
}
