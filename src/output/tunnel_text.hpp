#pragma once
// A tunnel's JSON or YAML text written directly: byte for byte what the document renderers
// print for it (json_text / to_yaml of tunnel_row_json: keys sorted, invalid UTF-8 as U+FFFD),
// without building an nlohmann::json and a YAML emitter per tunnel. At 1,000 nodes `tunnels`
// writes a million of them; building them cost more than receiving and parsing the output.

#include "ipsec/tunnel_model.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>

namespace output {

// Appends the tunnel's JSON object (its closing brace last, no newline), its members indented
// for an object at `depth` (2 spaces a level; the opening brace is not indented). True when
// the text appended is printable ASCII and newlines only (util::terminal_plain).
bool append_tunnel_json(std::string& out, const ipsec::Tunnel& tunnel, const std::string& remote_node,
                        size_t depth = 0);

// Appends the tunnel as one item of a YAML block sequence at indent 0 ("- activeConnections: …"
// lines, each ending in '\n'). `scalars` caches how each string is written (paths, states and
// names repeat on every tunnel); keep one per thread.
using YamlScalarCache = std::unordered_map<std::string, std::string>;
void append_tunnel_yaml(std::string& out, const ipsec::Tunnel& tunnel, const std::string& remote_node,
                        YamlScalarCache& scalars);

} // namespace output
