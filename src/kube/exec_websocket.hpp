#pragma once
// Pod exec over WebSocket: connects with TlsStream, upgrades to v5/v4.channel.k8s.io, sends
// stdin, collects stdout/stderr and the exit status (see kube/exec_stream.hpp for the pure
// protocol parts).

#include "kube/tls_config.hpp"
#include "kube/tls_context.hpp"
#include "kube/types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kube {

// What happened on the wire, for -v logs; filled as far as the exec got, also on failure.
struct ExecTrace {
  std::string target;               // request path and query (never carries credentials)
  std::string protocol;             // negotiated subprotocol, "" before the upgrade
  std::uint64_t bytes_sent = 0;     // WebSocket frame bytes queued after the upgrade
  std::uint64_t bytes_received = 0; // WebSocket bytes received after the upgrade
  std::uint64_t stdin_bytes = 0;
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  int pings_sent = 0;
  std::optional<std::uint16_t> close_code; // the server's Close code (1005 = empty Close)
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds upgrade_time{0};   // connect, TLS and upgrade of the attempt that got through
  bool tls_resumed = false;                    // the last connection resumed a TLS session
  int throttled = 0;                           // upgrades answered 429 and retried
  std::chrono::milliseconds throttled_wait{0}; // time slept before those retries
};

// How an exec upgrade answered 429 Too Many Requests is retried (kube-apiserver itself serves exec
// as a long-running request, outside max-in-flight and priority-and-fairness; the 429 comes from
// a proxy or gateway in front of it with a limit of its own):
// after Retry-After (clamped to 0..60 s) or, without one, a backoff doubling from base_backoff;
// never past request.timeout, at most max_attempts upgrades in all. The command has not
// started when the upgrade is refused, so repeating it is safe.
struct ExecRetryPolicy {
  int max_attempts = 10;
  std::chrono::milliseconds base_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::function<void()> on_throttled; // told before each wait (kube/exec_limit.hpp cuts its limit)
};

// Runs `request` in its pod over one WebSocket connection to `endpoint`. `headers` are added
// to the upgrade request (Authorization, Impersonate-*, User-Agent) and must not repeat the
// WebSocket ones. stdin_data is sent and then closed on v5; v4 cannot close stdin, so a
// command that reads stdin to EOF only ends at request.timeout there. A non-zero exit is a
// result. request.timeout bounds the whole exec, throttling retries included (TransportError
// with timeout() true, "exec in ns/pod timed out after 10s"). `request_timeout`
// (--request-timeout; zero = none) bounds the connect and upgrade together, and each wait for
// data from the server once the command runs (pongs to our pings do not count; not with
// request.may_be_silent): a hung command ends there ("exec in ns/pod: no data from the API
// server for 2s (--request-timeout)"). With
// `tls`, connections share its SSL_CTX and resume its TLS session. Throws only the
// kube/errors.hpp types.
ExecResult exec_over_websocket(const Endpoint& endpoint,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const ExecRequest& request, ExecTrace* trace = nullptr, SharedTlsContext* tls = nullptr,
                               const ExecRetryPolicy& retry = {},
                               std::chrono::milliseconds request_timeout = std::chrono::milliseconds::zero());

} // namespace kube
