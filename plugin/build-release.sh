#!/usr/bin/env bash
# Builds the release archive (linux/amd64) that krew and a plain copy install from, and writes
# the krew manifest for it with version, uri and sha256 filled in.
#   plugin/build-release.sh [--binary PATH] [--out DIR] [--base-url URL] [--update-manifest]
# --binary     use this built kubectl-ko-ipsec instead of building build-release/ (Release)
# --out        where the archive and ko-ipsec.yaml go (default dist/)
# --base-url   release download URL; the archive is at URL/<version>/<archive>
# --update-manifest  also write the filled manifest back to krew-manifest.yaml
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
binary=""
out=$here/dist
base_url=https://github.com/kubeovn/kubectl-ko-ipsec/releases/download
update=0
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-url) base_url=$2; shift 2 ;;
    --update-manifest) update=1; shift ;;
    *) echo "build-release: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -z "$binary" ]; then
  cmake -S "$here" -B "$here/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$here/build-release" --target kubectl-ko-ipsec
  binary=$here/build-release/src/kubectl-ko-ipsec
fi
version=v$("$binary" version -o json | sed -n 's/^  "version": "\(.*\)",$/\1/p')
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  echo "build-release: cannot read the version from $binary (got \"$version\")" >&2
  exit 1
fi

# Only the host's architecture is built; krew lists one platform per archive made.
if command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  echo "build-release: linux/arm64 not built: the cross build (arm64 -dev libraries) is not set up" >&2
else
  echo "build-release: linux/arm64 skipped: no aarch64-linux-gnu-g++ cross toolchain installed" >&2
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$binary" "$stage/kubectl-ko-ipsec"
if command -v strip >/dev/null 2>&1; then
  strip "$stage/kubectl-ko-ipsec"
fi
cp "$here/LICENSE" "$here/README.md" "$stage/"
install -m 0755 "$here/plugin/install.sh" "$stage/install.sh"
bash "$here/plugin/generate.sh" "$stage/kubectl-ko-ipsec" "$stage/completions" "$stage/kubectl-ko-ipsec.1"

mkdir -p "$out"
archive=kubectl-ko-ipsec_${version}_linux_amd64.tar.gz
# Fixed owner, order and times: the same inputs give the same archive.
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name --mtime=@0 -czf "$out/$archive" \
  kubectl-ko-ipsec LICENSE README.md install.sh kubectl-ko-ipsec.1 completions
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)

sed -e "s|^  version: .*|  version: $version|" \
    -e "s|^    uri: .*|    uri: $base_url/$version/$archive|" \
    -e "s|^    sha256: .*|    sha256: $sha|" \
    "$here/krew-manifest.yaml" >"$out/ko-ipsec.yaml"
if [ "$update" = 1 ]; then
  cp "$out/ko-ipsec.yaml" "$here/krew-manifest.yaml"
fi
echo "$out/$archive"
echo "$out/ko-ipsec.yaml"
