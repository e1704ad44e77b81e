// The one sanitizer between untrusted text and the terminal (util/terminal_text.hpp), the stream
// filter cli::run installs, and what it means for tables, JSON and YAML.
#include "cli/app.hpp"
#include "output/table.hpp"
#include "output/yaml.hpp"
#include "util/ascii_run.hpp"
#include "util/terminal_text.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <sstream>

using util::escape_for_terminal;

TEST_CASE("terminal text: C0, DEL, C1, bidi controls and stray bytes are escaped visibly")
{
  CHECK(escape_for_terminal("plain text\twith tab\n") == "plain text\twith tab\n");
  CHECK(escape_for_terminal("\x1b[2J\x1b]0;pwned\x07") == "\\u001b[2J\\u001b]0;pwned\\u0007");
  CHECK(escape_for_terminal("a\rb\x7f") == "a\\u000db\\u007f");
  CHECK(escape_for_terminal("csi \xc2\x9b"
                            "31m") == "csi \\u009b31m"); // U+009B, the one-byte CSI
  CHECK(escape_for_terminal("\xe2\x80\xae"
                            "gnp.exe") == "\\u202egnp.exe");                    // RIGHT-TO-LEFT OVERRIDE
  CHECK(escape_for_terminal("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069"); // isolates
  CHECK(escape_for_terminal("raw \x9b byte") == "raw \\x9b byte");              // not UTF-8
  CHECK(escape_for_terminal("caf\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x94\x92") ==
        "caf\xc3\xa9 \xe2\x89\xa5 \xf0\x9f\x94\x92");
  CHECK(escape_for_terminal("cut \xe2\x80") == "cut \\xe2\\x80");
}

TEST_CASE("terminal text: the stream filter holds a character split across writes, and passes control sequences")
{
  std::ostringstream sink;
  {
    util::TerminalSafeScope scope(sink);
    sink << "a\xe2";
    sink << "\x80\xae"
         << "b\x1b";
    util::write_terminal_control(sink, "\r\033[K");
    sink << "\xc3" << std::flush; // incomplete at a flush: escaped byte by byte
  }
  CHECK(sink.str() == "a\\u202eb\\u001b\r\033[K\\xc3");
}

TEST_CASE("terminal text: the stream filter, written in random pieces, escapes exactly as escape_for_terminal")
{
  // The filter checks eight bytes at a time while they are printable ASCII: every byte value at
  // every position of a word, in pieces of every size, must come out as the one-shot escape.
  std::mt19937 random(20261206);
  const std::string alphabet = std::string("abc xyz{}\":,0189~") + "\n\t\x1f\x7f\x80\x9b\xc2\xe2\x80\xae\xff\x20\x7e";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const size_t length = random() % 70;
    const bool mostly_plain = round % 2 == 0;
    for (size_t i = 0; i < length; ++i) {
      text += mostly_plain && random() % 8 != 0
                  ? static_cast<char>(0x20 + random() % 95)
                  : (random() % 4 == 0 ? static_cast<char>(random() % 256) : alphabet[random() % alphabet.size()]);
    }
    std::ostringstream sink;
    {
      util::TerminalSafeScope scope(sink);
      for (size_t at = 0; at < text.size();) {
        const size_t piece = std::min(text.size() - at, static_cast<size_t>(1 + random() % 20));
        sink << text.substr(at, piece);
        at += piece;
      }
    }
    CAPTURE(round);
    REQUIRE(sink.str() == escape_for_terminal(text));
  }
}

TEST_CASE("printable_prefix: eight bytes at a time, exactly where a byte-by-byte scan stops")
{
  // Every byte value at every position of a word, and the excluded bytes, against the plain loop.
  const auto slow = [](std::string_view text, std::string_view excluded) {
    size_t i = 0;
    while (i < text.size()) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c > 0x7E || excluded.find(text[i]) != std::string_view::npos) {
        break;
      }
      ++i;
    }
    return i;
  };
  std::mt19937 random(20261206);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t length = random() % 40;
    for (size_t i = 0; i < length; ++i) {
      text += random() % 6 != 0 ? static_cast<char>(0x20 + random() % 95) : static_cast<char>(random() % 256);
    }
    if (!text.empty() && round % 3 == 0) {
      text[random() % text.size()] = round % 2 == 0 ? '"' : '\\';
    }
    CAPTURE(round);
    REQUIRE(util::printable_prefix(text) == slow(text, ""));
    REQUIRE(util::printable_prefix<'"', '\\'>(text) == slow(text, "\"\\"));
    if (util::terminal_plain(text)) { // what may skip the filter is what the filter leaves alone
      REQUIRE(text == escape_for_terminal(text));
    }
  }
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 17; ++at) {
      std::string text(17, 'a');
      text[at] = static_cast<char>(byte);
      const bool printable = byte >= 0x20 && byte <= 0x7E;
      CHECK(util::printable_prefix(text) == (printable ? text.size() : at));
      CHECK(util::terminal_plain(text) == (printable || byte == '\n' || byte == '\t'));
    }
  }
}

TEST_CASE("terminal text: tables escape cells before measuring; JSON and YAML read back exactly after the filter")
{
  output::Table table({"NAME", "STATUS"});
  table.add_row({"n\x1b[1", "ok"});
  table.add_row({"node2", "ok"});
  CHECK(table.render() == "NAME        STATUS\nn\\u001b[1   ok\nnode2       ok\n");

  const std::string hostile = "x\x1b[2J\xc2\x9b\xe2\x80\xae\x7fy";
  const nlohmann::json doc{{"name", hostile}, {"plain", "ok"}};
  const auto filtered = [](const std::string& text) {
    std::ostringstream sink;
    {
      util::TerminalSafeScope scope(sink);
      sink << text;
    }
    return sink.str();
  };
  const auto json_text = filtered(output::to_json_text(doc));
  CHECK(escape_for_terminal(json_text) == json_text); // nothing left for a terminal to act on
  CHECK(nlohmann::json::parse(json_text)["name"] == hostile);
  const auto yaml_text = filtered(output::to_yaml(doc));
  CHECK(escape_for_terminal(yaml_text) == yaml_text);
  CHECK(YAML::Load(yaml_text)["name"].as<std::string>() == hostile);
  CHECK(YAML::Load(yaml_text)["plain"].as<std::string>() == "ok");
}

TEST_CASE("terminal text: cli::run puts errors through the filter")
{
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx{out, err};
  const int code = cli::run({"--kubeconfig", "/nonexistent/\x1b]0;pwned\x07", "nodes"}, ctx);
  CHECK(code != 0);
  CHECK(err.str().find('\x1b') == std::string::npos);
  CHECK(err.str().find("\\u001b]0;pwned\\u0007") != std::string::npos);
}
