#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The part of the guest payload that lets the emulated machine boot a
# nested guest (tools/vm/vdsa-l2): our QEMU with the shared libraries it
# loads and the firmware it reads, the project's kernel, and the nested
# guest's /init.
#
# usage: tools/vm/l2-payload.sh DIR
#
# DIR gets:
#   bin/                qemu-system-x86_64 and mdevctl, which run the
#                       binaries below with these libraries (and firmware)
#   qemu-system-x86_64  our QEMU, stripped
#   lib/                its shared libraries and the dynamic loader
#   firmware/           SeaBIOS, qboot, the option ROMs of -kernel and the
#                       vAPIC ROM
#   bzImage             the kernel the nested guest runs: the main kernel,
#                       which the emulated machine runs too unless it boots
#                       the debug kernel
#   modules/            that kernel's modules (lib/modules/<release>), the
#                       nested guest's
#   init                the nested guest's /init (tools/vm/init)
#   mdevctl             Debian's mdevctl (bookworm), run through lib/ too
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

# Debian's mdevctl, pinned: it manages mediated devices (vDSAs among them).
MDEVCTL_VERSION=1.2.0-3+b1
MDEVCTL_SHA256=182e8a3765954b53e31bd484f6d3127a943054dd21b45b1a54ebdb236d32a4e2

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
die() { printf 'l2-payload: %s\n' "$*" >&2; exit 1; }

qemu=$VDSA_CACHE/qemu/current/qemu-system-x86_64
kernel=$KERNEL_TREE/arch/x86/boot/bzImage
modules=$KERNEL_TREE/.vdsa-modules/lib/modules
[ -x "$qemu" ] || die "no QEMU at $qemu (run 'make qemu')"
[ -e "$kernel" ] || die "no kernel at $kernel (run 'make kernel')"
[ -d "$modules" ] || die "no modules in $modules (run 'make kernel')"
"$qemu" -device help 2>/dev/null | grep -q '"vfio-pci"' ||
	die "$qemu has no vfio-pci (rebuild it: tools/qemu/build.sh)"

rm -rf "$dir"
mkdir -p "$dir/lib" "$dir/firmware"
strip -o "$dir/qemu-system-x86_64" "$qemu"

# The libraries, as ldd resolves them on this (Debian) host; the loader
# too, so that nothing in the emulated machine's root is needed.
ldd "$qemu" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
	while read -r lib; do
		cp -L "$lib" "$dir/lib/"
	done
[ -e "$dir/lib/ld-linux-x86-64.so.2" ] || die "no dynamic loader found by ldd"

# Firmware from Debian's seabios and qemu-system-data, where our QEMU
# looks for it on the host (tools/qemu/build.sh, --firmwarepath).
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/qboot.rom \
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/multiboot_dma.bin \
	/usr/share/qemu/kvmvapic.bin; do
	cp "$f" "$dir/firmware/"
done


# mdevctl from its .deb (the host's suite, bookworm), kept in the cache.
deb=$VDSA_CACHE/dl/mdevctl_${MDEVCTL_VERSION}_amd64.deb
mdevctl_ok() { echo "$MDEVCTL_SHA256  $deb" | sha256sum --quiet -c - >/dev/null 2>&1; }
if ! mdevctl_ok; then
	mkdir -p "$VDSA_CACHE/dl"
	(cd "$VDSA_CACHE/dl" &&
		apt-get download -qq -o APT::Sandbox::User=root "mdevctl=$MDEVCTL_VERSION") >&2
	mdevctl_ok || die "mdevctl .deb does not match the pinned sha256"
fi
x=$(mktemp -d)
dpkg-deb -x "$deb" "$x"
cp "$x/usr/bin/mdevctl" "$dir/mdevctl"
rm -rf "$x"
for lib in $(ldd "$dir/mdevctl" | awk '/=> \// { print $3 }'); do
	[ -e "$dir/lib/$(basename "$lib")" ] || cp -L "$lib" "$dir/lib/"
done

# The commands, each running its binary with the libraries above.
mkdir -p "$dir/bin"
for cmd in qemu-system-x86_64 mdevctl; do
	opts='' prep=''
	# QEMU's firmware; mdevctl's directory of definitions (the package's).
	[ $cmd != qemu-system-x86_64 ] || opts=' -L "$l2/firmware"'
	[ $cmd != mdevctl ] || prep='
mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers'
	cat >"$dir/bin/$cmd" <<EOF
#!/bin/sh
# $cmd in the emulated machine, with its own libraries.
l2=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")$prep
exec "\$l2/lib/ld-linux-x86-64.so.2" --library-path "\$l2/lib" --argv0 "\$0" \\
	"\$l2/$cmd"$opts "\$@"
EOF
	chmod 755 "$dir/bin/$cmd"
done

cp "$kernel" "$dir/bzImage"
mkdir -p "$dir/modules/lib"
cp -a "$modules" "$dir/modules/lib/"
cp "$here/init" "$dir/init"
