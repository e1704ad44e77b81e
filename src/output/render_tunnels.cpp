#include "output/render_tunnels.hpp"

#include "ipsec/tunnel_sas.hpp"
#include "ipsec/tunnels_show.hpp"
#include "output/table.hpp"
#include "output/yaml.hpp"

#include <functional>
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

// The STATE cell of a row that is no tunnel.
std::string
row_state(const ipsec::TunnelRow& row)
{
  switch (row.kind) {
  case ipsec::RowKind::missing:
    return "MISSING";
  case ipsec::RowKind::no_tunnels:
    return "NO-TUNNELS";
  case ipsec::RowKind::unreadable:
    return "UNKNOWN";
  case ipsec::RowKind::failed:
    return "ERROR";
  case ipsec::RowKind::tunnel:
    break;
  }
  return "";
}

// A column that only a tunnel fills; other rows show "-" there.
Column<ipsec::TunnelRow>
tunnel_column(std::string heading, bool wide_only, std::function<std::string(const ipsec::Tunnel&)> cell_of)
{
  return {std::move(heading), wide_only, [cell_of = std::move(cell_of)](const ipsec::TunnelRow& row) {
            return row.kind == ipsec::RowKind::tunnel ? cell_of(*row.tunnel) : std::string("-");
          }};
}

} // namespace

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
    return ipsec::sanitize_line(row.message); // errors can quote remote output
  }
}

std::vector<Column<ipsec::TunnelRow>>
tunnel_columns(bool with_message)
{
  using Row = ipsec::TunnelRow;
  using ipsec::Tunnel;
  std::vector<Column<Row>> columns{
      {"NODE", false, [](const Row& row) { return row.result->node; }},
      {"REMOTE NODE", false, [](const Row& row) { return row.remote_node.empty() ? "-" : row.remote_node; }},
      tunnel_column("INTERFACE", false, [](const Tunnel& tunnel) { return tunnel.interface; }),
      {"STATE", false, [](const Row& row) { return row_state_word(row); }},
      tunnel_column("LOCAL IP", false, [](const Tunnel& tunnel) { return cell(tunnel.local_ip); }),
      tunnel_column("REMOTE IP", false, [](const Tunnel& tunnel) { return cell(tunnel.remote_ip); }),
      tunnel_column("SAS", false, [](const Tunnel& tunnel) { return sa_cell(tunnel); }),
      tunnel_column("POLICIES", false, [](const Tunnel& tunnel) { return std::to_string(tunnel.policies.size()); }),
      // -o wide adds only short fields, so that a line stays within 200 columns: the chassis
      // names (36-character UUIDs) and the certificate paths (60+) are in -o json/yaml.
      tunnel_column("TYPE", true, [](const Tunnel& tunnel) { return cell(tunnel.type); }),
      tunnel_column("FAMILY", true, [](const Tunnel& tunnel) { return cell(tunnel.address_family); }),
      tunnel_column("PSK", true,
                    [](const Tunnel& tunnel) {
                      const std::string psk = psk_word(tunnel.psk);
                      return psk.empty() ? "-" : psk;
                    }),
      tunnel_column("OFPORT", true,
                    [](const Tunnel& tunnel) { return tunnel.ofport ? std::to_string(*tunnel.ofport) : "-"; }),
      tunnel_column("CFM", true, [](const Tunnel& tunnel) { return cell(tunnel.cfm_state); }),
      tunnel_column("ACTIVE", true,
                    [](const Tunnel& tunnel) { return std::to_string(tunnel.active_connections.size()); }),
  };
  if (with_message) {
    columns.push_back({"MESSAGE", false, row_message});
  }
  return columns;
}

std::string
psk_word(ipsec::PskState psk)
{
  switch (psk) {
  case ipsec::PskState::set:
    return "set";
  case ipsec::PskState::unset:
    return "unset";
  case ipsec::PskState::unknown:
    break;
  }
  return "";
}

std::string
row_state_word(const ipsec::TunnelRow& row)
{
  return row.kind == ipsec::RowKind::tunnel ? state_word(*row.tunnel) : row_state(row);
}

std::string
state_word(const ipsec::Tunnel& tunnel)
{
  switch (tunnel.state) {
  case ipsec::TunnelState::init:
    return "INIT";
  case ipsec::TunnelState::configured:
    return "CONFIGURED";
  case ipsec::TunnelState::invalid:
    return "INVALID";
  case ipsec::TunnelState::removed:
    return "REMOVED";
  case ipsec::TunnelState::unknown:
    break;
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
  const std::string psk = psk_word(tunnel.psk);
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
      {"saCounts",
       {{"installed", counts.installed}, {"acquiring", counts.larval}, {"unrecognized", counts.unrecognized}}},
      {"saStatus", std::string(ipsec::to_string(ipsec::sa_status(tunnel, counts)))},
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
  return {{"noTunnels", parsed.no_tunnels},
          {"truncated", parsed.truncated},
          {"tunnels", std::move(tunnels)},
          {"unknownLines", parsed.unknown_lines},
          {"warnings", parsed.warnings}};
}

json
tunnel_row_json(const ipsec::TunnelRow& row)
{
  json tunnel = tunnel_to_json(*row.tunnel);
  tunnel["remoteNode"] = text_or_null(row.remote_node);
  return tunnel;
}

json
node_item_json(const ipsec::NodeTunnelsResult& node, const std::vector<ipsec::TunnelRow>& rows,
               const ipsec::ChassisNames& names)
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
  json missing = json::array();
  for (const auto& row : rows) {
    if (row.kind == ipsec::RowKind::missing) {
      const auto* peer = names.find(row.remote_chassis);
      missing.push_back({{"node", peer != nullptr && !peer->node.empty() ? json(peer->node) : json(nullptr)},
                         {"chassis", row.remote_chassis}});
    }
  }
  const auto& parsed = *node.tunnels;
  item.update({{"noTunnels", parsed.no_tunnels},
               {"truncated", parsed.truncated},
               {"tunnels", json::array()},
               {"unknownLines", parsed.unknown_lines},
               {"warnings", parsed.warnings},
               {"missingPeers", std::move(missing)}});
  return item;
}

json
tunnels_to_json(const ipsec::TunnelsReport& report)
{
  const ipsec::ChassisNames names = ipsec::chassis_names(report);
  json nodes = json::array();
  for (const size_t index : ipsec::node_order(report)) {
    const auto& node = report.nodes[index];
    const auto rows = ipsec::node_rows(node, names);
    json item = node_item_json(node, rows, names);
    for (const auto& row : rows) {
      if (row.kind == ipsec::RowKind::tunnel) {
        item["tunnels"].push_back(tunnel_row_json(row));
      }
    }
    nodes.push_back(std::move(item));
  }
  return {{"nodes", std::move(nodes)}};
}

} // namespace output
