#!/usr/bin/env bash
# The release test (issue 22): each archive plugin/build-release.sh made, unpacked into fresh
# Debian 11 and Debian 13 roots (debootstrap --variant=minbase: no OpenSSL, no CA bundle, no
# libstdc++ beyond what apt needs), runs `version`, `config view` and `tunnels` against the test
# API server (tests/apiserver, canned demo cluster) on loopback; the arm64 binary under
# qemu-user-static. Needs root (chroot), debootstrap, node and, for arm64, qemu-user-static.
#   plugin/release-test.sh [--dist DIR] [--suites "bullseye trixie"] [--unit-tests]
# --dist        the archives and ko-ipsec.yaml (default dist/, from plugin/build-release.sh)
# --suites      Debian suites to test in (default: bullseye trixie)
# --unit-tests  also build the arm64 unit tests (build-release/arm64) and run them under qemu
# The roots are made once and kept in /var/cache/kubectl-ko-ipsec/roots (KOI_ROOTS_DIR); each
# run works on a copy of them.
#
# What the roots prove besides "it starts": the kubeconfig names the API server by a name only
# /etc/hosts knows, while nsswitch.conf lists a module the root does not have (a dynamically
# linked glibc program cannot resolve it; the release binary looks in /etc/hosts and DNS itself);
# and a second kubeconfig has no certificate-authority, the test CA sitting where Fedora keeps
# the system bundle (/etc/pki/tls/certs/ca-bundle.crt), which OpenSSL's compiled-in paths miss.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dist=$here/dist
suites="bullseye trixie"
unit_tests=0
roots=${KOI_ROOTS_DIR:-/var/cache/kubectl-ko-ipsec/roots}
while [ $# -gt 0 ]; do
  case $1 in
    --dist) dist=${2:?}; shift 2 ;;
    --suites) suites=${2:?}; shift 2 ;;
    --unit-tests) unit_tests=1; shift ;;
    -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "release-test: unknown argument $1" >&2; exit 2 ;;
  esac
done
fail() { echo "release-test: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (chroot into the Debian roots)"
command -v debootstrap >/dev/null || fail "no debootstrap (plugin/release-deps.sh --install)"
command -v node >/dev/null || fail "no node (the test API server; .ci/install-deps)"
shopt -s nullglob
archives=("$dist"/kubectl-ko-ipsec_v*_linux_*.tar.gz)
((${#archives[@]})) || fail "no archives in $dist (run plugin/build-release.sh)"

work=$(mktemp -d /tmp/koi-release-test.XXXXXX)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root_of() { # SUITE -> a cached minbase root, made on first use
  local suite=$1 dir=$roots/$1
  if [ ! -x "$dir/bin/sh" ]; then
    echo "release-test: debootstrap --variant=minbase $suite (once, into $dir)" >&2
    mkdir -p "$roots"
    rm -rf "$dir.tmp"
    local mirror=http://deb.debian.org/debian
    # Suites past their support move to the archive.
    debootstrap --variant=minbase "$suite" "$dir.tmp" "$mirror" >"$roots/$suite.log" 2>&1 ||
      { rm -rf "$dir.tmp"; debootstrap --variant=minbase --no-check-gpg "$suite" "$dir.tmp" \
          http://archive.debian.org/debian >"$roots/$suite.log" 2>&1; } ||
      fail "debootstrap $suite failed; see $roots/$suite.log"
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# The test API server with the canned demo cluster, on loopback (a chroot shares the network).
bash "$here/tests/apiserver/gen-pki.sh" "$work/pki"
cluster=$here/tests/apiserver/clusters/demo.json
sleep infinity | node "$here/tests/apiserver/server.js" --cluster "$cluster" --pki "$work/pki" --port 0 \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$(jobs -p | tail -n 1)
for _ in $(seq 100); do
  grep -q '^LISTENING' "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
port=$(awk '/^LISTENING/ {print $2}' "$work/server.out")
[ -n "$port" ] || fail "the test API server did not start; see $work/server.log"
token=$(node -e 'const c=require(process.argv[1]); console.log(c.users.find(u => u.name === "admin").token)' "$cluster")
kubeconfig() { # CA-LINE
  cat <<YAML
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: https://kubernetes.test:$port
$1
users:
- name: demo-admin
  user:
    token: $token
contexts:
- name: demo
  context: {cluster: demo, user: demo-admin, namespace: default}
current-context: demo
YAML
}

failures=0
check() { # NAME EXPECTED-SUBSTRING OUTPUT-FILE RC
  if [ "$4" != 0 ] || ! grep -qF -- "$2" "$3"; then
    echo "FAIL $1 (exit $4; expected \"$2\"):" >&2
    sed 's/^/    /' "$3" >&2
    failures=$((failures + 1))
  else
    echo "ok   $1"
  fi
}

for suite in $suites; do
  base=$(root_of "$suite")
  root=$work/root-$suite
  cp -a "$base" "$root"
  mkdir -p "$root/koi" "$root/etc/pki/tls/certs"
  echo "127.0.0.1 kubernetes.test" >>"$root/etc/hosts"
  # A host lookup order this root cannot follow: no such module exists here.
  sed -i 's/^hosts:.*/hosts: mdns4_minimal [NOTFOUND=return]/' "$root/etc/nsswitch.conf"
  rm -rf "$root/etc/ssl/certs"
  cp "$work/pki/ca.crt" "$root/koi/ca.crt"
  cp "$work/pki/ca.crt" "$root/etc/pki/tls/certs/ca-bundle.crt"
  kubeconfig "    certificate-authority: /koi/ca.crt" >"$root/koi/kubeconfig"
  kubeconfig "" >"$root/koi/kubeconfig-system-ca"
  # The root's own glibc cannot resolve the name: the tunnels checks below really test the binary's lookup.
  if chroot "$root" getent hosts kubernetes.test >/dev/null 2>&1; then
    fail "$suite: getent resolves kubernetes.test despite nsswitch.conf; the name service check would prove nothing"
  fi
  glibc=$(chroot "$root" /usr/bin/ldd --version 2>/dev/null | head -n 1 | awk '{print $NF}')
  echo "== Debian $(cat "$root/etc/debian_version") ($suite, glibc $glibc)"
  for archive in "${archives[@]}"; do
    name=$(basename "$archive" .tar.gz)
    arch=${name##*_}
    dir=$root/koi/$arch
    mkdir -p "$dir"
    tar -C "$dir" -xzf "$archive"
    runner=()
    if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
      command -v qemu-aarch64-static >/dev/null || fail "no qemu-aarch64-static for the arm64 archive"
      cp "$(command -v qemu-aarch64-static)" "$root/koi/qemu-aarch64-static"
      runner=(/koi/qemu-aarch64-static)
    fi
    run() { # KUBECONFIG ARGS... -> output in $work/out, exit code in $rc
      rc=0
      chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin KUBECONFIG="$1" \
        "${runner[@]}" "/koi/$arch/kubectl-ko-ipsec" "${@:2}" >"$work/out" 2>&1 || rc=$?
    }
    if [ "$arch" = "$(dpkg --print-architecture)" ]; then
      rc=0
      ldd "$dir/kubectl-ko-ipsec" >"$work/out" 2>&1 || rc=$?
      if grep -qE 'not a dynamic executable|statically linked' "$work/out"; then rc=0; else rc=1; fi
      check "$suite $arch: ldd: no shared libraries" "" "$work/out" "$rc"
    fi
    version=${name#kubectl-ko-ipsec_v}
    run /koi/kubeconfig version
    check "$suite $arch: version" "kubectl-ko-ipsec ${version%_linux_*}" "$work/out" "$rc"
    run /koi/kubeconfig config view
    check "$suite $arch: config view" "server: https://kubernetes.test:$port" "$work/out" "$rc"
    run /koi/kubeconfig tunnels
    check "$suite $arch: tunnels (name from /etc/hosts, CA from the kubeconfig)" "kube-ovn-worker" "$work/out" "$rc"
    run /koi/kubeconfig-system-ca tunnels
    check "$suite $arch: tunnels (CA from /etc/pki/tls/certs/ca-bundle.crt)" "kube-ovn-worker" "$work/out" "$rc"
  done
done

if [ "$unit_tests" = 1 ]; then
  build=$here/build-release/arm64
  [ -f "$build/CMakeCache.txt" ] || fail "no $build: run plugin/build-release.sh first"
  echo "== arm64 unit tests under qemu-aarch64-static ($build)"
  cmake --build "$build" --target ko_ipsec_tests 2>&1 | grep -v -e 'in statically linked applications requires at runtime' -e ': in function `' | tail -n 3
  rc=0
  qemu-aarch64-static "$build/tests/ko_ipsec_tests" --test-suite-exclude='integration*' >"$work/out" 2>&1 || rc=$?
  check "arm64 unit tests" "Status: SUCCESS!" "$work/out" "$rc"
  grep -E '^\[doctest\] (test cases|assertions)' "$work/out" || true
fi

if ((failures)); then
  fail "$failures check(s) failed"
fi
echo "release-test: all passed"
