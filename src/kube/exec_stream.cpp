#include "kube/exec_stream.hpp"

#include "kube/api_status.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <memory>
#include <utility>

namespace kube {

namespace {

constexpr unsigned k_channel_stdout = 1;
constexpr unsigned k_channel_stderr = 2;
constexpr unsigned k_channel_status = 3;
constexpr unsigned k_channel_resize = 4;
constexpr unsigned k_channel_close = 255;
// A Status is a few hundred bytes; anything near this is not one.
constexpr std::size_t k_max_status = 64 * 1024;

std::string
string_field(const nlohmann::json& object, const char* name)
{
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Parses like Go's strconv.ParseUint(text, 10, 8), which client-go uses for the exit code.
std::optional<int>
parse_uint8(std::string_view text)
{
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value > 255) {
    return std::nullopt;
  }
  return static_cast<int>(value);
}

int
exit_code_from_causes(const nlohmann::json& status)
{
  const auto details = status.find("details");
  if (details == status.end() || !details->is_object()) {
    throw ProtocolError("exec status NonZeroExitCode has no details");
  }
  const auto causes = details->find("causes");
  if (causes == details->end() || !causes->is_array()) {
    throw ProtocolError("exec status NonZeroExitCode has no causes");
  }
  for (const auto& cause : *causes) {
    if (cause.is_object() && string_field(cause, "reason") == "ExitCode") {
      const std::string text = string_field(cause, "message");
      if (const auto code = parse_uint8(text)) {
        return *code;
      }
      throw ProtocolError(fmt::format("exec status has an invalid exit code \"{}\"", text.substr(0, 20)));
    }
  }
  throw ProtocolError("exec status NonZeroExitCode has no ExitCode cause");
}

} // namespace

std::vector<std::string>
exec_protocols()
{
  return {std::string(k_exec_protocol_v5), std::string(k_exec_protocol_v4)};
}

ExecProtocol
exec_protocol_from_name(std::string_view name)
{
  if (name == k_exec_protocol_v5) {
    return ExecProtocol::v5;
  }
  if (name == k_exec_protocol_v4) {
    return ExecProtocol::v4;
  }
  throw ProtocolError(fmt::format("unsupported exec subprotocol \"{}\"", name));
}

std::string
exec_target(std::string_view base_path, const ExecRequest& request)
{
  if (request.ns.empty() || request.pod.empty()) {
    throw ConfigError("exec request needs a namespace and a pod name");
  }
  while (!base_path.empty() && base_path.back() == '/') {
    base_path.remove_suffix(1);
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& arg : request.command) {
    params.emplace_back("command", arg);
  }
  if (!request.container.empty()) {
    params.emplace_back("container", request.container);
  }
  if (request.stdin_data) {
    params.emplace_back("stdin", "true");
  }
  // The API server no longer defaults these to true (reference §1.1), so say them.
  params.emplace_back("stdout", "true");
  params.emplace_back("stderr", "true");
  return fmt::format("{}/api/v1/namespaces/{}/pods/{}/exec?{}", base_path, util::percent_encode(request.ns),
                     util::percent_encode(request.pod), util::query_string(params));
}

std::string
stdin_message(std::string_view data)
{
  std::string out(1, '\x00');
  out += data;
  return out;
}

std::string
stdin_close_message()
{
  return std::string("\xFF\x00", 2);
}

int
parse_exec_status(std::string_view json)
{
  const auto status = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object()) {
    throw ProtocolError("exec status channel did not carry a JSON object");
  }
  const std::string outcome = string_field(status, "status");
  if (outcome == "Success") {
    return 0;
  }
  if (outcome != "Failure") {
    throw ProtocolError(fmt::format("exec status has unknown status \"{}\"", outcome.substr(0, 40)));
  }
  const std::string reason = string_field(status, "reason");
  if (reason == "NonZeroExitCode") {
    return exit_code_from_causes(status);
  }
  int code = 500;
  if (const auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
    const auto value = it->get<long long>();
    code = value >= 100 && value <= 599 ? static_cast<int>(value) : 500;
  }
  std::string message = string_field(status, "message");
  if (message.empty()) {
    message = fmt::format("command failed with status reason \"{}\"", reason.empty() ? "unknown" : reason);
  }
  throw ApiError(code, reason, message);
}

ApiError
upgrade_refused_error(const ws::HttpResponse& response, std::string_view who)
{
  const std::string_view body = util::trim(response.body);
  if (response.status == 403 && body.empty()) {
    return ApiError(403, "",
                    "API server does not accept WebSocket exec (HTTP 403 with an empty body on upgrade): it offered "
                    "none of v5.channel.k8s.io, v4.channel.k8s.io, or a proxy blocks WebSockets");
  }
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool is_status = json.is_object() && string_field(json, "kind") == "Status";
  if (is_status || (response.status == 401 && !json.is_object())) {
    return api_error_from_response(response.status, body, fmt::format("exec in {}", who));
  }
  const std::string line = util::first_line(body);
  return ApiError(response.status, "",
                  fmt::format("WebSocket upgrade for exec in {} was refused: {}{}", who, response.status_line,
                              line.empty() ? "" : ": " + line));
}

ExecChannels::ExecChannels(ExecProtocol protocol, std::string who, std::function<void(std::string_view)> stdout_sink,
                           std::size_t max_output, util::MemoryBudget* budget)
    : m_protocol(protocol), m_who(std::move(who)), m_stdout_sink(std::move(stdout_sink)), m_max_output(max_output),
      m_kept(budget)
{}

void
ExecChannels::keep(std::string& into, std::string_view data)
{
  const std::size_t other = (&into == &m_result.out ? m_result.err : m_result.out).size();
  switch (util::append_charged(into, data, m_max_output - std::min(other, m_max_output), m_kept)) {
  case util::Growth::ok:
    return;
  case util::Growth::too_big:
    throw util::exceeds_limit("output from " + m_who, m_max_output);
  case util::Growth::over_budget:
    throw util::exceeds_budget("output from " + m_who, m_kept.budget()->limit());
  }
}

void
ExecChannels::on_message(ws::Opcode opcode, std::string_view payload)
{
  if (opcode != ws::Opcode::binary) {
    throw ProtocolError(fmt::format("exec in {}: unexpected message type ({} message; the channel protocol uses "
                                    "binary messages only)",
                                    m_who, ws::opcode_name(opcode)));
  }
  if (payload.empty()) {
    return;
  }
  const unsigned channel = static_cast<unsigned char>(payload.front());
  const std::string_view data = payload.substr(1);
  if (channel == k_channel_close) {
    if (m_protocol != ExecProtocol::v5) {
      throw ProtocolError(
          fmt::format("exec in {}: CLOSE signal on a {} stream, which has none", m_who, k_exec_protocol_v4));
    }
    const unsigned closed = data.size() == 1 ? static_cast<unsigned char>(data.front()) : 256;
    if (closed > k_channel_resize) {
      throw ProtocolError(fmt::format("exec in {}: malformed CLOSE signal", m_who));
    }
    if (closed < m_closed.size()) {
      m_closed[closed] = true;
    }
    return;
  }
  if (channel < k_channel_stdout || channel > k_channel_status) {
    throw ProtocolError(fmt::format("exec in {}: message on unexpected channel {}", m_who, channel));
  }
  if (data.empty()) {
    return;
  }
  if (m_closed[channel]) {
    throw ProtocolError(fmt::format("exec in {}: data on channel {} after the server closed it", m_who, channel));
  }
  if (channel == k_channel_stdout) {
    m_stdout_bytes += data.size();
    if (m_stdout_sink) {
      m_stdout_sink(data);
    } else {
      keep(m_result.out, data);
    }
  } else if (channel == k_channel_stderr) {
    m_stderr_bytes += data.size();
    keep(m_result.err, data);
  } else {
    if (data.size() > k_max_status - m_status.size()) {
      throw ProtocolError(fmt::format("exec in {}: status channel carries more than {} bytes", m_who, k_max_status));
    }
    m_status += data;
  }
}

ExecResult
ExecChannels::finish(const std::optional<ws::CloseInfo>& close, std::string_view detail)
{
  if (m_kept.bytes() > 0) {
    m_result.held = std::make_shared<const util::MemoryCharge>(std::move(m_kept));
  }
  if (!m_status.empty()) {
    try {
      m_result.exit_code = parse_exec_status(m_status);
    } catch (const ProtocolError& e) {
      throw ProtocolError(fmt::format("exec in {}: {}", m_who, e.what()));
    }
    return std::move(m_result);
  }
  if (close && close->code == ws::k_close_normal) {
    // client-go reads a normal Close without a status as success (reference §1.3).
    m_result.exit_code = 0;
    return std::move(m_result);
  }
  std::string why;
  if (close) {
    why = close->reason.empty() ? fmt::format("WebSocket close code {}", close->code)
                                : fmt::format("WebSocket close code {}: {}", close->code, close->reason);
  } else {
    why = detail.empty() ? std::string("connection lost") : std::string(detail);
  }
  throw TransportError(fmt::format("connection to {} closed before the command finished ({})", m_who, why));
}

} // namespace kube
