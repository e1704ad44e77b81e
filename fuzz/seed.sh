#!/usr/bin/env bash
# Builds the seed corpora for the fuzz targets into DIR/<target>/ (default: build-fuzz/fuzz/corpus)
# from the test data, the test API server's cluster files and a few hand-made inputs. Nothing
# here is committed: the corpora grow while fuzzing and stay in the build directory.
#
# Every target reads its control values (chunk seed, mode) from the END of an input (libFuzzer's
# FuzzedDataProvider), so the seeds below are "<content><control bytes>".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-fuzz/fuzz/corpus}
td=$root/tests/testdata
for t in fuzz_kubeconfig fuzz_tunnels_show fuzz_websocket_exec fuzz_api_json fuzz_csr; do
  mkdir -p "$out/$t"
done

# name, then the content on stdin; control bytes given as printf escapes in $2
seed() {
  local file=$1 tail=${2:-}
  { cat; printf "$tail"; } >"$file"
}

# kubeconfig: the test kubeconfigs as they are (no control bytes).
for f in "$td"/kubeconfig/*.yaml "$td"/kubeconfig/*/*.yaml; do
  [ -f "$f" ] && cp "$f" "$out/fuzz_kubeconfig/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# tunnels/show: captured outputs + a 4-byte chunk seed.
for f in "$td"/tunnels-show/*.txt; do
  seed "$out/fuzz_tunnels_show/$(basename "$f")" '\x2a\x00\x00\x00' <"$f"
done

# WebSocket + exec: the mode byte is last (0 upgrade answer, 1 status JSON, 2/3 frames; bits 2+
# are flags: 4 = v5), the chunk seed before it.
ws=$out/fuzz_websocket_exec
printf 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n\x82\x01\x00' \
  | seed "$ws/upgrade-101" '\x07\x00\x00\x00\x00'
printf 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 97\r\n\r\n{"kind":"Status","apiVersion":"v1","status":"Failure","message":"forbidden","reason":"Forbidden"}' \
  | seed "$ws/upgrade-403" '\x07\x00\x00\x00\x00'
printf 'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' \
  | seed "$ws/upgrade-chunked" '\x07\x00\x00\x00\x00'
printf '{"metadata":{},"status":"Success"}' | seed "$ws/status-success" '\x07\x00\x00\x00\x01'
printf '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}' \
  | seed "$ws/status-exit3" '\x07\x00\x00\x00\x01'
printf '{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing command in container","code":500}' \
  | seed "$ws/status-internal" '\x07\x00\x00\x00\x01'
# Server frames: ready (empty ch 0), stdout "ok\n", stderr "warn", fragmented stdout, ping,
# status Success, v5 close of stdin, then Close 1000.
status='{"metadata":{},"status":"Success"}'
frames="\x82\x01\x00\x82\x04\x01ok\n\x82\x05\x02warn\x02\x03\x01ab\x80\x02cd\x89\x00\x82\x$(printf '%02x' $((${#status} + 1)))\x03${status}\x82\x02\xff\x00\x88\x02\x03\xe8"
printf "$frames" | seed "$ws/frames-v5" '\x07\x00\x00\x00\x06'
printf "$frames" | seed "$ws/frames-v4" '\x07\x00\x00\x00\x02'
printf '\x82\x7e\x00\x05\x01hello\x81\x01x\x88\x05\x03\xe9bye' | seed "$ws/frames-long" '\x07\x00\x00\x00\x4a'

# API JSON: mode byte last (< 64: error body for an HTTP status; else 64+0 pod list, 64+1 pod,
# 64+2 Secret), two bytes of HTTP status before it.
api=$out/fuzz_api_json
podlist='{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"ovs-ovn-abc","namespace":"kube-system","labels":{"app":"ovs"}},"spec":{"nodeName":"kube-ovn-worker","containers":[{"name":"openvswitch"}]},"status":{"phase":"Running","podIP":"172.18.0.2","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"openvswitch","ready":true}]}}]}'
printf '%s' "$podlist" | seed "$api/podlist" '\x00\x00\x40'
printf '%s' "$podlist" | seed "$api/pod-of-list" '\x00\x00\x41'
printf '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ovn-ipsec-ca","namespace":"kube-system","resourceVersion":"7"},"type":"Opaque","data":{"cacert":"LS0tLS1CRUdJTg==","cakey":"a2V5"}}' \
  | seed "$api/secret" '\x00\x00\x42'
printf '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \\"viewer\\" cannot list resource \\"pods\\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}' \
  | seed "$api/status-403" '\x01\x2f\x00'
printf '<html>Bad Gateway</html>' | seed "$api/html-502" '\x01\x92\x00'
printf '{"kind":"Status","status":"Failure","reason":"NotFound","details":{"name":"ovn-ipsec-ca","kind":"secrets"},"code":404}' \
  | seed "$api/status-404" '\x01\x30\x00'
for f in "$root"/tests/apiserver/clusters/*.json; do
  seed "$api/cluster-$(basename "$f")" '\x00\x00\x40' <"$f"
done

# CSRs: PEM text (last byte 0) and DER (last byte 1), made with the openssl command.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for bits in 1024 2048; do
  openssl req -new -newkey "rsa:$bits" -nodes -keyout "$tmp/key" -subj "/C=CN/O=kubeovn/CN=node-1" \
    -out "$tmp/req.pem" 2>/dev/null
  seed "$out/fuzz_csr/rsa$bits.pem" '\x00' <"$tmp/req.pem"
  openssl req -in "$tmp/req.pem" -outform DER -out "$tmp/req.der"
  seed "$out/fuzz_csr/rsa$bits.der" '\x01' <"$tmp/req.der"
done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key" \
  -subj "/CN=node-1" -out "$tmp/req.pem" 2>/dev/null
seed "$out/fuzz_csr/ec-cn-only.pem" '\x00' <"$tmp/req.pem"
for t in "$out"/*/; do
  echo "seeds: $(ls "$t" | wc -l) in $t"
done
