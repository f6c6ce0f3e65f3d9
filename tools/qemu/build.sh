#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the vDSA project's QEMU: Debian's qemu source package, pinned,
# plus our changes kept beside this script:
#   patches/*.patch   changes to existing QEMU files, applied in name order;
#   src/...           new files, copied to the same path in the QEMU tree.
#
# Only what the emulated machine needs is configured: x86_64 system
# emulation under TCG, q35, intel-iommu, PCIe root ports, virtio-9p, and
# the devices listed in src/configs/devices/x86_64-softmmu/vdsa.mak.
#
# Idempotent and incremental: the source is fetched and unpacked once; when
# a patch or a new file changes, only the files whose contents change are
# rewritten in the build tree, so ninja rebuilds just what depends on them.
# The result is $VDSA_CACHE/qemu/current/qemu-system-x86_64, which finds
# SeaBIOS and the option ROMs in Debian's firmware directories by itself.
#
# Environment:
#   VDSA_CACHE   cache directory (default ~/.cache/vdsa)
#   JOBS         parallel build jobs (default: nproc)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

: "${VDSA_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/vdsa}"
export VDSA_CACHE

# Debian's source package (sid); the only version whose source downloads
# completely from the archive here.
QEMU_DEB_VERSION=1:10.2.2+ds-1
QEMU_DSC=qemu_10.2.2+ds-1.dsc
QEMU_SHA256="\
f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd  qemu_10.2.2+ds-1.dsc
be05230fe47a6937cd29f28f562932c8125f9c93c2a82c625198f7a4aa601dfb  qemu_10.2.2+ds.orig.tar.xz
ddf75aceab4f8f77374f3cb34fc97b41514895aeb293ce8b2ddd5e072bb0f5c0  qemu_10.2.2+ds-1.debian.tar.xz"

# Where Debian installs SeaBIOS and QEMU's option ROMs (linuxboot_dma.bin,
# multiboot_dma.bin, kvmvapic.bin); compiled into the binary as its
# default firmware path, so nobody needs -L.
FIRMWARE_PATH=/usr/share/qemu:/usr/share/seabios

cache=$VDSA_CACHE/qemu
dl=$cache/dl
pristine=$cache/src-10.2.2+ds-1
tree=$cache/tree
build=$cache/build
jobs=${JOBS:-$(nproc)}

log() { printf 'qemu: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

start=$(now)
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# 1. Build dependencies, installed only when missing.
need=(dpkg-dev xz-utils ninja-build pkg-config gcc libglib2.0-dev
      libpixman-1-dev python3-venv python3-distlib libattr1-dev libcap-ng-dev
      seabios qemu-system-data)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
meson_ok() {
	local v
	v=$(/usr/bin/meson --version 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge 1.5
}
if [ ${#missing[@]} -gt 0 ] || ! meson_ok; then
	log "installing build dependencies: ${missing[*]} meson"
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
	# QEMU 10.2 needs meson >= 1.5; bookworm has 1.0, bookworm-backports 1.7.
	meson_ok || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends -t bookworm-backports meson >/dev/null
	meson_ok || die "meson >= 1.5 is needed (bookworm-backports)"
fi

# 2. The source package, checked against the pinned hashes.
verify() { (cd "$dl" && sha256sum --quiet -c - <<<"$QEMU_SHA256") >/dev/null 2>&1; }
mkdir -p "$dl"
if ! verify; then
	log "fetching qemu $QEMU_DEB_VERSION source (sid, deb-src)"
	"$top/tools/setup/fetch-deb.sh" --source sid qemu "$QEMU_DEB_VERSION" "$dl"
	verify || die "qemu source does not match the pinned sha256"
fi

# 3. The pristine tree: upstream source plus Debian's patches (without
# them configure fails on the missing bundled python wheels).
if [ ! -e "$pristine/.vdsa-unpacked" ]; then
	log "unpacking $QEMU_DSC"
	rm -rf "$pristine"
	dpkg-source --no-check -x "$dl/$QEMU_DSC" "$pristine" >/dev/null
	# dpkg-source leaves a copy of the upstream tarball beside the tree.
	rm -f "$cache"/qemu_*.orig.tar.*
	touch "$pristine/.vdsa-unpacked"
fi
if [ ! -e "$tree/.vdsa-tree" ]; then
	rm -rf "$tree" "$build"
	cp -a "$pristine" "$tree"
	touch "$tree/.vdsa-tree"
	: >"$tree/.vdsa-files"
fi

# 4. Our changes. The files they touch are rebuilt in a scratch directory
# (pristine file + patches, or our new file), then copied into the tree
# only where the contents differ, so unchanged files keep their mtime.
# A file touched before but no longer is restored (or removed if new).
key=$(cd "$here" && find patches src -type f -print0 | LC_ALL=C sort -z |
	xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ "$(cat "$tree/.vdsa-key" 2>/dev/null)" != "$key" ]; then
	t0=$(now)
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	mapfile -t patches < <(find "$here/patches" -name '*.patch' | LC_ALL=C sort)
	for p in "${patches[@]}"; do
		sed -n 's,^+++ b/\([^\t]*\).*,\1,p' "$p"
	done | sort -u | while read -r f; do
		[ -e "$pristine/$f" ] || continue
		mkdir -p "$scratch/$(dirname "$f")"
		cp "$pristine/$f" "$scratch/$f"
	done
	for p in "${patches[@]}"; do
		patch -d "$scratch" -p1 --batch --quiet --no-backup-if-mismatch <"$p" ||
			die "$(basename "$p") does not apply"
	done
	cp -r "$here/src/." "$scratch/"
	(cd "$scratch" && find . -type f | sed 's,^\./,,' | LC_ALL=C sort) >"$scratch.files"
	changed=0
	while read -r f; do
		if [ -e "$scratch/$f" ]; then
			src=$scratch/$f
		elif [ -e "$pristine/$f" ]; then
			src=$pristine/$f
		else
			rm -f "$tree/$f"
			changed=$((changed + 1))
			continue
		fi
		if ! cmp -s "$src" "$tree/$f"; then
			mkdir -p "$(dirname "$tree/$f")"
			cp "$src" "$tree/$f"
			changed=$((changed + 1))
		fi
	done < <(LC_ALL=C sort -u "$scratch.files" "$tree/.vdsa-files")
	mv "$scratch.files" "$tree/.vdsa-files"
	echo "$key" >"$tree/.vdsa-key"
	log "applied ${#patches[@]} patches and our new files: $changed files changed ($(elapsed "$t0"))"
fi

# 5. Configure, again only when the options change.
config=(
	--target-list=x86_64-softmmu
	--without-default-features
	--without-default-devices
	--with-devices-x86_64=vdsa
	--enable-tcg
	--enable-kvm
	--enable-virtfs
	--enable-attr
	--enable-cap-ng
	--disable-fdt
	--disable-download
	--enable-trace-backends=log
	--disable-install-blobs
	--firmwarepath="$FIRMWARE_PATH"
	--python=/usr/bin/python3
)
config_key=$(printf '%s\n' "${config[@]}" | sha256sum | cut -c1-16)
if [ ! -e "$build/build.ninja" ] || [ "$(cat "$build/.vdsa-config" 2>/dev/null)" != "$config_key" ]; then
	t0=$(now)
	log "configuring"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && nice -n 10 "$tree/configure" "${config[@]}") >"$cache/configure.log" 2>&1 ||
		{ tail -n 30 "$cache/configure.log"; die "configure failed (see $cache/configure.log)"; }
	echo "$config_key" >"$build/.vdsa-config"
	log "configure: $(elapsed "$t0")"
fi

# 6. Build.
t0=$(now)
nice -n 10 ninja -C "$build" -j "$jobs" qemu-system-x86_64 >"$cache/build.log" 2>&1 ||
	{ grep -E -A5 'error|FAILED' "$cache/build.log" | head -n 60; die "build failed (see $cache/build.log)"; }
steps=$(grep -c '^\[' "$cache/build.log" || true)
log "ninja: $steps steps, $(elapsed "$t0")"
if grep -E -n 'warning:' "$cache/build.log" | grep -v '^.*meson' >&2; then
	log "the build printed warnings (above)"
fi

# A copy, not a symlink: next to the build tree's qemu-bundle/ the binary
# would look for firmware only inside that bundle.  Replaced atomically, so
# a VM that is starting never sees half a file.
mkdir -p "$cache/current"
if ! cmp -s "$build/qemu-system-x86_64" "$cache/current/qemu-system-x86_64"; then
	cp "$build/qemu-system-x86_64" "$cache/current/.qemu-system-x86_64.new"
	mv -f "$cache/current/.qemu-system-x86_64.new" "$cache/current/qemu-system-x86_64"
fi
"$cache/current/qemu-system-x86_64" --version | head -n 1 >&2
log "done in $(elapsed "$start")"
echo "$cache/current/qemu-system-x86_64"
