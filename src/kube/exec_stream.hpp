#pragma once
// The Kubernetes remote-command channel protocol (v4/v5.channel.k8s.io) over WebSocket
// messages, as pure code: the exec request path, stdin messages, demultiplexing of the
// server's messages into stdout/stderr/status, the status JSON, and how a session's end maps
// to an ExecResult or an error (see docs/reference/kubernetes-client.md §1).

#include "kube/errors.hpp"
#include "kube/types.hpp"
#include "kube/websocket.hpp"
#include "kube/websocket_handshake.hpp"
#include "util/memory_budget.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kube {

inline constexpr std::string_view k_exec_protocol_v5 = "v5.channel.k8s.io";
inline constexpr std::string_view k_exec_protocol_v4 = "v4.channel.k8s.io";

// The subprotocols we offer, preferred first: v5 routes the request to the API server's
// translator; v4 is what a kubelet/CRI streaming server behind an older API server speaks.
std::vector<std::string> exec_protocols();

// v5 adds the CLOSE signal ([0xFF, channel]); otherwise the two are the same.
enum class ExecProtocol { v4, v5 };

// The protocol for a negotiated subprotocol name; throws ProtocolError for any other.
ExecProtocol exec_protocol_from_name(std::string_view name);

// "<base_path>/api/v1/namespaces/<ns>/pods/<pod>/exec?command=..&command=..&container=..
// [&stdin=true]&stdout=true&stderr=true", every value percent-encoded; no tty.
std::string exec_target(std::string_view base_path, const ExecRequest& request);

// [0x00] + data: bytes for the command's stdin.
std::string stdin_message(std::string_view data);

// [0xFF, 0x00]: v5's "stdin is at EOF". v4 has no way to say it.
std::string stdin_close_message();

// The exit code in an error-channel Status: Success -> 0, NonZeroExitCode -> the uint8 in
// details.causes[reason=ExitCode].message (missing or invalid -> ProtocolError). Any other
// Failure throws ApiError(code or 500, reason, message), e.g. "Internal error occurred: ...".
int parse_exec_status(std::string_view json);

// The error for a non-101 answer to the upgrade of the exec in `who` ("ns/pod"): a
// metav1.Status body as the API server's error; 403 with an empty body as "WebSocket exec not
// accepted here"; anything else with the status line and the first line of the body.
ApiError upgrade_refused_error(const ws::HttpResponse& response, std::string_view who);

// The server's side of one exec session: feed it each data message, then ask for the outcome.
class ExecChannels {
public:
  // `who` ("ns/pod") names the exec in errors. stdout goes to `stdout_sink` when set, else it
  // is kept; kept stdout plus stderr may total at most `max_output` bytes, and what they
  // allocate is charged to `budget` (when given) until the result is gone. Either limit throws
  // util::MemoryLimitError "output from ns/pod exceeds ...".
  ExecChannels(ExecProtocol protocol, std::string who, std::function<void(std::string_view)> stdout_sink,
               std::size_t max_output, util::MemoryBudget* budget = nullptr);

  // A complete text or binary message from the server. Ignores empty messages (the server
  // sends one on the lowest channel to signal it is ready). Throws ProtocolError on a text
  // message ("unexpected message type"), an unknown channel, or data on a channel the server
  // closed; util::MemoryLimitError on kept output beyond a limit.
  void on_message(ws::Opcode opcode, std::string_view payload);

  // The session's outcome once the stream ended: `close` is the server's Close frame, nullopt
  // when the connection dropped (`detail` then says how). With a status: its exit code (or its
  // ApiError). Without one: success after Close 1000, as client-go does; otherwise
  // TransportError "connection to <who> closed before the command finished". The result's
  // `held` carries the budget charge of what was kept.
  ExecResult finish(const std::optional<ws::CloseInfo>& close, std::string_view detail = {});

  bool has_status() const { return !m_status.empty(); }
  std::uint64_t stdout_bytes() const { return m_stdout_bytes; }
  std::uint64_t stderr_bytes() const { return m_stderr_bytes; }

private:
  void keep(std::string& into, std::string_view data);

  ExecProtocol m_protocol;
  std::string m_who;
  std::function<void(std::string_view)> m_stdout_sink;
  std::size_t m_max_output;
  util::MemoryCharge m_kept; // the capacity of m_result.out and .err
  ExecResult m_result;
  std::string m_status;
  std::uint64_t m_stdout_bytes = 0;
  std::uint64_t m_stderr_bytes = 0;
  std::array<bool, 4> m_closed{}; // by channel id: the server sent [0xFF, id]
};

} // namespace kube
