#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check a patch series against the base kernel and the prepared tree.
#
#   tools/kernel/series-check.sh DIR
#
# DIR holds the series (*.patch, as `make series` writes it). Applies it with
# `git am` to the pristine base files it touches, in a scratch repository,
# and checks that every file it touches ends equal to the prepared tree's
# (tools/kernel/prepare.sh), byte for byte, or absent from both. Prints
# KTAP-style lines; exits 1 if the series does not apply or any file
# differs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

dir=$(cd "${1:?usage: series-check.sh DIR}" && pwd)
tree=$("$here/prepare.sh")
mapfile -t series < <(find "$dir" -name '*.patch' | LC_ALL=C sort)
[ ${#series[@]} -gt 0 ] || { echo "series-check: no patch in $dir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vdsa-series-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mapfile -t paths < <(sed -n 's,^\(---\|+++\) [ab]/\([^\t]*\).*,\2,p' "${series[@]}" |
	LC_ALL=C sort -u)
# The pristine versions of the files the series touches (the new ones are
# missing from the base, as they should be).
mapfile -t in_base < <(printf '%s\n' "${paths[@]}" |
	LC_ALL=C comm -12 - "$KERNEL_BASE/.files")
if [ ${#in_base[@]} -gt 0 ]; then
	tar -xJf "$KERNEL_TARBALL" -C "$work" --strip-components=1 \
		"${in_base[@]/#/$KERNEL_DEB_PACKAGE/}"
fi
git -C "$work" init -q
git -C "$work" add -A
git -C "$work" -c user.name=check -c user.email=check@localhost commit -q --allow-empty -m "Linux $KERNEL_VERSION"
if ! git -C "$work" -c user.name=check -c user.email=check@localhost am -q "${series[@]}" \
	>"$work.log" 2>&1; then
	cat "$work.log" >&2
	rm -f "$work.log"
	echo "not ok - the series (${#series[@]} patches) applies with git am to Linux $KERNEL_VERSION"
	exit 1
fi
rm -f "$work.log"
echo "ok - the series (${#series[@]} patches) applies with git am to Linux $KERNEL_VERSION"

differ=0
for f in "${paths[@]}"; do
	if [ -e "$work/$f" ] || [ -e "$tree/$f" ]; then
		if ! cmp -s "$work/$f" "$tree/$f"; then
			echo "# $f differs from the prepared tree's" >&2
			differ=$((differ + 1))
		fi
	fi
done
if [ $differ -eq 0 ]; then
	echo "ok - the result equals the tree the project builds (${#paths[@]} files)"
else
	echo "not ok - the result equals the tree the project builds ($differ of ${#paths[@]} files differ)"
	exit 1
fi
