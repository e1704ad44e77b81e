#!/usr/bin/env bash
# Creates the test PKI for tests/apiserver/server.js in DIR (see README.md for the file list).
# Idempotent: does nothing when DIR/ca.crt exists. Several test processes may race to create the
# same DIR, so everything is built in a private temp dir and renamed into place at the end; the
# loser of the race just discards its copy.
# Dates outside "now" (expired/notyet) need `openssl ca -startdate/-enddate`: OpenSSL 3.0's
# `x509` has no -not_before/-not_after and faketime is not available.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=${1%/}
if [[ -f "$dir/ca.crt" ]]; then
  exit 0
fi
command -v openssl >/dev/null || { echo "gen-pki.sh: openssl not found on PATH" >&2; exit 1; }

mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out"

new_key() { # NAME
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/$1.key" 2>/dev/null
}

new_ca() { # NAME CN
  new_key "$1"
  openssl req -x509 -new -key "$out/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/$1.crt" 2>/dev/null
  # Per-CA state for `openssl ca`: an index and a serial, nothing else.
  mkdir -p "$work/$1.db"
  : >"$work/$1.db/index.txt"
  echo "unique_subject = no" >"$work/$1.db/index.txt.attr"
  openssl rand -hex 16 >"$work/$1.db/serial"
  cat >"$work/$1.cnf" <<EOF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir = $work/$1.db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $out/$1.crt
private_key = $out/$1.key
default_md = sha256
default_days = 3650
policy = any_policy
copy_extensions = none
email_in_dn = no
[ any_policy ]
commonName = supplied
organizationName = optional
EOF
}

# sign CA NAME SUBJECT EXTENSIONS [STARTDATE ENDDATE]  (dates as YYYYMMDDHHMMSSZ)
sign() {
  local ca=$1 name=$2 subj=$3 ext=$4 start=${5:-} end=${6:-}
  new_key "$name"
  openssl req -new -key "$out/$name.key" -subj "$subj" -out "$work/$name.csr" 2>/dev/null
  printf '[ leaf ]\nbasicConstraints = critical,CA:FALSE\n%b\n' "$ext" >"$work/$name.ext"
  local dates=()
  if [[ -n "$start" ]]; then
    dates=(-startdate "$start" -enddate "$end")
  fi
  openssl ca -batch -notext -config "$work/$ca.cnf" -extfile "$work/$name.ext" -extensions leaf \
    "${dates[@]}" -in "$work/$name.csr" -out "$out/$name.crt" 2>"$work/$name.log" ||
    { cat "$work/$name.log" >&2; exit 1; }
}

server_ext='keyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:kubernetes.test,IP:127.0.0.1,IP:::1'
client_ext='keyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = clientAuth'

new_ca ca "koi-test-ca"
sign ca server "/CN=kube-apiserver" "$server_ext"
sign ca expired "/CN=kube-apiserver-expired" "$server_ext" 20200101000000Z 20210101000000Z
sign ca notyet "/CN=kube-apiserver-notyet" "$server_ext" 20400101000000Z 20410101000000Z
sign ca wronghost "/CN=wrong.example" \
  'keyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:wrong.example'
sign ca admin "/O=system:masters/CN=admin" "$client_ext"
sign ca cert-viewer "/CN=cert-viewer" "$client_ext"

new_ca other-ca "koi-other-ca"
sign other-ca other-server "/CN=kube-apiserver-other" "$server_ext"

chmod 600 "$out"/*.key
# Atomic publish; if another process won the race its DIR is complete and ours is dropped.
if ! mv -T "$out" "$dir" 2>/dev/null; then
  [[ -f "$dir/ca.crt" ]] || { echo "gen-pki.sh: cannot create $dir" >&2; exit 1; }
fi
