#pragma once
// The `tunnels` report as table, wide table, json or yaml text. json and yaml are the same
// document (camelCase keys); a failed node carries its "error" inside it. A PSK is never shown:
// only "set"/"unset".

#include "ipsec/tunnel_model.hpp"
#include "ipsec/tunnels_report.hpp"
#include "output/format.hpp"
#include "output/table.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace output {

// "set", "unset", or "" when unknown: all that is ever shown of a PSK.
std::string psk_word(ipsec::PskState psk);

// "CONFIGURED", "INIT", "INVALID", "REMOVED", or the raw state text of an unknown state.
std::string state_word(const ipsec::Tunnel& tunnel);

// The STATE cell of a row: state_word() of a tunnel, else MISSING, NO-TUNNELS, UNKNOWN, ERROR.
std::string row_state_word(const ipsec::TunnelRow& row);

// The SAs cell: installed SAs, plus larval/unreadable lines in parentheses, e.g. "0 (1 acquiring)".
std::string sa_cell(const ipsec::Tunnel& tunnel);

// One tunnel as JSON (without remoteNode, which needs the report).
nlohmann::json tunnel_to_json(const ipsec::Tunnel& tunnel);

// One node's parsed output as JSON (also handy to show a model in test failures).
nlohmann::json node_tunnels_to_json(const ipsec::NodeTunnels& parsed);

// The table's columns (output::TunnelsPrinter prints them); MESSAGE, last, only `with_message`.
std::vector<Column<ipsec::TunnelRow>> tunnel_columns(bool with_message);

// The MESSAGE cell of a row: why it failed, why a tunnel is invalid, what is odd about it.
std::string row_message(const ipsec::TunnelRow& row);

// A tunnel row as JSON: tunnel_to_json plus remoteNode.
nlohmann::json tunnel_row_json(const ipsec::TunnelRow& row);

// One node's object of the document, its "tunnels" (when it has parsed output) left empty:
// `rows` are node_rows(node, names); tunnel_row_json of each tunnel row fills it in order.
nlohmann::json node_item_json(const ipsec::NodeTunnelsResult& node, const std::vector<ipsec::TunnelRow>& rows,
                              const ipsec::ChassisNames& names);

// The whole report: {"nodes": [...]} in the table's order.
nlohmann::json tunnels_to_json(const ipsec::TunnelsReport& report);

// The report in `format`, ending with a newline: what output::TunnelsPrinter prints for it.
std::string render_tunnels(const ipsec::TunnelsReport& report, Format format);

} // namespace output
