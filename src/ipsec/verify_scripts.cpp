// The programs `verify` runs in a node's pod (see verify_probe.hpp). POSIX sh, awk (mawk or
// gawk) and python3 as Kube-OVN's image has them; every step under coreutils `timeout`.
#include "ipsec/verify_probe.hpp"

#include <fmt/format.h>

namespace ipsec {

// `ip -s xfrm state` → one line per ESP SA: "sa SRC DST SPI BYTES PACKETS". Larval entries
// (SPI 0: a pending ACQUIRE, no keys) are left out; key lines are never printed.
const std::string_view k_sa_summary_awk = R"awk(
/^src / { src = $2; dst = $4; spi = ""; cur = 0; next }
$1 == "proto" { spi = ""; for (i = 1; i < NF; i++) if ($i == "spi") spi = $(i + 1); sub(/\(.*/, "", spi); next }
/lifetime current:/ { cur = 1; next }
cur == 1 {
  b = $1; p = $2; sub(/\(.*/, "", b); sub(/\(.*/, "", p); cur = 0
  if (spi != "" && spi !~ /^0x0+$/) print "sa", src, dst, spi, b, p
}
)awk";

// tcpdump -nn -t lines → per destination: "esp DST N" (ESP, also in UDP 4500), "clear DST N"
// (Geneve, UDP 6081, in the clear) and "example DST LINE" (the first cleartext packet), judged
// by the outer header only: Geneve carrying a pod's own ESP is still cleartext. A busy node's
// capture stays in the pod; only these lines come back.
const std::string_view k_capture_summary_awk = R"awk(
{
  d = ""
  for (i = 1; i < NF; i++) if ($i == ">") { d = $(i + 1); k = $(i + 2); k2 = $(i + 3); break }
  if (d == "") next
  sub(/:$/, "", d); port = ""
  if (d ~ /:/) { if (d ~ /\.[0-9]+$/) { port = d; sub(/.*\./, "", port); sub(/\.[0-9]+$/, "", d) } }
  else if (split(d, a, ".") == 5) { port = a[5]; d = a[1] "." a[2] "." a[3] "." a[4] }
  if (k ~ /^ESP\(/ || (k == "UDP-encap:" && k2 ~ /^ESP\(/)) esp[d]++
  else if (port == "6081") { clear[d]++; if (!(d in ex)) ex[d] = substr($0, 1, 240) }
}
END {
  for (d in esp) print "esp", d, esp[d]
  for (d in clear) print "clear", d, clear[d]
  for (d in ex) print "example", d, ex[d]
}
)awk";

// argv: WINDOW_SECONDS MTU PEER_OVN0_IP…  ICMP echoes (84 bytes, every 0.2 s) to every peer for
// the window, then one DF echo of MTU bytes each; for a reachable peer that does not answer it,
// a bisection (7 steps) finds the largest size that does. Raw ICMP socket: the node pods are
// privileged; IP_MTU_DISCOVER=IP_PMTUDISC_DO sets DF and forbids local fragmentation.
const std::string_view k_echo_python = R"py(
import errno, os, select, socket, struct, sys, time
win = float(sys.argv[1]); mtu = int(sys.argv[2]); peers = sys.argv[3:]
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, 10, 2)
except OSError as e:
    print("traffic-error cannot open an ICMP socket: %s" % e)
    sys.exit(0)
ident = os.getpid() & 0xFFFF
got = set()

def checksum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF)
    t += t >> 16
    return ~t & 0xFFFF

def send(ip, seq, size):
    body = b"k" * max(0, size - 28)
    head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    head = struct.pack("!BBHHH", 8, 0, checksum(head + body), ident, seq)
    try:
        s.sendto(head + body, (ip, 0))
        return ""
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def collect(until):
    while True:
        left = until - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return
        d = s.recv(65535)
        h = (d[0] & 15) * 4
        if len(d) >= h + 8:
            t, _, _, i, q = struct.unpack("!BBHHH", d[h:h + 8])
            if t == 0 and i == ident:
                got.add((socket.inet_ntoa(d[12:16]), q))

sent = dict((ip, 0) for ip in peers)
n = 0
end = time.time() + win
while n < 1000:
    for ip in peers:
        if not send(ip, n, 84):
            sent[ip] += 1
    n += 1
    collect(min(end, time.time() + 0.2))
    if time.time() >= end:
        break
collect(time.time() + 0.3)
replied = dict((ip, sum(1 for q in range(n) if (ip, q) in got)) for ip in peers)
for ip in peers:
    print("echo", ip, sent[ip], replied[ip])
sys.stdout.flush()

def probe(sizes, seq, wait):
    errs = {}
    for ip, size in sizes.items():
        e = send(ip, seq, size)
        if e:
            errs[ip] = e
    collect(time.time() + wait)
    return dict((ip, errs.get(ip) or ("ok" if (ip, seq) in got else "lost")) for ip in sizes)

first = probe(dict((ip, mtu) for ip in peers), 10000, 1.0)
best = dict((ip, mtu if first[ip] == "ok" else (84 if replied[ip] else 0)) for ip in peers)
todo = [ip for ip in peers if first[ip] != "ok" and replied[ip]]
lo = dict((ip, 84) for ip in todo)
hi = dict((ip, mtu) for ip in todo)
for k in range(7):
    if not todo:
        break
    mids = dict((ip, (lo[ip] + hi[ip]) // 2) for ip in todo)
    res = probe(mids, 10001 + k, 0.5)
    for ip in todo:
        if res[ip] == "ok":
            lo[ip] = mids[ip]
            best[ip] = max(best[ip], mids[ip])
        else:
            hi[ip] = mids[ip]
    todo = [ip for ip in todo if hi[ip] - lo[ip] > 8]
for ip in peers:
    print("mtu", ip, mtu, first[ip], best[ip])
)py";

namespace {

// argv after `sh -c SCRIPT koi-verify`: SA_AWK CAPTURE_AWK PYTHON WINDOW LIMIT MTU PEER…
// The capture runs under `timeout -s INT` (tcpdump stops cleanly, printing its counters) and is
// stopped early through that timeout's PID once the traffic is done; the EXIT trap stops it too.
constexpr std::string_view k_probe_script = R"sh(set -u
sa_awk=$1 cap_awk=$2 py=$3 win=$4 lim=$5 mtu=$6
shift 6
for t in ip tcpdump python3 timeout awk grep mktemp; do
  command -v "$t" >/dev/null 2>&1 || { echo "missing $t"; exit 0; }
done
d=$(mktemp -d) || exit 1
trap 'if [ -s "$d/pid" ]; then kill -INT "$(cat "$d/pid")" 2>/dev/null; fi; rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM
sas() { timeout 10 ip -s xfrm state list proto esp >"$d/x" 2>&1; echo "sa-rc $?"; awk "$sa_awk" "$d/x"; }
echo "@sa-before"; sas
( timeout -s INT -k 2 "$lim" tcpdump -i any -nn -t -l 'esp or udp dst port 6081 or udp port 4500' 2>"$d/err" &
  echo $! >"$d/pid"; wait $!; echo $? >"$d/rc" ) | awk "$cap_awk" >"$d/sum" &
i=0
while [ "$i" -lt 50 ] && [ ! -e "$d/rc" ] && ! grep -q 'listening on' "$d/err" 2>/dev/null; do
  sleep 0.1; i=$((i + 1))
done
echo "@echo"
if grep -q 'listening on' "$d/err" 2>/dev/null; then
  timeout "$lim" python3 -c "$py" "$win" "$mtu" "$@" 2>&1 | head -c 4000000
fi
sleep 0.3
if [ -s "$d/pid" ]; then kill -INT "$(cat "$d/pid")" 2>/dev/null; fi
wait
rm -f "$d/pid"
echo "@capture $(cat "$d/rc" 2>/dev/null)"
cat "$d/sum"
head -c 4000 "$d/err" | sed 's/^/capture-stderr /'
echo "@sa-after"; sas
echo "@done"
)sh";

constexpr std::string_view k_facts_script = R"sh(
echo "encap-ip $(timeout 10 ovs-vsctl --timeout=5 get Open_vSwitch . external_ids:ovn-encap-ip 2>/dev/null)"
echo "ovn0 $(ip -o -4 addr show dev ovn0 2>/dev/null | head -n 1)"
echo "mtu $(cat /sys/class/net/ovn0/mtu 2>/dev/null)"
for t in ip tcpdump python3 timeout awk grep mktemp; do
  command -v "$t" >/dev/null 2>&1 || echo "missing $t"
done
)sh";

} // namespace

std::vector<std::string>
verify_facts_command()
{
  return {"sh", "-c", std::string(k_facts_script), "koi-verify-facts"};
}

std::chrono::milliseconds
probe_time_limit(std::chrono::milliseconds window)
{
  // SA reads (10 s each at worst, normally milliseconds), capture start (5 s), the window,
  // the MTU probe and bisection (1 + 7 × 0.5 s), stop and drain.
  return window + std::chrono::seconds(35);
}

std::vector<std::string>
verify_probe_command(std::chrono::milliseconds window, int mtu, const std::vector<std::string>& peer_ovn0_ips)
{
  const auto window_s = fmt::format("{:.1f}", static_cast<double>(window.count()) / 1000.0);
  // The capture's own bound: the window plus the MTU probe, start and stop.
  const auto limit_s = std::to_string(window.count() / 1000 + 15);
  std::vector<std::string> argv{"sh",
                                "-c",
                                std::string(k_probe_script),
                                "koi-verify",
                                std::string(k_sa_summary_awk),
                                std::string(k_capture_summary_awk),
                                std::string(k_echo_python),
                                window_s,
                                limit_s,
                                std::to_string(mtu)};
  argv.insert(argv.end(), peer_ovn0_ips.begin(), peer_ovn0_ips.end());
  return argv;
}

} // namespace ipsec
