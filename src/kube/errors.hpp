#pragma once
// Errors from talking to the API server. All derive from util::Error so callers that only
// report can catch one type; callers that decide (retry, skip a node) look at the kind.

#include "util/error.hpp"

#include <string>

namespace kube {

// The kubeconfig (or in-cluster config) is unusable; the message names the file and field.
class ConfigError : public util::Error {
public:
  using util::Error::Error;
};

// Could not reach the server or the connection broke (DNS, refused, reset, TLS failure, timeout).
class TransportError : public util::Error {
public:
  TransportError(const std::string& what, bool timeout = false) : util::Error(what), m_timeout(timeout) {}
  bool timeout() const { return m_timeout; }

private:
  bool m_timeout;
};

// The server answered with an HTTP error; `status` is the HTTP code and `reason` the
// metav1.Status reason ("Forbidden", "NotFound", ...) when the body carried one.
class ApiError : public util::Error {
public:
  ApiError(int status, std::string reason, const std::string& what)
      : util::Error(what), m_status(status), m_reason(std::move(reason))
  {}
  int status() const { return m_status; }
  const std::string& reason() const { return m_reason; }

private:
  int m_status;
  std::string m_reason;
};

// The exec stream itself misbehaved (bad frame, unexpected message, no status).
class ProtocolError : public util::Error {
public:
  using util::Error::Error;
};

} // namespace kube
