#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Emit the project's kernel changes as a patch series against the base kernel.
#
#   tools/kernel/series.sh [OUTDIR]      (default: build/series)
#
# The series starts with the project's changes to existing kernel files,
# tools/kernel/patches/*.patch, as they are. Then every commit of the
# project that touches one of its new kernel files becomes one patch with
# the commit's author and message (each with a Signed-off-by of its
# author): those files' changes are replayed, commit by commit, in a scratch
# repository, and `git format-patch` writes the series from there. The
# series applies with `git am` to a tree of the base kernel.
#
# Merged branches are replayed one after the other (topological order), each
# commit's change applied as a patch, so that a commit made on a branch
# beside another keeps only its own change. A file whose change does not
# apply is taken whole from the commit. A merge becomes a patch only where
# its resolution differs from the replayed state; the series always ends
# at the kernel files of HEAD.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

out=$(mkdir -p "${1:-$top/build/series}" && cd "${1:-$top/build/series}" && pwd)
"$here/prepare.sh" >/dev/null
tarball=$KERNEL_TARBALL

cd "$top"
mapfile -t commits < <(git rev-list --reverse --topo-order HEAD -- "${KERNEL_OVERLAY_DIRS[@]}")
if [ ${#commits[@]} -eq 0 ]; then
	echo "series: no commit touches a kernel path" >&2
	exit 0
fi
mapfile -t patched < <(cut -d' ' -f3- "$here/patches/base.sha256")
# The new files, and the files of the history that are neither new nor
# patched now (gone, or once carried whole).
mapfile -t paths < <(git log --format= --name-only HEAD -- "${KERNEL_OVERLAY_DIRS[@]}" |
	sed '/^$/d' | LC_ALL=C sort -u |
	LC_ALL=C comm -23 - <(printf '%s\n' "${patched[@]}" | LC_ALL=C sort))

work=$(mktemp -d "${TMPDIR:-/tmp}/vdsa-series.XXXXXX")
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" config user.name "$(git config user.name)"
git -C "$work" config user.email "$(git config user.email)"

# The pristine versions of the paths the project ever changed (tar reports
# the project's new files as missing from the archive).
tar -xJf "$tarball" -C "$work" --strip-components=1 \
	"${paths[@]/#/$KERNEL_DEB_PACKAGE/}" "${patched[@]/#/$KERNEL_DEB_PACKAGE/}" \
	2>/dev/null || true
git -C "$work" add -A
git -C "$work" commit -q --allow-empty -m "Linux $KERNEL_VERSION"
base=$(git -C "$work" rev-parse HEAD)

# The changes to existing files, as they are.
git -C "$work" am -q --committer-date-is-author-date "$here"/patches/*.patch

# take COMMIT PATH: the file PATH as of COMMIT (or its pristine version, or
# nothing, where COMMIT has no such file).
take() {
	if git cat-file -e "$1:$2" 2>/dev/null; then
		git archive --format=tar "$1" -- "$2" | tar -x -C "$work"
	elif git -C "$work" cat-file -e "$base:$2" 2>/dev/null; then
		git -C "$work" checkout -q "$base" -- "$2"
	else
		rm -f "$work/$2"
	fi
}

# ours: the paths read that are not changed by tools/kernel/patches.
ours() { grep -vxF -f <(printf '%s\n' "${patched[@]}") || true; }

for c in "${commits[@]}"; do
	if [ "$(git rev-list --parents -n 1 "$c" | wc -w)" -gt 2 ]; then
		# A merge: its resolution, where the replayed files differ from it.
		git diff --name-only "$c^1" "$c" -- "${KERNEL_OVERLAY_DIRS[@]}" | ours |
			while read -r path; do take "$c" "$path"; done
		git -C "$work" add -A
		git -C "$work" diff --cached --quiet && continue
	else
		git diff-tree --no-commit-id --name-only -r --no-renames "$c" -- \
			"${KERNEL_OVERLAY_DIRS[@]}" | ours | while read -r path; do
			git diff --binary "$c^" "$c" -- "$path" |
				git -C "$work" apply --whitespace=nowarn 2>/dev/null ||
				take "$c" "$path"
		done
		git -C "$work" add -A
		git -C "$work" diff --cached --quiet && continue
	fi
	GIT_AUTHOR_NAME=$(git log -1 --format=%an "$c") \
	GIT_AUTHOR_EMAIL=$(git log -1 --format=%ae "$c") \
	GIT_AUTHOR_DATE=$(git log -1 --format=%ad "$c") \
	GIT_COMMITTER_NAME=$(git log -1 --format=%an "$c") \
	GIT_COMMITTER_EMAIL=$(git log -1 --format=%ae "$c") \
		git -C "$work" commit -q -s --allow-empty -m "$(git log -1 --format=%B "$c")"
done

# The series ends at HEAD's kernel-path files.
for path in "${paths[@]}"; do take HEAD "$path"; done
git -C "$work" add -A
if ! git -C "$work" diff --cached --quiet; then
	echo "series: the replayed series does not end at HEAD:" >&2
	git -C "$work" diff --cached --stat >&2
	exit 1
fi

rm -f "$out"/*.patch
git -C "$work" format-patch -q -o "$out" "$base..HEAD"
ls "$out"/*.patch
