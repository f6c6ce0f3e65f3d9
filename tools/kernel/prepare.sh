#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the base kernel tree in the cache and lay the project's files over it.
#
#   tools/kernel/prepare.sh          print the tree's path on stdout
#   tools/kernel/prepare.sh --debug  the same for the debug kernel's tree
#   tools/kernel/prepare.sh --bench  the same for the benchmarks' kernel's tree
#
# The pristine tree is unpacked once per kernel source version into
# $VDSA_CACHE/kernel/linux-$KERNEL_DEB_VERSION (the debug kernel's into
# the same path with -debug appended, the benchmarks' kernel's with -bench).
# The project keeps every file it adds to or changes in the kernel at its
# kernel path (rust/, drivers/, samples/, tools/testing/, ...). They are
# copied over the tree by content, so an unchanged file keeps its timestamp
# and the kernel build stays incremental.
# A manifest of what was laid over lets a file removed from the project be
# removed from (or restored in) the tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

log() { printf 'kernel: %s\n' "$*" >&2; }

dl="$VDSA_CACHE/dl"
deb="$dl/${KERNEL_DEB_PACKAGE}_${KERNEL_DEB_VERSION}_all.deb"
tree=$KERNEL_TREE
case "${1:-}" in
'') ;;
--debug) tree=$KERNEL_DEBUG_TREE ;;
--bench) tree=$KERNEL_BENCH_TREE ;;
*) log "usage: prepare.sh [--debug|--bench]"; exit 2 ;;
esac
tarball=$KERNEL_TARBALL

if [ ! -e "$tree/.vdsa-unpacked" ]; then
	# The source tarball, kept for restoring files: the second tree
	# unpacks from it too.
	if [ ! -e "$tarball" ]; then
		if ! echo "$KERNEL_DEB_SHA256  $deb" | sha256sum -c --status 2>/dev/null; then
			log "downloading $KERNEL_DEB_PACKAGE $KERNEL_DEB_VERSION"
			rm -f "$deb"
			"$top/tools/setup/fetch-deb.sh" trixie-backports "$KERNEL_DEB_PACKAGE" \
				"$KERNEL_DEB_VERSION" "$dl"
			echo "$KERNEL_DEB_SHA256  $deb" | sha256sum -c --quiet ||
				{ log "checksum mismatch for $deb"; exit 1; }
		fi
		mkdir -p "$(dirname "$tarball")"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$KERNEL_DEB_PACKAGE.tar.xz" >"$tarball.tmp"
		mv "$tarball.tmp" "$tarball"
	fi
	log "unpacking into $tree"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	touch "$tree.tmp/.vdsa-unpacked"
	mv "$tree.tmp" "$tree"
fi

# The project's kernel files: everything under these top-level directories,
# except the parts of tools/ that are the project's own tooling.
cd "$top"
overlay_list() {
	git ls-files --cached --others --exclude-standard -- "${KERNEL_OVERLAY_DIRS[@]}" |
		while read -r f; do [ -f "$f" ] && echo "$f"; done | sort
}
new_manifest=$(overlay_list)
old_manifest_file="$tree/.vdsa-overlay"
old_manifest=$(cat "$old_manifest_file" 2>/dev/null || true)

# Files that were laid over before and are gone from the project now.
comm -23 <(echo "$old_manifest" | sed '/^$/d') <(echo "$new_manifest" | sed '/^$/d') |
	while read -r f; do
		if tar -tJf "$tarball" "$KERNEL_DEB_PACKAGE/$f" >/dev/null 2>&1; then
			log "restoring $f"
			tar -xJf "$tarball" -C "$tree" --strip-components=1 \
				"$KERNEL_DEB_PACKAGE/$f"
		else
			log "removing $f"
			rm -f "$tree/$f"
		fi
	done

if [ -n "$new_manifest" ]; then
	echo "$new_manifest" | rsync -rc --files-from=- "$top/" "$tree/"
fi
echo "$new_manifest" >"$old_manifest_file"
echo "$tree"
