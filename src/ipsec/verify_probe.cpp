#include "ipsec/verify_probe.hpp"

#include "ipsec/tunnels_show.hpp"
#include "util/strings.hpp"

#include <charconv>
#include <map>
#include <sstream>

namespace ipsec {

namespace {

std::vector<std::string>
words_of(std::string_view line)
{
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) {
    words.push_back(word);
  }
  return words;
}

template<typename Int>
bool
read_number(std::string_view text, Int& value)
{
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

// The rest of `line` after its first `n` words, as printed (an example packet, an error).
std::string
rest_after_words(std::string_view line, size_t n)
{
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) {
      return "";
    }
    pos = line.find_first_of(" \t", pos);
    if (pos == std::string_view::npos) {
      return "";
    }
  }
  return sanitize_line(util::trim(line.substr(pos)));
}

std::optional<SaCounter>
parse_sa_line(const std::vector<std::string>& w)
{
  SaCounter sa;
  if (w.size() != 6 || w[0] != "sa" || !read_number(w[4], sa.bytes) || !read_number(w[5], sa.packets)) {
    return std::nullopt;
  }
  sa.src = w[1];
  sa.dst = w[2];
  sa.spi = w[3];
  return sa;
}

// tcpdump's stderr: informational lines (link type, "listening on", its closing counters) are
// not errors; "N packets dropped by kernel" with N > 0 means the capture may have missed some.
std::string
capture_stderr_problem(const std::vector<std::string>& lines)
{
  for (const auto& line : lines) {
    const auto w = words_of(line);
    if (line.find("listening on") != std::string::npos || line.find("verbose output suppressed") != std::string::npos ||
        line.find("data link type") != std::string::npos) {
      continue;
    }
    if (w.size() >= 3 && w[1] == "packets" && (w[2] == "captured" || w[2] == "received")) {
      continue;
    }
    uint64_t dropped = 0;
    if (w.size() >= 4 && w[1] == "packets" && w[2] == "dropped" && read_number(w[0], dropped)) {
      if (dropped == 0) {
        continue;
      }
      return "tcpdump dropped " + w[0] + " packets (the capture may have missed some)";
    }
    if (!line.empty()) {
      return line;
    }
  }
  return "";
}

} // namespace

VerifyFacts
parse_verify_facts(std::string_view output)
{
  VerifyFacts facts;
  for (const auto& raw : util::split(output, '\n')) {
    const auto line = sanitize_line(raw);
    const auto w = words_of(line);
    if (w.empty()) {
      continue;
    }
    if (w[0] == "encap-ip" && w.size() >= 2) {
      auto value = w[1];
      std::erase(value, '"');
      facts.encap_ip = value.substr(0, value.find(','));
    } else if (w[0] == "ovn0") {
      for (size_t i = 1; i + 1 < w.size(); ++i) {
        if (w[i] == "inet") {
          facts.ovn0_ip = w[i + 1].substr(0, w[i + 1].find('/'));
          break;
        }
      }
    } else if (w[0] == "mtu" && w.size() == 2) {
      if (!read_number(w[1], facts.mtu) || facts.mtu < 68 || facts.mtu > 65535) {
        facts.mtu = 0;
      }
    } else if (w[0] == "missing" && w.size() == 2) {
      facts.missing_tools.push_back(w[1]);
    }
  }
  return facts;
}

ProbeOutput
parse_probe_output(std::string_view text)
{
  ProbeOutput out;
  std::string section;
  std::string capture_rc = "none";
  std::vector<std::string> capture_stderr;
  for (const auto& line : util::split(text, '\n')) {
    const auto w = words_of(line);
    if (w.empty()) {
      continue;
    }
    if (w[0].starts_with('@')) {
      section = w[0];
      if (section == "@capture") {
        capture_rc = w.size() >= 2 ? w[1] : "";
      }
      continue;
    }
    if (w[0] == "missing" && w.size() == 2) {
      out.missing_tools.push_back(sanitize_line(w[1]));
    } else if (section == "@sa-before" || section == "@sa-after") {
      if (auto sa = parse_sa_line(w)) {
        (section == "@sa-before" ? out.sas_before : out.sas_after).push_back(std::move(*sa));
      }
    } else if (section == "@echo") {
      EchoCount echo;
      MtuProbe mtu;
      if (w[0] == "echo" && w.size() == 4 && read_number(w[2], echo.sent) && read_number(w[3], echo.replied)) {
        out.echo[w[1]] = echo;
      } else if (w[0] == "mtu" && w.size() == 5 && read_number(w[2], mtu.size) && read_number(w[4], mtu.largest_ok)) {
        mtu.result = sanitize_line(w[3]);
        out.mtu[w[1]] = mtu;
      } else if (out.traffic_error.empty()) {
        out.traffic_error = w[0] == "traffic-error" ? rest_after_words(line, 1) : sanitize_line(util::trim(line));
      }
    } else if (section == "@capture") {
      uint64_t count = 0;
      if (w[0] == "capture-stderr") {
        capture_stderr.push_back(rest_after_words(line, 1));
      } else if (w[0] == "example" && w.size() >= 3) {
        out.wire[w[1]].example = rest_after_words(line, 2);
      } else if ((w[0] == "esp" || w[0] == "clear") && w.size() == 3 && read_number(w[2], count)) {
        (w[0] == "esp" ? out.wire[w[1]].esp : out.wire[w[1]].clear) = count;
      }
    }
  }
  // timeout(1) exits 124 when the window ended the capture, and passes on tcpdump's 0 when
  // it was stopped early with SIGINT; anything else is tcpdump failing.
  out.capture_ran = capture_rc == "0" || capture_rc == "124";
  const auto problem = capture_stderr_problem(capture_stderr);
  if (!out.capture_ran) {
    out.capture_error = !problem.empty()       ? problem
                        : capture_rc == "none" ? "the probe ended before its capture"
                        : capture_rc.empty()   ? "tcpdump did not stop"
                                               : "tcpdump exited with code " + sanitize_line(capture_rc);
  } else if (problem.starts_with("tcpdump dropped")) {
    out.capture_ran = false;
    out.capture_error = problem;
  }
  return out;
}

std::uint64_t
sa_packets_delta(const std::vector<SaCounter>& before, const std::vector<SaCounter>& after, std::string_view dst)
{
  std::map<std::string, std::uint64_t> earlier; // SPI → packets
  for (const auto& sa : before) {
    if (sa.dst == dst) {
      earlier[sa.spi] = sa.packets;
    }
  }
  std::uint64_t delta = 0;
  for (const auto& sa : after) {
    if (sa.dst != dst) {
      continue;
    }
    const auto it = earlier.find(sa.spi);
    const auto base = it == earlier.end() ? 0 : it->second;
    delta += sa.packets >= base ? sa.packets - base : sa.packets; // a counter that went down: a new SA
  }
  return delta;
}

bool
has_sa_to(const std::vector<SaCounter>& sas, std::string_view dst)
{
  for (const auto& sa : sas) {
    if (sa.dst == dst) {
      return true;
    }
  }
  return false;
}

} // namespace ipsec
