#include "kube/exec_websocket.hpp"

#include "kube/errors.hpp"
#include "kube/exec_stream.hpp"
#include "kube/tls_stream.hpp"
#include "kube/websocket.hpp"
#include "kube/websocket_handshake.hpp"
#include "util/deadline.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string_view>
#include <thread>

namespace kube {

namespace {

using namespace std::chrono_literals;
using util::Deadline;
using util::format_duration;

// Go's net.Dialer in client-go gives a connection 30 s; the upgrade answer may take longer
// because the API server first dials the kubelet.
constexpr auto k_exec_connect_timeout = 30s;
constexpr auto k_upgrade_timeout = 60s;
// client-go pings every 5 s and gives up after 61 s without hearing anything (reference §1.3).
constexpr auto k_ping_interval = 5s;
constexpr auto k_idle_limit = 61s;
// Time to deliver our Close reply (or a protocol-error Close) before dropping the socket.
constexpr auto k_close_linger = 2s;
// Kubelets and API servers copy a stream in 32 KiB reads, one message each: 1 MiB is ample.
constexpr std::size_t k_max_message = 1024 * 1024;
// What one exec may keep (stdout without a sink, and stderr); the commands we keep print KBs.
constexpr std::size_t k_max_output = 16 * 1024 * 1024;
constexpr std::size_t k_stdin_chunk = 32 * 1024;
// stdin is framed lazily, keeping this much queued, so large input is not copied whole.
constexpr std::size_t k_outgoing_low_water = 64 * 1024;
constexpr std::size_t k_read_buffer = 64 * 1024;

std::string
host_header(const Endpoint& endpoint)
{
  const std::string host = endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
  return endpoint.port == 443 ? host : fmt::format("{}:{}", host, endpoint.port);
}

// The wait a 429 upgrade answer asks for: Retry-After in seconds (clamped like client-go's
// 0..60), or nullopt when absent or an HTTP date, which leaves the choice to our backoff.
std::optional<std::chrono::milliseconds>
retry_after(const ws::HttpResponse& response)
{
  const auto value = response.header("Retry-After");
  if (!value) {
    return std::nullopt;
  }
  const std::string_view text = util::trim(*value);
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::min(std::stol(std::string(text)), 60L));
}

// A refused upgrade the caller may repeat after `wait`.
struct Throttled {
  ApiError error;
  std::optional<std::chrono::milliseconds> wait;
};

class Session {
public:
  Session(const Endpoint& endpoint, const ExecRequest& request, ExecTrace& trace, Deadline overall,
          SharedTlsContext* tls, std::chrono::milliseconds request_timeout)
      : m_endpoint(endpoint), m_request(request), m_trace(trace), m_overall(overall), m_tls(tls),
        m_request_timeout(request_timeout), m_who(fmt::format("{}/{}", request.ns, request.pod)),
        m_buffer(k_read_buffer)
  {}

  // Connects and upgrades; returns the negotiated subprotocol. --request-timeout bounds the two
  // together, as it bounds one REST request.
  std::string upgrade(const std::vector<std::pair<std::string, std::string>>& headers)
  {
    const Deadline limit = m_request_timeout.count() > 0 ? Deadline::after(m_request_timeout) : Deadline::never();
    try {
      return handshake(headers, Deadline::earliest(m_overall, limit));
    } catch (const TransportError& e) {
      if (e.timeout() && limit.expired() && !m_overall.expired()) {
        throw TransportError(fmt::format("exec in {}: no answer from the API server within {} (--request-timeout)",
                                         m_who, format_duration(m_request_timeout)),
                             true);
      }
      throw;
    }
  }

  ExecResult run(ExecProtocol protocol)
  {
    ExecChannels channels(protocol, m_who, m_request.stdout_sink, k_max_output, m_request.budget);
    std::optional<ws::CloseInfo> close;
    std::string dropped;
    try {
      close = converse(protocol, channels, dropped);
    } catch (const ProtocolError&) {
      send_close_and_drop(ws::k_close_protocol_error);
      throw;
    }
    m_trace.stdout_bytes = channels.stdout_bytes();
    m_trace.stderr_bytes = channels.stderr_bytes();
    return channels.finish(close, dropped);
  }

private:
  std::string handshake(const std::vector<std::pair<std::string, std::string>>& headers, Deadline upgrade_by)
  {
    m_trace.target = exec_target(m_endpoint.base_path, m_request);
    const Deadline connect_by = Deadline::earliest(upgrade_by, Deadline::after(k_exec_connect_timeout));
    m_stream = m_tls != nullptr ? TlsStream::connect(m_endpoint, *m_tls, connect_by)
                                : TlsStream::connect(m_endpoint, connect_by);
    m_trace.tls_resumed = m_stream->resumed();
    const std::string key = ws::make_handshake_key(m_random);
    const std::vector<std::string> offered = exec_protocols();
    const Deadline answer_by = Deadline::earliest(upgrade_by, Deadline::after(k_upgrade_timeout));
    m_stream->write_all(ws::build_handshake_request({host_header(m_endpoint), m_trace.target, key, offered, headers}),
                        answer_by);

    ws::HandshakeResponseReader reader;
    while (!reader.complete()) {
      std::size_t got = 0;
      try {
        got = m_stream->read_some(m_buffer, answer_by);
      } catch (const TransportError& e) {
        // A server that refuses the upgrade may reset instead of closing after its answer;
        // what it said is still the better error.
        if (e.timeout() || !reader.has_head()) {
          throw;
        }
      }
      if (got == 0) {
        if (!reader.has_head()) {
          throw TransportError(
              fmt::format("{} closed the connection before answering the WebSocket upgrade for exec in {}",
                          m_stream->peer(), m_who));
        }
        reader.finish();
        break;
      }
      reader.feed(std::string_view(m_buffer.data(), got));
    }
    if (reader.response().status == 429) {
      m_stream->close();
      throw Throttled{upgrade_refused_error(reader.response(), m_who), retry_after(reader.response())};
    }
    if (reader.response().status != 101) {
      throw upgrade_refused_error(reader.response(), m_who);
    }
    m_trace.protocol = ws::check_upgrade(reader.response(), key, offered);
    const std::string early = reader.take_remainder();
    m_trace.bytes_received += early.size();
    m_decoder.feed(early);
    return m_trace.protocol;
  }

  // Reads until the server's Close (returned) or until the connection drops (nullopt, with
  // `dropped` saying how), writing stdin, pongs and pings as it goes.
  std::optional<ws::CloseInfo> converse(ExecProtocol protocol, ExecChannels& channels, std::string& dropped)
  {
    Deadline next_ping = Deadline::after(k_ping_interval);
    auto last_heard = Deadline::Clock::now();
    auto last_data = last_heard;
    while (true) {
      queue_stdin(protocol);
      const Deadline idle = since(last_heard, k_idle_limit);
      const Deadline silent = m_request_timeout.count() > 0 && !m_request.may_be_silent
                                  ? since(last_data, m_request_timeout)
                                  : Deadline::never();
      std::optional<std::size_t> got;
      try {
        got = m_stream->pump(
            m_outgoing, m_buffer,
            Deadline::earliest(Deadline::earliest(m_overall, silent), Deadline::earliest(next_ping, idle)));
      } catch (const TransportError& e) {
        dropped = e.what();
        return std::nullopt;
      }
      if (!got) {
        if (m_overall.expired()) {
          throw TransportError(fmt::format("exec in {} timed out", m_who), true);
        }
        if (silent.expired()) {
          throw TransportError(fmt::format("exec in {}: no data from the API server for {} (--request-timeout)", m_who,
                                           format_duration(m_request_timeout)),
                               true);
        }
        if (idle.expired()) {
          throw TransportError(fmt::format("connection to {} for exec in {} is dead: nothing received for {}s",
                                           m_stream->peer(), m_who, k_idle_limit.count()));
        }
        if (next_ping.expired()) {
          queue(ws::Opcode::ping, {});
          ++m_trace.pings_sent;
          next_ping = Deadline::after(k_ping_interval);
        }
        continue;
      }
      if (*got == 0) {
        dropped = m_decoder.has_partial()
                      ? fmt::format("{} closed the connection in the middle of a frame", m_stream->peer())
                      : fmt::format("{} closed the connection without a WebSocket Close", m_stream->peer());
        return std::nullopt;
      }
      m_trace.bytes_received += *got;
      last_heard = Deadline::Clock::now();
      m_decoder.feed(std::string_view(m_buffer.data(), *got));
      bool data = false;
      auto close = drain_frames(channels, data);
      if (data || m_decoder.has_partial()) { // a frame still arriving is data on its way
        last_data = last_heard;
      }
      if (close) {
        reply_to_close(*close);
        return close;
      }
    }
  }

  static Deadline since(Deadline::Clock::time_point from, std::chrono::milliseconds limit)
  {
    return Deadline::after(std::chrono::ceil<std::chrono::milliseconds>(limit - (Deadline::Clock::now() - from)));
  }

  // Handles every complete frame buffered; returns the server's Close when one arrived. `data`
  // becomes true for any frame but a pong: the server answers our pings even while the command
  // hangs, so pongs prove the connection alive, not the exec.
  std::optional<ws::CloseInfo> drain_frames(ExecChannels& channels, bool& data)
  {
    while (auto frame = m_decoder.next()) {
      data = data || frame->opcode != ws::Opcode::pong;
      auto message = m_assembler.add(std::move(*frame));
      if (!message) {
        continue;
      }
      switch (message->opcode) {
      case ws::Opcode::ping:
        queue(ws::Opcode::pong, message->payload);
        break;
      case ws::Opcode::pong:
        break;
      case ws::Opcode::close:
        return ws::parse_close_payload(message->payload);
      default:
        channels.on_message(message->opcode, message->payload);
        break;
      }
    }
    return std::nullopt;
  }

  void queue_stdin(ExecProtocol protocol)
  {
    if (!m_request.stdin_data || m_stdin_done) {
      return;
    }
    const std::string_view data = *m_request.stdin_data;
    while (m_stdin_pos < data.size() && m_outgoing.size() < k_outgoing_low_water) {
      const std::string_view chunk = data.substr(m_stdin_pos, k_stdin_chunk);
      queue(ws::Opcode::binary, stdin_message(chunk));
      m_stdin_pos += chunk.size();
      m_trace.stdin_bytes += chunk.size();
    }
    if (m_stdin_pos == data.size()) {
      if (protocol == ExecProtocol::v5) {
        queue(ws::Opcode::binary, stdin_close_message());
      }
      m_stdin_done = true;
    }
  }

  void queue(ws::Opcode opcode, std::string_view payload)
  {
    const std::string frame = ws::encode_client_frame(opcode, payload, m_random);
    m_trace.bytes_sent += frame.size();
    m_outgoing += frame;
  }

  void reply_to_close(const ws::CloseInfo& close)
  {
    m_trace.close_code = close.code;
    // RFC 6455 §5.5.1: answer with a Close, echoing the code; 1005 means the peer sent none.
    queue(ws::Opcode::close, close.code == ws::k_close_no_status ? std::string() : ws::close_payload(close.code));
    flush_and_close();
  }

  void send_close_and_drop(std::uint16_t code)
  {
    if (m_stream) {
      queue(ws::Opcode::close, ws::close_payload(code));
      flush_and_close();
    }
  }

  // Best effort: the exec's outcome is already decided, so a failing flush changes nothing.
  void flush_and_close()
  {
    try {
      m_stream->write_all(m_outgoing, Deadline::earliest(m_overall, Deadline::after(k_close_linger)));
    } catch (const TransportError&) {
    }
    m_outgoing.clear();
    m_stream->close();
  }

  const Endpoint& m_endpoint;
  const ExecRequest& m_request;
  ExecTrace& m_trace;
  Deadline m_overall;
  SharedTlsContext* m_tls;
  std::chrono::milliseconds m_request_timeout; // zero: only client-go's limits apply
  std::string m_who;
  std::vector<char> m_buffer;
  std::unique_ptr<TlsStream> m_stream;
  ws::RandomSource m_random = ws::openssl_random();
  ws::FrameDecoder m_decoder{k_max_message};
  ws::MessageAssembler m_assembler{k_max_message};
  std::string m_outgoing;
  std::size_t m_stdin_pos = 0;
  bool m_stdin_done = false;
};

} // namespace

ExecResult
exec_over_websocket(const Endpoint& endpoint, const std::vector<std::pair<std::string, std::string>>& headers,
                    const ExecRequest& request, ExecTrace* trace, SharedTlsContext* tls, const ExecRetryPolicy& retry,
                    std::chrono::milliseconds request_timeout)
{
  ExecTrace local;
  ExecTrace& t = trace != nullptr ? *trace : local;
  t = ExecTrace{};
  const auto started = Deadline::Clock::now();
  const Deadline overall = request.timeout.count() > 0 ? Deadline::after(request.timeout) : Deadline::never();
  const std::string who = fmt::format("{}/{}", request.ns, request.pod);
  const auto stamp = [&] {
    t.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - started);
  };
  try {
    for (int attempt = 1;; ++attempt) {
      Session session(endpoint, request, t, overall, tls, request_timeout);
      std::optional<ExecProtocol> protocol;
      const auto upgrading = Deadline::Clock::now();
      try {
        protocol = exec_protocol_from_name(session.upgrade(headers));
        t.upgrade_time = std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - upgrading);
      } catch (Throttled& throttled) {
        if (retry.on_throttled) {
          retry.on_throttled();
        }
        auto wait =
            throttled.wait.value_or(std::min(retry.base_backoff * (1 << std::min(attempt - 1, 10)), retry.max_backoff));
        // Giving up now beats sleeping into the deadline: the answer would come too late anyway.
        if (attempt >= retry.max_attempts || wait >= overall.remaining()) {
          throw std::move(throttled.error);
        }
        ++t.throttled;
        t.throttled_wait += wait;
        std::this_thread::sleep_for(wait);
        continue;
      }
      ExecResult result = session.run(*protocol);
      stamp();
      return result;
    }
  } catch (const TransportError& e) {
    stamp();
    if (e.timeout() && overall.expired()) {
      throw TransportError(fmt::format("exec in {} timed out after {}", who, format_duration(request.timeout)), true);
    }
    throw;
  } catch (const ProtocolError& e) {
    stamp();
    if (util::starts_with(e.what(), "exec in ")) {
      throw;
    }
    throw ProtocolError(fmt::format("exec in {}: {}", who, e.what()));
  } catch (...) {
    stamp();
    throw;
  }
}

} // namespace kube
