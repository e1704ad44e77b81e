#!/usr/bin/env bash
# What the static release build (plugin/build-release.sh) needs beyond the developer build.
#   plugin/release-deps.sh --install              as root: the cross toolchain, qemu-user-static,
#                                                 debootstrap, and the :arm64 -dev packages
#   plugin/release-deps.sh --arch ARCH --prefix DIR [--sources DIR]
#                                                 fmt, yaml-cpp and cpp-httplib as static archives for ARCH
#                                                 (amd64 or arm64) in DIR/{include,lib}
# Debian 12 ships libssl.a, libcrypto.a, libz.a and libbrotli*.a in -dev packages that install
# for both architectures side by side, but fmt and cpp-httplib only as shared libraries and
# libyaml-cpp-dev for one architecture at a time. Those three are built here from their
# Debian source packages, at the version of the installed -dev package (so the headers the
# developer build uses and the release archives agree), with Debian's patches applied, fetched
# by apt from deb-src entries kept in the sources directory (the machine's apt configuration is
# not changed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
arch=""
prefix=""
sources=$here/build-release/source-packages
install=0
while [ $# -gt 0 ]; do
  case $1 in
    --install) install=1; shift ;;
    --arch) arch=${2:?--arch needs amd64 or arm64}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --sources) sources=${2:?--sources needs a directory}; shift 2 ;;
    *) echo "release-deps: unknown argument $1" >&2; exit 2 ;;
  esac
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [ "$install" = 1 ]; then
  host=(g++-aarch64-linux-gnu qemu-user-static debootstrap dpkg-dev python3 file
    libssl-dev libyaml-cpp-dev zlib1g-dev libbrotli-dev libfmt-dev libcpp-httplib-dev)
  # libyaml-cpp-dev is not Multi-Arch: same (its :arm64 would replace the developer build's), so
  # yaml-cpp is built from source like fmt and cpp-httplib.
  arm64=(libssl-dev:arm64 zlib1g-dev:arm64 libbrotli-dev:arm64)
  missing=()
  for p in "${host[@]}" "${arm64[@]}"; do
    installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" != 0 ]; then
      echo "release-deps: these packages are missing and installing them needs root: ${missing[*]}" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
      echo "release-deps: dpkg --add-architecture arm64"
      dpkg --add-architecture arm64
    fi
    echo "release-deps: apt-get install ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  exit 0
fi

case $arch in
  amd64) triplet=x86_64-linux-gnu; cxx=g++; toolchain=() ;;
  arm64) triplet=aarch64-linux-gnu; cxx=aarch64-linux-gnu-g++
         toolchain=(-DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchains/aarch64-linux-gnu.cmake") ;;
  *) echo "release-deps: --arch must be amd64 or arm64" >&2; exit 2 ;;
esac
[ -n "$prefix" ] || { echo "release-deps: --prefix is required" >&2; exit 2; }
command -v "$cxx" >/dev/null || { echo "release-deps: no $cxx (run plugin/release-deps.sh --install as root)" >&2; exit 1; }

# The source package and version of an installed binary package.
source_of() { dpkg-query -W -f='${source:Package}=${source:Version}' "$1"; }
fmt_src=$(source_of libfmt-dev)
httplib_src=$(source_of libcpp-httplib-dev)
yaml_src=$(source_of libyaml-cpp-dev)
stamp="$fmt_src $httplib_src $yaml_src $arch"
if [ -f "$prefix/.stamp" ] && [ "$(cat "$prefix/.stamp")" = "$stamp" ]; then
  exit 0
fi

# apt with its own lists: deb-src entries for the suites the machine's deb entries use.
fetch_sources() {
  local apt_dir=$sources/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?}")
  cat >"$apt_dir/sources.list" <<EOF
deb-src http://deb.debian.org/debian $codename main
deb-src http://deb.debian.org/debian $codename-updates main
deb-src http://deb.debian.org/debian-security $codename-security main
EOF
  local opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
  apt-get -qq "${opts[@]}" update
  (cd "$sources" && apt-get -qq "${opts[@]}" source "$fmt_src" "$httplib_src" "$yaml_src" >/dev/null)
}
fmt_dir=$sources/fmtlib-${fmt_src#*=}
httplib_dir=$sources/cpp-httplib-${httplib_src#*=}
yaml_dir=$sources/yaml-cpp-${yaml_src#*=}
# Unpacked directories drop the Debian revision: fmtlib-9.1.0+ds1, cpp-httplib-0.11.4+ds.
fmt_dir=${fmt_dir%-*}
httplib_dir=${httplib_dir%-*}
yaml_dir=${yaml_dir%-*}
mkdir -p "$sources"
if [ ! -d "$fmt_dir" ] || [ ! -d "$httplib_dir" ] || [ ! -d "$yaml_dir" ]; then
  echo "release-deps: apt-get source $fmt_src $httplib_src $yaml_src"
  fetch_sources
fi

rm -rf "$prefix"
mkdir -p "$prefix/include" "$prefix/lib"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "release-deps: fmt ($fmt_src) for $arch"
cmake -S "$fmt_dir" -B "$work/fmt" -G Ninja "${toolchain[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DFMT_DOC=OFF -DFMT_TEST=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$work/fmt" >/dev/null
cmake --install "$work/fmt" >/dev/null

echo "release-deps: yaml-cpp ($yaml_src) for $arch"
cmake -S "$yaml_dir" -B "$work/yaml-cpp" -G Ninja "${toolchain[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DYAML_BUILD_SHARED_LIBS=OFF -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF \
  -DYAML_CPP_BUILD_CONTRIB=OFF -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$work/yaml-cpp" >/dev/null
cmake --install "$work/yaml-cpp" >/dev/null

# As Debian's build does (meson -Dcpp-httplib_compile=true): split.py makes httplib.h and
# httplib.cc; the .cc is compiled with the feature defines Debian's cpp-httplib.pc carries.
echo "release-deps: cpp-httplib ($httplib_src) for $arch"
python3 "$httplib_dir/split.py" --out "$work/httplib" >/dev/null
"$cxx" -std=c++11 -O2 -DCPPHTTPLIB_OPENSSL_SUPPORT -DCPPHTTPLIB_ZLIB_SUPPORT -DCPPHTTPLIB_BROTLI_SUPPORT \
  -I"$work/httplib" -c "$work/httplib/httplib.cc" -o "$work/httplib/httplib.o"
"${triplet}-ar" rcs "$prefix/lib/libcpp-httplib.a" "$work/httplib/httplib.o"
cp "$work/httplib/httplib.h" "$prefix/include/httplib.h"
echo "$stamp" >"$prefix/.stamp"
