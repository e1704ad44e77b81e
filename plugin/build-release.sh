#!/usr/bin/env bash
# Builds the release: one fully static kubectl-ko-ipsec per platform (linux/amd64, linux/arm64),
# each in its archive, and one krew manifest listing both with their sha256.
#   plugin/build-release.sh [--arch amd64|arm64|all] [--out DIR] [--base-url URL] [--update-manifest]
#   plugin/build-release.sh --binary PATH [--arch ARCH] [--out DIR] ...
# --arch       the platforms to build (default all)
# --binary     package this already built kubectl-ko-ipsec as ARCH (default: this machine's)
#              instead of building; the tests use it to check packaging in seconds
# --out        where the archives and ko-ipsec.yaml go (default dist/)
# --base-url   release download URL; an archive is at URL/<version>/<archive>
# --update-manifest  also write the filled manifest back to krew-manifest.yaml
# The static build needs plugin/release-deps.sh --install (as root) once: the cross toolchain,
# qemu-user-static and the :arm64 -dev packages. fmt, yaml-cpp and cpp-httplib are built from
# their Debian source packages into build-release/deps-<arch>; the release builds themselves are
# in build-release/<arch>. plugin/release-test.sh runs the archives in fresh Debian roots.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
binary=""
arches=""
out=$here/dist
base_url=https://github.com/kubeovn/kubectl-ko-ipsec/releases/download
update=0
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arches=${2:?--arch needs amd64, arm64 or all}; shift 2 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-url) base_url=$2; shift 2 ;;
    --update-manifest) update=1; shift ;;
    *) echo "build-release: unknown argument $1" >&2; exit 2 ;;
  esac
done

host_arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
case $host_arch in x86_64) host_arch=amd64 ;; aarch64) host_arch=arm64 ;; esac
if [ -n "$binary" ]; then
  arches=${arches:-$host_arch}
  if [ "$arches" = all ]; then
    echo "build-release: --binary packages one binary; give its --arch (amd64 or arm64)" >&2
    exit 2
  fi
else
  arches=${arches:-all}
fi
[ "$arches" = all ] && arches="amd64 arm64"
for arch in $arches; do
  case $arch in amd64 | arm64) ;; *) echo "build-release: unknown architecture $arch (amd64 or arm64)" >&2; exit 2 ;; esac
done

triplet_of() { [ "$1" = amd64 ] && echo x86_64-linux-gnu || echo aarch64-linux-gnu; }
# How this machine runs a binary of ARCH: directly, or under qemu-user-static.
emulator_for() {
  if [ "$1" = "$host_arch" ]; then
    echo ""
  elif command -v "qemu-$(triplet_of "$1" | cut -d- -f1)-static" >/dev/null; then
    echo "qemu-$(triplet_of "$1" | cut -d- -f1)-static"
  else
    echo "build-release: cannot run the $1 binary here: no qemu-user-static (plugin/release-deps.sh --install)" >&2
    return 1
  fi
}

build_static() { # ARCH -> prints the binary's path
  local arch=$1 deps=$here/build-release/deps-$1 dir=$here/build-release/$1 toolchain=()
  [ "$arch" = arm64 ] && toolchain=(-DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchains/aarch64-linux-gnu.cmake")
  bash "$here/plugin/release-deps.sh" --arch "$arch" --prefix "$deps" --sources "$here/build-release/source-packages" >&2
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$dir" -G Ninja "${toolchain[@]}" -DCMAKE_BUILD_TYPE=Release -DKOI_STATIC=ON \
      -DKOI_RELEASE_DEPS="$deps" -DKOI_BENCH=OFF -DKOI_WERROR=ON >&2
  fi
  echo "build-release: building linux/$arch in $dir" >&2
  # The static link warns that getaddrinfo and dlopen would need the build machine's glibc at
  # run time: the binary never loads NSS modules or OpenSSL engines (src/kube/process_setup.hpp).
  cmake --build "$dir" --target kubectl-ko-ipsec 2>&1 | grep -v -e 'in statically linked applications requires at runtime' -e ': in function `' >&2
  echo "$dir/src/kubectl-ko-ipsec"
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
version=""
declare -A archive_of sha_of
for arch in $arches; do
  bin=$binary
  [ -n "$bin" ] || bin=$(build_static "$arch")
  emulator=$(emulator_for "$arch")
  v=v$(${emulator:+"$emulator"} "$bin" version -o json | sed -n 's/^  "version": "\(.*\)",$/\1/p')
  if ! [[ $v =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    echo "build-release: cannot read the version from $bin (got \"$v\")" >&2
    exit 1
  fi
  if [ -n "$version" ] && [ "$v" != "$version" ]; then
    echo "build-release: the $arch binary says $v, the others $version" >&2
    exit 1
  fi
  version=$v

  dir=$stage/$arch
  mkdir -p "$dir"
  install -m 0755 "$bin" "$dir/kubectl-ko-ipsec"
  strip_tool=$(triplet_of "$arch")-strip
  if ! command -v "$strip_tool" >/dev/null; then
    strip_tool=""
    [ "$arch" != "$host_arch" ] || ! command -v strip >/dev/null || strip_tool=strip
  fi
  if [ -n "$strip_tool" ]; then
    "$strip_tool" "$dir/kubectl-ko-ipsec"
  fi
  cp "$here/LICENSE" "$here/README.md" "$dir/"
  install -m 0755 "$here/plugin/install.sh" "$dir/install.sh"
  KOI_EMULATOR=$emulator bash "$here/plugin/generate.sh" "$dir/kubectl-ko-ipsec" "$dir/completions" "$dir/kubectl-ko-ipsec.1"

  archive=kubectl-ko-ipsec_${version}_linux_${arch}.tar.gz
  # Fixed owner, order and times: the same inputs give the same archive.
  tar -C "$dir" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -cf - \
    kubectl-ko-ipsec LICENSE README.md install.sh kubectl-ko-ipsec.1 completions | gzip -n >"$out/$archive"
  archive_of[$arch]=$archive
  sha_of[$arch]=$(sha256sum "$out/$archive" | cut -d' ' -f1)
done
if [ -z "$binary" ] || [ "$arches" != "amd64 arm64" ]; then
  for arch in amd64 arm64; do
    [ -n "${archive_of[$arch]:-}" ] || echo "build-release: linux/$arch not built (--arch $arches${binary:+, --binary})" >&2
  done
fi

# The manifest: krew-manifest.yaml up to its platforms, then one platform per archive. The
# sha256 is quoted: an all-digit one would otherwise be read as a number.
{
  sed -n '1,/^  platforms:$/p' "$here/krew-manifest.yaml" | sed -e "s|^  version: .*|  version: $version|"
  for arch in amd64 arm64; do
    [ -n "${archive_of[$arch]:-}" ] || continue
    cat <<EOF
  - selector:
      matchLabels:
        os: linux
        arch: $arch
    uri: $base_url/$version/${archive_of[$arch]}
    sha256: "${sha_of[$arch]}"
    files:
    - from: kubectl-ko-ipsec
      to: .
    - from: LICENSE
      to: .
    - from: kubectl-ko-ipsec.1
      to: .
    - from: completions/*
      to: completions
    bin: kubectl-ko-ipsec
EOF
  done
} >"$out/ko-ipsec.yaml"
if [ "$update" = 1 ]; then
  cp "$out/ko-ipsec.yaml" "$here/krew-manifest.yaml"
fi
for arch in amd64 arm64; do
  [ -z "${archive_of[$arch]:-}" ] || echo "$out/${archive_of[$arch]}"
done
echo "$out/ko-ipsec.yaml"
