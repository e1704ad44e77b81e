#include "kube/tls_stream.hpp"

#include "kube/errors.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <system_error>
#include <utility>

namespace kube {

namespace detail {

// An owned socket descriptor plus the errno of the last failed call made through our BIO,
// so failures can be reported with the system's reason.
struct OwnedSocket {
  explicit OwnedSocket(int descriptor) : fd(descriptor) {}
  ~OwnedSocket() { close_fd(); }
  OwnedSocket(const OwnedSocket&) = delete;
  OwnedSocket& operator=(const OwnedSocket&) = delete;

  void close_fd()
  {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  int release() { return std::exchange(fd, -1); }

  int fd;
  int last_errno = 0;
};

} // namespace detail

using detail::OwnedSocket;

// The socket a TLS connection runs over; OpenSSL reaches it through our BIO.
struct TlsStream::Socket : OwnedSocket {
  using OwnedSocket::OwnedSocket;
};

namespace {

constexpr size_t k_max_io = static_cast<size_t>(INT_MAX);

// The system's own wording ("Connection refused"), as the transport has always reported it.
std::string
socket_error_text(int err)
{
  return std::generic_category().message(err);
}

bool
is_retry_errno(int err)
{
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS;
}

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the server has gone
// away and would kill the process; send(2) with MSG_NOSIGNAL reports EPIPE instead.
int
bio_write(BIO* bio, const char* data, int len)
{
  auto* state = static_cast<OwnedSocket*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::send(state->fd, data, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n >= 0) {
    return static_cast<int>(n);
  }
  if (is_retry_errno(errno)) {
    BIO_set_retry_write(bio);
  } else {
    state->last_errno = errno;
  }
  return -1;
}

int
bio_read(BIO* bio, char* data, int len)
{
  auto* state = static_cast<OwnedSocket*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::recv(state->fd, data, static_cast<size_t>(len), 0);
  if (n >= 0) {
    return static_cast<int>(n);
  }
  if (is_retry_errno(errno)) {
    BIO_set_retry_read(bio);
  } else {
    state->last_errno = errno;
  }
  return -1;
}

long
bio_ctrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/)
{
  // Writes go straight to the socket, so there is nothing to flush; every other control
  // (kTLS, fd queries) is unsupported, which OpenSSL handles by not using the feature.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

BIO_METHOD*
socket_bio_method()
{
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "koi-socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, bio_write);
      BIO_meth_set_read(m, bio_read);
      BIO_meth_set_ctrl(m, bio_ctrl);
    }
    return m;
  }();
  return method;
}

std::string
format_peer(const std::string& host, int port)
{
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

// Waits for a non-blocking connect to finish; returns 0 or the errno it failed with.
int
finish_connect(int fd, util::Deadline deadline, const std::string& peer)
{
  pollfd pfd{fd, POLLOUT, 0};
  while (true) {
    if (deadline.expired()) {
      throw TransportError(fmt::format("connect to {} timed out", peer), true);
    }
    const int rc = ::poll(&pfd, 1, deadline.poll_timeout_ms());
    if (rc > 0) {
      break;
    }
    if (rc < 0 && errno != EINTR) {
      return errno;
    }
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    return errno;
  }
  return err;
}

// Tries every address the host resolves to, in order, like Go's dialer does serially.
int
connect_tcp(const std::string& host, int port, util::Deadline deadline, const std::string& peer)
{
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int gai = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (gai != 0) {
    const std::string reason = gai == EAI_SYSTEM ? socket_error_text(errno) : gai_strerror(gai);
    throw TransportError(fmt::format("cannot resolve {}: {}", peer, reason));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);

  int last_error = 0;
  for (const addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    OwnedSocket guard(fd);
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno == EINPROGRESS ? finish_connect(fd, deadline, peer) : errno;
    }
    if (err != 0) {
      last_error = err;
      continue;
    }
    // Pings, pongs and small stdin frames must not wait for Nagle's algorithm.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return guard.release();
  }
  throw TransportError(fmt::format("connect to {} failed: {}", peer, socket_error_text(last_error)));
}

} // namespace

TlsStream::TlsStream(std::string peer, std::unique_ptr<Socket> socket, SslCtxPtr ctx, SslPtr ssl)
    : m_peer(std::move(peer)), m_socket(std::move(socket)), m_ctx(std::move(ctx)), m_ssl(std::move(ssl))
{}

TlsStream::~TlsStream()
{
  close();
}

std::unique_ptr<TlsStream>
TlsStream::connect(const Endpoint& endpoint, util::Deadline deadline)
{
  TlsConfig tls = endpoint.tls;
  if (tls.server_name.empty()) {
    tls.server_name = endpoint.host;
  }
  return open(endpoint, make_ssl_ctx(tls), nullptr, tls.server_name, deadline);
}

std::unique_ptr<TlsStream>
TlsStream::connect(const Endpoint& endpoint, SharedTlsContext& shared, util::Deadline deadline)
{
  const std::string& server_name = endpoint.tls.server_name.empty() ? endpoint.host : endpoint.tls.server_name;
  const SslSessionPtr session = shared.session_to_resume();
  auto stream = open(endpoint, shared.context(), session.get(), server_name, deadline);
  shared.note_handshake(stream->resumed());
  return stream;
}

std::unique_ptr<TlsStream>
TlsStream::open(const Endpoint& endpoint, SslCtxPtr ctx, SSL_SESSION* resume, const std::string& server_name,
                util::Deadline deadline)
{
  const std::string peer = format_peer(endpoint.host, endpoint.port);
  auto socket = std::make_unique<Socket>(connect_tcp(endpoint.host, endpoint.port, deadline, peer));

  SslPtr ssl(SSL_new(ctx.get()));
  BIO_METHOD* method = socket_bio_method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (!ssl || bio == nullptr) {
    BIO_free(bio);
    throw TransportError(fmt::format("cannot set up TLS to {}: {}", peer, take_openssl_error()));
  }
  BIO_set_data(bio, static_cast<OwnedSocket*>(socket.get()));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl.get(), bio, bio);
  SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A session the server no longer accepts just means a full handshake; not an error.
  if (resume != nullptr && SSL_set_session(ssl.get(), resume) != 1) {
    ERR_clear_error();
  }

  std::unique_ptr<TlsStream> stream(new TlsStream(peer, std::move(socket), std::move(ctx), std::move(ssl)));
  stream->handshake(deadline, server_name);
  return stream;
}

bool
TlsStream::resumed() const
{
  return SSL_session_reused(m_ssl.get()) == 1;
}

void
TlsStream::handshake(util::Deadline deadline, const std::string& server_name)
{
  // SNI carries DNS names only (RFC 6066 §3); Go's crypto/tls omits it for IP literals too.
  // (SSL_set_tlsext_host_name is a macro with a C cast, hence SSL_ctrl.)
  if (!is_ip_literal(server_name) && SSL_ctrl(m_ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                              const_cast<char*>(server_name.c_str())) != 1) {
    throw TransportError(fmt::format("cannot set TLS server name for {}: {}", m_peer, take_openssl_error()));
  }
  while (true) {
    ERR_clear_error();
    m_socket->last_errno = 0;
    const int rc = SSL_connect(m_ssl.get());
    if (rc == 1) {
      return;
    }
    const int err = SSL_get_error(m_ssl.get(), rc);
    const Want want = err == SSL_ERROR_WANT_READ    ? Want::read
                      : err == SSL_ERROR_WANT_WRITE ? Want::write
                                                    : Want::nothing;
    if (want == Want::nothing) {
      fail("TLS handshake with", err);
    }
    if (!wait(want, Want::nothing, deadline)) {
      throw TransportError(fmt::format("TLS handshake with {} timed out", m_peer), true);
    }
  }
}

void
TlsStream::fail(std::string_view action, int ssl_error)
{
  std::string reason;
  const unsigned long queued = ERR_peek_last_error();
  if (ssl_error == SSL_ERROR_SSL && ERR_GET_LIB(queued) == ERR_LIB_SSL &&
      ERR_GET_REASON(queued) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    const long verify = SSL_get_verify_result(m_ssl.get());
    reason = fmt::format("certificate verify failed ({})", X509_verify_cert_error_string(verify));
    ERR_clear_error();
  } else if (ssl_error == SSL_ERROR_SSL) {
    reason = take_openssl_error();
    if (reason == "wrong version number" || reason == "packet length too long") {
      reason += " (is the server speaking plain HTTP?)";
    }
  } else if (ssl_error == SSL_ERROR_SYSCALL && m_socket->last_errno != 0) {
    reason = socket_error_text(m_socket->last_errno);
  } else {
    reason = "connection closed by the server";
  }
  if (reason.empty()) {
    reason = "unknown TLS error";
  }
  throw TransportError(fmt::format("{} {} failed: {}", action, m_peer, reason));
}

TlsStream::Want
TlsStream::try_write(std::string& outgoing)
{
  while (!outgoing.empty()) {
    ERR_clear_error();
    m_socket->last_errno = 0;
    const int n = SSL_write(m_ssl.get(), outgoing.data(), static_cast<int>(std::min(outgoing.size(), k_max_io)));
    if (n > 0) {
      outgoing.erase(0, static_cast<size_t>(n));
      continue;
    }
    const int err = SSL_get_error(m_ssl.get(), n);
    if (err == SSL_ERROR_WANT_WRITE) {
      return Want::write;
    }
    if (err == SSL_ERROR_WANT_READ) {
      return Want::read;
    }
    fail("write to", err);
  }
  return Want::nothing;
}

TlsStream::Want
TlsStream::try_read(std::span<char> buffer, std::size_t& got, bool& eof)
{
  got = 0;
  eof = false;
  ERR_clear_error();
  m_socket->last_errno = 0;
  const int n = SSL_read(m_ssl.get(), buffer.data(), static_cast<int>(std::min(buffer.size(), k_max_io)));
  if (n > 0) {
    got = static_cast<size_t>(n);
    return Want::nothing;
  }
  const int err = SSL_get_error(m_ssl.get(), n);
  if (err == SSL_ERROR_WANT_READ) {
    return Want::read;
  }
  if (err == SSL_ERROR_WANT_WRITE) {
    return Want::write;
  }
  if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && m_socket->last_errno == 0)) {
    eof = true;
    return Want::nothing;
  }
  fail("read from", err);
}

bool
TlsStream::wait(Want a, Want b, util::Deadline until)
{
  short events = 0;
  for (const Want want : {a, b}) {
    events = static_cast<short>(events | (want == Want::read ? POLLIN : want == Want::write ? POLLOUT : 0));
  }
  pollfd pfd{m_socket->fd, events, 0};
  while (true) {
    if (until.expired()) {
      return false;
    }
    const int rc = ::poll(&pfd, 1, until.poll_timeout_ms());
    if (rc > 0) {
      // POLLERR/POLLHUP included: the next SSL call reports what happened.
      return true;
    }
    if (rc < 0 && errno != EINTR) {
      throw TransportError(fmt::format("waiting for {} failed: {}", m_peer, socket_error_text(errno)));
    }
  }
}

std::size_t
TlsStream::read_some(std::span<char> buffer, util::Deadline deadline)
{
  if (m_closed) {
    throw TransportError(fmt::format("connection to {} is already closed", m_peer));
  }
  while (true) {
    std::size_t got = 0;
    bool eof = false;
    const Want want = try_read(buffer, got, eof);
    if (got > 0 || eof) {
      return got;
    }
    if (!wait(want, Want::nothing, deadline)) {
      throw TransportError(fmt::format("read from {} timed out", m_peer), true);
    }
  }
}

void
TlsStream::write_all(std::string_view data, util::Deadline deadline)
{
  std::string outgoing(data);
  while (!outgoing.empty()) {
    if (m_closed) {
      throw TransportError(fmt::format("connection to {} is already closed", m_peer));
    }
    const Want want = try_write(outgoing);
    if (want != Want::nothing && !wait(want, Want::nothing, deadline)) {
      throw TransportError(fmt::format("write to {} timed out", m_peer), true);
    }
  }
}

std::optional<std::size_t>
TlsStream::pump(std::string& outgoing, std::span<char> buffer, util::Deadline until)
{
  if (m_closed) {
    throw TransportError(fmt::format("connection to {} is already closed", m_peer));
  }
  while (true) {
    const Want write_wants = try_write(outgoing);
    std::size_t got = 0;
    bool eof = false;
    const Want read_wants = try_read(buffer, got, eof);
    if (got > 0 || eof) {
      return got;
    }
    if (!wait(write_wants, read_wants, until)) {
      return std::nullopt;
    }
  }
}

void
TlsStream::close()
{
  if (m_closed) {
    return;
  }
  m_closed = true;
  if (m_ssl) {
    // One non-blocking attempt at close_notify: a peer that is gone must not delay us.
    SSL_shutdown(m_ssl.get());
    ERR_clear_error();
  }
  m_socket->close_fd();
}

} // namespace kube
