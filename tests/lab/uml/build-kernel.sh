#!/usr/bin/env bash
# Builds the UML lab's own User-Mode Linux kernel (docs/reference/lab.md §14.8) and prints its path.
#
# Debian's user-mode-linux kernel lacks CONFIG_NF_CONNTRACK_ZONES, so the OVS kernel datapath
# cannot run OVN's flows there and the lab falls back to netdev, whose Geneve bypasses xfrm. This
# kernel, compiled from Debian's linux-source-6.1, is the kernel's own minimal UML configuration
# (`make ARCH=um defconfig`, arch/um/configs/x86_64_defconfig) plus, built in, what the guest uses
# (below), conntrack zones included. No module support: nothing to install or load. (Debian's
# UML configuration was the first base tried: with its ~930 modules folded in, or even with only
# its ~780 built-ins — ext4, xfs, btrfs, SELinux, AppArmor, TOMOYO, audit… — the build is several
# times longer on the 2-core machines this runs on.)
# The result is cached outside the checkout, keyed by a hash of its inputs (the changes below,
# the source package's version, this script's configuration lines):
#   $KOI_UML_KERNEL_CACHE (default /var/cache/kubectl-ko-ipsec)/uml-<hash>/linux      the kernel
#                                                               .../uml-<hash>/config     its .config
#                                                               .../uml-<hash>/build.log
#   build-kernel.sh           builds unless cached (as root; nice -n 10 make -j2), prints the path
#   build-kernel.sh --path    prints the path if it is built; exit 1 when not
#   build-kernel.sh --check   exit 0 when the source (linux-source-6.1) is installed
# A failed build keeps its tree in .../build-<hash> and the next run continues it.
set -euo pipefail

CACHE=${KOI_UML_KERNEL_CACHE:-/var/cache/kubectl-ko-ipsec}
SOURCE=/usr/src/linux-source-6.1.tar.xz
SOURCE_PKG=linux-source-6.1
JOBS=${KOI_UML_KERNEL_JOBS:-2}

# Built in (=y) on top of defconfig: the modules guest-init loads from Debian's kernel (veth
# bridge tun xfrm_user esp4 gcm seqiv ghash_generic ctr ipv6, §14.1); namespaces and the file
# systems the guest mounts; the OVS kernel datapath with Geneve; ESP with strongSwan's proposal
# (aes256gcm16) and the usual others; netfilter conntrack as OVN's flows use it (zones, marks,
# labels, nat, both defrags; netlink for dpctl/dump-conntrack).
KERNEL_ENABLE=(
  HOSTFS TMPFS DEVTMPFS UNIX98_PTYS PROC_FS SYSFS MAGIC_SYSRQ MCONSOLE NULL_CHAN UML_RANDOM
  NAMESPACES NET_NS UTS_NS IPC_NS FILE_LOCKING
  NET PACKET UNIX INET IPV6 VETH BRIDGE TUN
  XFRM XFRM_USER XFRM_ALGO XFRM_ESP INET_ESP XFRM_STATISTICS
  CRYPTO_AEAD CRYPTO_GCM CRYPTO_SEQIV CRYPTO_ECHAINIV CRYPTO_GHASH CRYPTO_CTR CRYPTO_AES CRYPTO_AUTHENC
  CRYPTO_CBC CRYPTO_HMAC CRYPTO_SHA1 CRYPTO_SHA256 CRYPTO_SHA512
  NETFILTER NETFILTER_ADVANCED NETFILTER_NETLINK NF_CONNTRACK NF_CONNTRACK_ZONES NF_CONNTRACK_MARK
  NF_CONNTRACK_LABELS NF_CONNTRACK_EVENTS NF_CT_NETLINK NF_NAT NF_DEFRAG_IPV4 NF_DEFRAG_IPV6
  NET_UDP_TUNNEL GENEVE OPENVSWITCH OPENVSWITCH_GENEVE
)
# No modules; no debug information (only slows the build); no sound (defconfig's =m would
# otherwise become =y).
KERNEL_DISABLE=(MODULES DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT DEBUG_INFO_DWARF4 DEBUG_INFO_DWARF5 SOUND)
KERNEL_ENABLE_CHOICE=(DEBUG_INFO_NONE)
LOCALVERSION=-koi # uname -r: 6.1.<n>-koi

die() {
  printf 'build-kernel: %s\n' "$*" >&2
  exit 1
}

# The cache key: everything that decides the kernel, without unpacking the source.
kernel_key() {
  {
    printf 'source %s\nbase defconfig\n' "$(dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null)"
    printf 'enable %s %s\ndisable %s\nlocalversion %s\n' "${KERNEL_ENABLE[*]}" "${KERNEL_ENABLE_CHOICE[*]}" \
      "${KERNEL_DISABLE[*]}" "$LOCALVERSION"
  } | sha256sum | cut -c1-16
}

case ${1:-} in
  --check)
    [ -r "$SOURCE" ]
    exit
    ;;
  --path)
    [ -r "$SOURCE" ] || exit 1
    dir="$CACHE/uml-$(kernel_key)"
    [ -x "$dir/linux" ] || exit 1
    printf '%s/linux\n' "$dir"
    exit 0
    ;;
  '') ;;
  *) die "usage: build-kernel.sh [--path|--check]" ;;
esac

[ -r "$SOURCE" ] || die "no $SOURCE (apt-get install $SOURCE_PKG)"
key=$(kernel_key)
dir="$CACHE/uml-$key"
if [ -x "$dir/linux" ]; then
  printf '%s/linux\n' "$dir"
  exit 0
fi
for tool in make gcc flex bison bc; do
  command -v "$tool" >/dev/null || die "no $tool (apt-get install build-essential flex bison bc)"
done
mkdir -p "$CACHE" || die "cannot create $CACHE (run as root)"
exec 9>"$CACHE/uml-$key.lock"
flock -w 7200 9 || die "another build holds $CACHE/uml-$key.lock"
if [ -x "$dir/linux" ]; then # built by whoever held the lock
  printf '%s/linux\n' "$dir"
  exit 0
fi
build="$CACHE/build-$key"
src="$build/$(basename "$SOURCE" .tar.xz)"
log="$build/build.log"
t0=$(date +%s)
if [ ! -f "$src/Makefile" ]; then
  rm -rf "$build"
  mkdir -p "$build"
  printf 'build-kernel: unpacking %s into %s\n' "$SOURCE" "$build" >&2
  nice -n 10 tar -xJf "$SOURCE" -C "$build"
else
  printf 'build-kernel: continuing the build in %s\n' "$build" >&2
fi
(
  cd "$src"
  make ARCH=um defconfig
  args=()
  for o in "${KERNEL_DISABLE[@]}"; do args+=(--disable "$o"); done
  for o in "${KERNEL_ENABLE[@]}" "${KERNEL_ENABLE_CHOICE[@]}"; do args+=(--enable "$o"); done
  scripts/config "${args[@]}" --set-str LOCALVERSION "$LOCALVERSION" --disable LOCALVERSION_AUTO
  make ARCH=um olddefconfig
) >>"$log" 2>&1 || die "configuring failed (see $log)"
missing=()
for o in "${KERNEL_ENABLE[@]}"; do
  grep -qx "CONFIG_$o=y" "$src/.config" || missing+=("$o")
done
((${#missing[@]} == 0)) || die "the configuration lost CONFIG_${missing[*]} (a dependency is off; see $src/.config)"
printf 'build-kernel: configured in %d s; compiling (nice -n 10 make -j%s, log %s)\n' $(($(date +%s) - t0)) "$JOBS" "$log" >&2
(cd "$src" && nice -n 10 make ARCH=um -j"$JOBS" linux) >>"$log" 2>&1 || {
  tail -n 20 "$log" >&2
  die "make failed (log $log; the next run continues the build)"
}
tmp=$(mktemp -d "$CACHE/uml-tmp.XXXXXX")
chmod 755 "$tmp"
install -m 755 "$src/linux" "$tmp/linux"
strip "$tmp/linux" 2>/dev/null || true
cp "$src/.config" "$tmp/config"
printf 'built in %d s (this run) from %s %s\n' $(($(date +%s) - t0)) "$SOURCE_PKG" \
  "$(dpkg-query -W -f='${Version}' "$SOURCE_PKG")" >>"$log"
cp "$log" "$tmp/build.log"
mv "$tmp" "$dir"
rm -rf "$build"
printf 'build-kernel: built in %d s\n' $(($(date +%s) - t0)) >&2
printf '%s/linux\n' "$dir"
