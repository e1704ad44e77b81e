#include "kube/websocket_handshake.hpp"

#include "kube/errors.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>

namespace kube::ws {

namespace {

constexpr std::string_view k_accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view k_crlf = "\r\n";

bool
iequals(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && util::to_lower(a) == util::to_lower(b);
}

bool
has_line_break(std::string_view text)
{
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Whether a comma-separated header value (Connection) lists `token`, case-insensitively.
bool
lists_token(std::string_view value, std::string_view token)
{
  for (const std::string& part : util::split(value, ',')) {
    if (iequals(util::trim(part), token)) {
      return true;
    }
  }
  return false;
}

} // namespace

std::string
make_handshake_key(const RandomSource& random)
{
  std::array<unsigned char, 16> nonce{};
  random(nonce);
  return util::base64_encode(std::string_view(reinterpret_cast<const char*>(nonce.data()), nonce.size()));
}

std::string
accept_key(std::string_view key)
{
  const std::string input = std::string(key) + std::string(k_accept_guid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    throw ProtocolError("cannot compute SHA-1 for the WebSocket accept key");
  }
  return util::base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string
build_handshake_request(const HandshakeRequest& request)
{
  if (request.target.empty() || request.target.find_first_of(" \t\r\n") != std::string::npos) {
    throw ConfigError("WebSocket request path is empty or contains whitespace");
  }
  std::string out = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
                                request.target, request.host, request.key);
  if (!request.protocols.empty()) {
    out += fmt::format("Sec-WebSocket-Protocol: {}\r\n", util::join(request.protocols, ", "));
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || name.find_first_of(" :") != std::string::npos) {
      throw ConfigError(fmt::format("invalid HTTP header name \"{}\"", name));
    }
    if (has_line_break(value)) {
      throw ConfigError(fmt::format("HTTP header {} contains a line break", name));
    }
    out += fmt::format("{}: {}\r\n", name, value);
  }
  if (has_line_break(request.host)) {
    throw ConfigError("HTTP Host contains a line break");
  }
  out += k_crlf;
  return out;
}

std::optional<std::string>
HttpResponse::header(std::string_view name) const
{
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return std::string(util::trim(value));
    }
  }
  return std::nullopt;
}

HandshakeResponseReader::HandshakeResponseReader(std::size_t max_size) : m_max_size(max_size) {}

bool
HandshakeResponseReader::feed(std::string_view bytes)
{
  if (m_complete) {
    m_buffer.append(bytes);
    return true;
  }
  m_buffer.append(bytes);
  if (!m_have_head) {
    const std::size_t end = m_buffer.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (m_buffer.size() > m_max_size) {
        throw ProtocolError(fmt::format("HTTP response headers exceed {} bytes", m_max_size));
      }
      return false;
    }
    parse_head(std::string_view(m_buffer).substr(0, end));
    m_buffer.erase(0, end + 4);
    m_have_head = true;
  }
  if (m_response.status != 101 && m_buffer.size() > m_max_size) {
    throw ProtocolError(fmt::format("HTTP {} response body exceeds {} bytes", m_response.status, m_max_size));
  }
  return try_complete_body();
}

void
HandshakeResponseReader::parse_head(std::string_view head)
{
  const std::vector<std::string> lines = util::split(head, '\n');
  std::string_view status_line = util::trim(lines.front());
  int status = 0;
  const bool is_http =
      util::starts_with(status_line, "HTTP/1.") && status_line.size() >= 12 && status_line[8] == ' ' &&
      std::from_chars(status_line.data() + 9, status_line.data() + 12, status).ptr == status_line.data() + 12 &&
      (status_line.size() == 12 || status_line[12] == ' ');
  if (!is_http || status < 100) {
    throw ProtocolError("the server's answer to the WebSocket upgrade is not an HTTP/1.1 response");
  }
  m_response.status = status;
  m_response.status_line = std::string(status_line);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' || line.front() == '\t') {
      throw ProtocolError(fmt::format("malformed header line {} in the HTTP {} response", i, status));
    }
    m_response.headers.emplace_back(std::string(line.substr(0, colon)),
                                    std::string(util::trim(line.substr(colon + 1))));
  }
  if (status == 101) {
    return;
  }
  const auto encoding = m_response.header("Transfer-Encoding");
  m_chunked = encoding && lists_token(*encoding, "chunked");
  const auto length = m_response.header("Content-Length");
  if (!m_chunked && length) {
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(length->data(), length->data() + length->size(), value);
    if (ec != std::errc() || ptr != length->data() + length->size()) {
      throw ProtocolError(fmt::format("invalid Content-Length in the HTTP {} response", status));
    }
    m_content_length = value;
  }
  if (status < 200 || status == 204 || status == 304) {
    m_content_length = 0;
  }
}

bool
HandshakeResponseReader::try_complete_body()
{
  if (m_response.status == 101) {
    m_complete = true;
  } else if (m_content_length) {
    if (m_buffer.size() >= *m_content_length) {
      m_response.body = m_buffer.substr(0, *m_content_length);
      m_complete = true;
    }
  } else if (m_chunked) {
    if (auto body = decode_chunked(m_buffer)) {
      m_response.body = std::move(*body);
      m_complete = true;
    }
  }
  return m_complete;
}

void
HandshakeResponseReader::finish()
{
  if (m_complete) {
    return;
  }
  if (!m_have_head) {
    throw ProtocolError("connection closed before the server answered the WebSocket upgrade");
  }
  if (m_content_length || m_chunked) {
    throw ProtocolError(fmt::format("connection closed in the middle of the HTTP {} response body", m_response.status));
  }
  m_response.body = std::move(m_buffer);
  m_buffer.clear();
  m_complete = true;
}

std::string
HandshakeResponseReader::take_remainder()
{
  if (!m_complete || m_response.status != 101) {
    return {};
  }
  return std::exchange(m_buffer, std::string());
}

std::optional<std::string>
decode_chunked(std::string_view data)
{
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t eol = data.find(k_crlf, pos);
    if (eol == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view size_text = data.substr(pos, eol - pos);
    size_text = util::trim(size_text.substr(0, size_text.find(';')));
    std::size_t size = 0;
    const auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || size_text.size() > 15 || ec != std::errc() || ptr != size_text.data() + size_text.size()) {
      throw ProtocolError("malformed chunk size in a chunked HTTP response body");
    }
    pos = eol + 2;
    if (size == 0) {
      // Skip trailer fields up to the empty line that ends the body.
      while (true) {
        const std::size_t end = data.find(k_crlf, pos);
        if (end == std::string_view::npos) {
          return std::nullopt;
        }
        if (end == pos) {
          return out;
        }
        pos = end + 2;
      }
    }
    if (data.size() - pos < size + 2) {
      return std::nullopt;
    }
    out += data.substr(pos, size);
    if (data.substr(pos + size, 2) != k_crlf) {
      throw ProtocolError("chunk in a chunked HTTP response body is not followed by CRLF");
    }
    pos += size + 2;
  }
}

std::string
check_upgrade(const HttpResponse& response, std::string_view key, const std::vector<std::string>& offered)
{
  if (response.status != 101) {
    throw ProtocolError(fmt::format("WebSocket upgrade refused: {}", response.status_line));
  }
  const auto upgrade = response.header("Upgrade");
  if (!upgrade || !iequals(*upgrade, "websocket")) {
    throw ProtocolError("WebSocket upgrade response lacks the \"Upgrade: websocket\" header");
  }
  const auto connection = response.header("Connection");
  if (!connection || !lists_token(*connection, "upgrade")) {
    throw ProtocolError("WebSocket upgrade response lacks the \"Connection: Upgrade\" header");
  }
  const auto accept = response.header("Sec-WebSocket-Accept");
  if (!accept) {
    throw ProtocolError("WebSocket upgrade response lacks the Sec-WebSocket-Accept header");
  }
  if (*accept != accept_key(key)) {
    throw ProtocolError("WebSocket upgrade response has a Sec-WebSocket-Accept that does not match our key");
  }
  const auto extensions = response.header("Sec-WebSocket-Extensions");
  if (extensions && !extensions->empty()) {
    throw ProtocolError(fmt::format("WebSocket server enabled extensions that were not offered: {}", *extensions));
  }
  const auto protocol = response.header("Sec-WebSocket-Protocol");
  if (!protocol || protocol->empty()) {
    throw ProtocolError(fmt::format("WebSocket server chose no subprotocol (offered: {})", util::join(offered, ", ")));
  }
  for (const std::string& candidate : offered) {
    if (candidate == *protocol) {
      return candidate;
    }
  }
  throw ProtocolError(fmt::format("WebSocket server chose subprotocol \"{}\", which was not offered (offered: {})",
                                  *protocol, util::join(offered, ", ")));
}

} // namespace kube::ws
