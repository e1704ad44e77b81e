#include "output/render_tunnels.hpp"

#include "ipsec/tunnel_sas.hpp"
#include "ipsec/tunnels_show.hpp"
#include "output/table.hpp"
#include "output/yaml.hpp"

#include <utility>

namespace output {

namespace {

using nlohmann::json;

constexpr std::string_view k_missing_message = "not in tunnels/show (see ovs-monitor-ipsec.log)";

json
text_or_null(const std::optional<std::string>& value)
{
  return value ? json(*value) : json(nullptr);
}

json
text_or_null(const std::string& value)
{
  return value.empty() ? json(nullptr) : json(value);
}

std::string
cell(const std::optional<std::string>& value)
{
  return value ? *value : "-";
}

std::string
psk_text(ipsec::PskState psk)
{
  switch (psk) {
  case ipsec::PskState::set: return "set";
  case ipsec::PskState::unset: return "unset";
  case ipsec::PskState::unknown: break;
  }
  return "";
}

std::string
options_cell(const std::optional<ipsec::CustomOptions>& options)
{
  if (!options || options->empty()) {
    return "-";
  }
  std::string out;
  for (const auto& [key, value] : *options) {
    out += (out.empty() ? "" : ",") + key + "=" + value;
  }
  return out;
}

// The MESSAGE cell of a row: why it failed, why a tunnel is invalid, what is odd about it.
std::string
row_message(const ipsec::TunnelRow& row)
{
  switch (row.kind) {
  case ipsec::RowKind::missing:
    return std::string(k_missing_message);
  case ipsec::RowKind::tunnel: {
    std::string message = row.tunnel->invalid_reason;
    if (!row.tunnel->complete) {
      message += (message.empty() ? "" : "; ") + std::string("output cut off");
    }
    return message;
  }
  default:
    return ipsec::sanitize_line(row.message);   // errors can quote remote output
  }
}

std::vector<std::string>
row_cells(const ipsec::TunnelRow& row, bool wide)
{
  const std::string remote = row.remote_node.empty() ? "-" : row.remote_node;
  std::vector<std::string> cells;
  if (row.kind == ipsec::RowKind::tunnel) {
    const auto& tunnel = *row.tunnel;
    cells = {row.result->node, remote, tunnel.interface, state_word(tunnel), cell(tunnel.local_ip),
             cell(tunnel.remote_ip), sa_cell(tunnel), std::to_string(tunnel.policies.size())};
    if (wide) {
      const std::string psk = psk_text(tunnel.psk);
      cells.insert(cells.end(), {cell(tunnel.type), cell(tunnel.address_family), cell(tunnel.local_name),
                                 cell(tunnel.remote_name), cell(tunnel.local_cert), cell(tunnel.local_key),
                                 cell(tunnel.ca_cert), cell(tunnel.remote_cert), psk.empty() ? "-" : psk,
                                 tunnel.ofport ? std::to_string(*tunnel.ofport) : "-", cell(tunnel.cfm_state),
                                 options_cell(tunnel.custom_options),
                                 std::to_string(tunnel.active_connections.size())});
    }
    return cells;
  }
  std::string state;
  switch (row.kind) {
  case ipsec::RowKind::missing: state = "MISSING"; break;
  case ipsec::RowKind::no_tunnels: state = "NO-TUNNELS"; break;
  case ipsec::RowKind::unreadable: state = "UNKNOWN"; break;
  case ipsec::RowKind::failed: state = "ERROR"; break;
  case ipsec::RowKind::tunnel: break;
  }
  cells = {row.result->node, remote, "-", state, "-", "-", "-", "-"};
  if (wide) {
    cells.resize(cells.size() + 13, "-");
  }
  return cells;
}

std::string
render_table(const ipsec::TunnelsReport& report, bool wide)
{
  std::vector<std::string> headings{"NODE", "REMOTE NODE", "INTERFACE", "STATE", "LOCAL IP", "REMOTE IP", "SAs",
                                    "POLICIES"};
  if (wide) {
    headings.insert(headings.end(), {"TYPE", "FAMILY", "LOCAL NAME", "REMOTE NAME", "LOCAL CERT", "LOCAL KEY",
                                     "CA CERT", "REMOTE CERT", "PSK", "OFPORT", "CFM", "OPTIONS", "ACTIVE"});
  }
  const auto rows = ipsec::tunnel_rows(report);
  std::vector<std::vector<std::string>> lines;
  bool any_message = false;
  for (const auto& row : rows) {
    auto cells = row_cells(row, wide);
    cells.push_back(row_message(row));
    any_message = any_message || !cells.back().empty();
    lines.push_back(std::move(cells));
  }
  // MESSAGE only when a row has one, and last, so a long error does not push columns apart.
  if (any_message) {
    headings.emplace_back("MESSAGE");
  }
  Table table(std::move(headings));
  for (auto& cells : lines) {
    if (!any_message) {
      cells.pop_back();
    }
    table.add_row(std::move(cells));
  }
  return table.render();
}

json
node_to_json(const ipsec::NodeTunnelsResult& node, const std::vector<const ipsec::TunnelRow*>& rows,
             const std::map<std::string, std::string>& names)
{
  json item{{"node", node.node}, {"chassis", text_or_null(node.chassis)}};
  if (!node.error.empty()) {
    item["error"] = node.error;
  }
  if (!node.tunnels) {
    if (node.error.empty()) {
      item["error"] = "no output";
    }
    return item;
  }
  json tunnels = json::array();
  json missing = json::array();
  for (const auto* row : rows) {
    if (row->kind == ipsec::RowKind::tunnel) {
      json tunnel = tunnel_to_json(*row->tunnel);
      tunnel["remoteNode"] = text_or_null(row->remote_node);
      tunnels.push_back(std::move(tunnel));
    } else if (row->kind == ipsec::RowKind::missing) {
      const auto found = names.find(row->remote_chassis);
      missing.push_back({{"node", found != names.end() ? json(found->second) : json(nullptr)},
                         {"chassis", row->remote_chassis}});
    }
  }
  json parsed = node_tunnels_to_json(*node.tunnels);
  parsed["tunnels"] = std::move(tunnels);
  item.update(parsed);
  item["missingPeers"] = std::move(missing);
  return item;
}

} // namespace

std::string
state_word(const ipsec::Tunnel& tunnel)
{
  switch (tunnel.state) {
  case ipsec::TunnelState::init: return "INIT";
  case ipsec::TunnelState::configured: return "CONFIGURED";
  case ipsec::TunnelState::invalid: return "INVALID";
  case ipsec::TunnelState::removed: return "REMOVED";
  case ipsec::TunnelState::unknown: break;
  }
  return tunnel.state_text.empty() ? "UNKNOWN" : tunnel.state_text;
}

std::string
sa_cell(const ipsec::Tunnel& tunnel)
{
  const auto counts = ipsec::count_sas(tunnel);
  std::string extra;
  if (counts.larval > 0) {
    extra = std::to_string(counts.larval) + " acquiring";
  }
  if (counts.unrecognized > 0) {
    extra += (extra.empty() ? "" : ", ") + std::to_string(counts.unrecognized) + " unrecognized";
  }
  return std::to_string(counts.installed) + (extra.empty() ? "" : " (" + extra + ")");
}

json
tunnel_to_json(const ipsec::Tunnel& tunnel)
{
  const auto counts = ipsec::count_sas(tunnel);
  json options = nullptr;
  if (tunnel.custom_options) {
    options = json::object();
    for (const auto& [key, value] : *tunnel.custom_options) {
      options[key] = value;
    }
  }
  const std::string psk = psk_text(tunnel.psk);
  return {
      {"interface", tunnel.interface},
      {"version", tunnel.version ? json(*tunnel.version) : json(nullptr)},
      {"state", state_word(tunnel)},
      {"invalidReason", tunnel.state == ipsec::TunnelState::invalid ? json(tunnel.invalid_reason) : json(nullptr)},
      {"type", text_or_null(tunnel.type)},
      {"localIp", text_or_null(tunnel.local_ip)},
      {"remoteIp", text_or_null(tunnel.remote_ip)},
      {"addressFamily", text_or_null(tunnel.address_family)},
      {"skbMark", text_or_null(tunnel.skb_mark)},
      {"localCert", text_or_null(tunnel.local_cert)},
      {"localName", text_or_null(tunnel.local_name)},
      {"localKey", text_or_null(tunnel.local_key)},
      {"remoteCert", text_or_null(tunnel.remote_cert)},
      {"remoteName", text_or_null(tunnel.remote_name)},
      {"caCert", text_or_null(tunnel.ca_cert)},
      {"psk", psk.empty() ? json(nullptr) : json(psk)},
      {"customOptions", std::move(options)},
      {"ofport", tunnel.ofport ? json(*tunnel.ofport) : json(nullptr)},
      {"cfmState", text_or_null(tunnel.cfm_state)},
      {"policies", tunnel.policies},
      {"securityAssociations", tunnel.sas},
      {"saCounts", {{"installed", counts.installed}, {"acquiring", counts.larval}, {"unrecognized", counts.unrecognized}}},
      {"saStatus", std::string(ipsec::to_string(ipsec::sa_status(tunnel)))},
      {"activeConnections", tunnel.active_connections},
      {"unknownLines", tunnel.unknown_lines},
      {"complete", tunnel.complete},
  };
}

json
node_tunnels_to_json(const ipsec::NodeTunnels& parsed)
{
  json tunnels = json::array();
  for (const auto& tunnel : parsed.tunnels) {
    tunnels.push_back(tunnel_to_json(tunnel));
  }
  return {{"noTunnels", parsed.no_tunnels}, {"truncated", parsed.truncated}, {"tunnels", std::move(tunnels)},
          {"unknownLines", parsed.unknown_lines}, {"warnings", parsed.warnings}};
}

json
tunnels_to_json(const ipsec::TunnelsReport& report)
{
  const auto rows = ipsec::tunnel_rows(report);
  const auto names = ipsec::chassis_to_node(report);
  json nodes = json::array();
  size_t i = 0;
  while (i < rows.size()) {
    // Rows come grouped by node; each group becomes one node object.
    const auto* node = rows[i].result;
    std::vector<const ipsec::TunnelRow*> group;
    for (; i < rows.size() && rows[i].result == node; ++i) {
      group.push_back(&rows[i]);
    }
    nodes.push_back(node_to_json(*node, group, names));
  }
  return {{"nodes", std::move(nodes)}};
}

std::string
render_tunnels(const ipsec::TunnelsReport& report, Format format)
{
  switch (format) {
  case Format::json:
    return to_json_text(tunnels_to_json(report));
  case Format::yaml:
    return to_yaml(tunnels_to_json(report));
  case Format::wide:
    return render_table(report, true);
  case Format::table:
    break;
  }
  return render_table(report, false);
}

} // namespace output
