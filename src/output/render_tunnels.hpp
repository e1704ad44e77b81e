#pragma once
// The `tunnels` report as table, wide table, json or yaml text. json and yaml are the same
// document (camelCase keys); a failed node carries its "error" inside it. A PSK is never shown:
// only "set"/"unset".

#include "ipsec/tunnel_model.hpp"
#include "ipsec/tunnels_report.hpp"
#include "output/format.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace output {

// "CONFIGURED", "INIT", "INVALID", "REMOVED", or the raw state text of an unknown state.
std::string state_word(const ipsec::Tunnel& tunnel);

// The SAs cell: installed SAs, plus larval/unreadable lines in parentheses, e.g. "0 (1 acquiring)".
std::string sa_cell(const ipsec::Tunnel& tunnel);

// One tunnel as JSON (without remoteNode, which needs the report).
nlohmann::json tunnel_to_json(const ipsec::Tunnel& tunnel);

// One node's parsed output as JSON (also handy to show a model in test failures).
nlohmann::json node_tunnels_to_json(const ipsec::NodeTunnels& parsed);

// The whole report: {"nodes": [...]} in the table's order.
nlohmann::json tunnels_to_json(const ipsec::TunnelsReport& report);

// The report in `format`, ending with a newline.
std::string render_tunnels(const ipsec::TunnelsReport& report, Format format);

} // namespace output
