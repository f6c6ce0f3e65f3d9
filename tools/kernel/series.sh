#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Emit the project's kernel changes as a patch series against the base kernel.
#
#   tools/kernel/series.sh [OUTDIR]      (default: build/series)
#
# Every commit of the project that touches a file at a kernel path becomes
# one patch with the commit's author and message (each with a Signed-off-by
# of its author): the kernel-path files are replayed, commit by commit, onto
# their pristine versions from the base kernel's source in a scratch
# repository, and `git format-patch` writes the series from there. The
# series applies with `git am` to a tree of the base kernel.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

out=$(mkdir -p "${1:-$top/build/series}" && cd "${1:-$top/build/series}" && pwd)
"$here/prepare.sh" >/dev/null
tarball=$KERNEL_TARBALL

cd "$top"
mapfile -t commits < <(git rev-list --reverse HEAD -- "${KERNEL_OVERLAY_DIRS[@]}")
if [ ${#commits[@]} -eq 0 ]; then
	echo "series: no commit touches a kernel path" >&2
	exit 0
fi
mapfile -t paths < <(git log --format= --name-only HEAD -- "${KERNEL_OVERLAY_DIRS[@]}" |
	sed '/^$/d' | sort -u)

work=$(mktemp -d "${TMPDIR:-/tmp}/vdsa-series.XXXXXX")
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" config user.name "$(git config user.name)"
git -C "$work" config user.email "$(git config user.email)"

# The pristine versions of the paths the project ever changed (tar reports
# the project's new files as missing from the archive).
tar -xJf "$tarball" -C "$work" --strip-components=1 \
	"${paths[@]/#/$KERNEL_DEB_PACKAGE/}" 2>/dev/null || true
git -C "$work" add -A
git -C "$work" commit -q --allow-empty -m "Linux $KERNEL_VERSION"
base=$(git -C "$work" rev-parse HEAD)

for c in "${commits[@]}"; do
	while read -r status path; do
		case "$status" in
		D)
			if git -C "$work" cat-file -e "$base:$path" 2>/dev/null; then
				git -C "$work" checkout -q "$base" -- "$path"
			else
				git -C "$work" rm -q "$path"
			fi ;;
		*)
			git archive --format=tar "$c" -- "$path" | tar -x -C "$work" ;;
		esac
	done < <(git diff-tree --no-commit-id --name-status -r --no-renames "$c" -- \
		"${KERNEL_OVERLAY_DIRS[@]}")
	git -C "$work" add -A
	GIT_AUTHOR_NAME=$(git log -1 --format=%an "$c") \
	GIT_AUTHOR_EMAIL=$(git log -1 --format=%ae "$c") \
	GIT_AUTHOR_DATE=$(git log -1 --format=%ad "$c") \
		git -C "$work" commit -q -s --allow-empty -m "$(git log -1 --format=%B "$c")"
done

rm -f "$out"/*.patch
git -C "$work" format-patch -q -o "$out" "$base..HEAD"
ls "$out"/*.patch
