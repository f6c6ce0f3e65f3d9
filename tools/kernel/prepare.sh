#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the base kernel tree in the cache and lay the project's changes
# over it.
#
#   tools/kernel/prepare.sh          print the tree's path on stdout
#   tools/kernel/prepare.sh --debug  the same for the debug kernel's tree
#   tools/kernel/prepare.sh --bench  the same for the benchmarks' kernel's tree
#
# The pristine tree is unpacked once per kernel source version into
# $VDSA_CACHE/kernel/linux-$KERNEL_DEB_VERSION (the debug kernel's into
# the same path with -debug appended, the benchmarks' kernel's with -bench).
# The project changes the kernel in two ways:
#   tools/kernel/patches/*.patch   changes to existing kernel files, applied
#                                  in name order (git format-patch files);
#   rust/, drivers/, samples/, ... new files, whole, at their kernel paths.
# Before anything is laid over, the base files the patches touch are
# checked against tools/kernel/patches/base.sha256 (the files the patches
# were made on) and the project's new files must be absent from the base:
# on another base the set-up stops and names the files (tools/kernel/base.sh,
# and "Moving to a new kernel" in the README). The result is copied over the
# tree by content, so an unchanged file keeps its timestamp and the kernel
# build stays incremental. A manifest of what was laid over lets a file the
# project no longer changes or adds be restored in (or removed from) the tree.
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
base=$KERNEL_BASE

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

if [ ! -e "$tree/.vdsa-unpacked" ]; then
	log "unpacking into $tree"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	touch "$tree.tmp/.vdsa-unpacked"
	mv "$tree.tmp" "$tree"
fi

# The pristine base, kept apart from the trees (which are patched): the
# list of its files, and a copy of each file a patch touches.
if [ ! -e "$base/.files" ]; then
	log "listing the base's files"
	mkdir -p "$base"
	tar -tJf "$tarball" | sed -n "s,^$KERNEL_DEB_PACKAGE/,,p" | grep -v '/$' |
		LC_ALL=C sort >"$base/.files.tmp"
	mv "$base/.files.tmp" "$base/.files"
fi
patches_dir=$here/patches
mapfile -t patches < <(find "$patches_dir" -name '*.patch' | LC_ALL=C sort)
mapfile -t patched < <(cut -d' ' -f3- "$patches_dir/base.sha256")
missing=()
for f in "${patched[@]}"; do [ -e "$base/$f" ] || missing+=("$KERNEL_DEB_PACKAGE/$f"); done
if [ ${#missing[@]} -gt 0 ]; then
	tar -xJf "$tarball" -C "$base" --strip-components=1 "${missing[@]}" 2>/dev/null || true
fi

cd "$top"
new_files() {
	git ls-files --cached --others --exclude-standard -- "${KERNEL_OVERLAY_DIRS[@]}" |
		while read -r f; do [ -f "$f" ] && echo "$f"; done | LC_ALL=C sort
}
mapfile -t added < <(new_files)

"$here/base.sh" check "$base" "${added[@]}" || exit 1

# The patched files, made from their pristine copies in a scratch
# directory; then the new files beside them.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vdsa-prepare.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for f in "${patched[@]}"; do
	mkdir -p "$scratch/$(dirname "$f")"
	cp "$base/$f" "$scratch/$f"
done
for p in "${patches[@]}"; do
	patch -d "$scratch" -p1 --batch --quiet --forward --no-backup-if-mismatch \
		-r - <"$p" >"$scratch.log" 2>&1 || {
		cat "$scratch.log" >&2
		rm -f "$scratch.log"
		log "${p#"$top"/} does not apply to the base"
		exit 1
	}
done
rm -f "$scratch.log"
if [ ${#added[@]} -gt 0 ]; then
	printf '%s\n' "${added[@]}" | rsync -r --files-from=- "$top/" "$scratch/"
fi

new_manifest=$(printf '%s\n' "${patched[@]}" "${added[@]}" | sed '/^$/d' | LC_ALL=C sort -u)
old_manifest_file="$tree/.vdsa-overlay"
old_manifest=$(cat "$old_manifest_file" 2>/dev/null || true)

# Files that were laid over before and are not changed or added now.
comm -23 <(echo "$old_manifest" | sed '/^$/d') <(echo "$new_manifest") |
	while read -r f; do
		if grep -qxF "$f" "$base/.files"; then
			log "restoring $f"
			tar -xJf "$tarball" -C "$tree" --strip-components=1 \
				"$KERNEL_DEB_PACKAGE/$f"
		else
			log "removing $f"
			rm -f "$tree/$f"
		fi
	done

echo "$new_manifest" | rsync -rc --files-from=- "$scratch/" "$tree/"
echo "$new_manifest" >"$old_manifest_file"
echo "$tree"
