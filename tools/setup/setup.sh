#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the vDSA build and test pipeline needs on a Debian 12 host.
# Idempotent and quick when everything is already there (a stamp keyed by
# this file's contents skips the apt and cargo steps).
#
# Environment:
#   VDSA_CACHE   cache directory (default ~/.cache/vdsa)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/setup/versions.sh
. "$here/versions.sh"

log() { printf 'setup: %s\n' "$*" >&2; }

stamp="$VDSA_CACHE/stamps/setup-$(cat "$here/setup.sh" "$here/versions.sh" | sha256sum | cut -c1-16)"
if [ -e "$stamp" ]; then
	exit 0
fi
mkdir -p "$VDSA_CACHE/stamps"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# bookworm-backports (for QEMU and meson) goes into the system's sources;
# newer suites are reached only through a private apt configuration (see
# fetch-deb.sh), so the host stays a plain bookworm system.
bpo=/etc/apt/sources.list.d/vdsa-bookworm-backports.sources
if [ ! -e "$bpo" ]; then
	log "adding bookworm-backports to apt sources"
	$SUDO tee "$bpo" >/dev/null <<EOS
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi

log "apt-get update"
$SUDO apt-get update -qq >/dev/null 2>&1 || $SUDO apt-get update -qq || true

# A package's configure hook can fail on a first install (seen with the
# ca-certificates triggers); finish configuration and try once more.
apt_install() {
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
		{ $SUDO dpkg --configure -a && $SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

log "installing Debian packages"
apt_install \
	clang-22 lld-22 llvm-22 libclang-22-dev \
	flex bison libelf-dev libssl-dev bc cpio kmod rsync xz-utils \
	busybox-static dpkg-dev python3 ca-certificates shellcheck gcc libc6-dev \
	ninja-build libglib2.0-dev libpixman-1-dev python3-distlib \
	libattr1-dev libcap-ng-dev pkg-config python3-docutils
apt_install -t bookworm-backports qemu-system-x86 meson

log "rust-src and bindgen-cli $BINDGEN_VERSION"
rustup component add rust-src >/dev/null 2>&1
if ! bindgen --version 2>/dev/null | grep -qx "bindgen $BINDGEN_VERSION"; then
	LIBCLANG_PATH=/usr/lib/llvm-22/lib \
		cargo install --quiet --locked --version "$BINDGEN_VERSION" bindgen-cli
fi

touch "$stamp"
log "done"
