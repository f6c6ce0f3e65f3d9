#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rustfmt the project's Rust files the way the kernel does.
#
#   tools/kernel/rustfmt.sh [--check]
#
# rustfmt follows `mod` declarations, and a file such as rust/kernel/lib.rs
# declares modules the project does not hold, so it runs on the copies laid
# over the kernel tree, with the tree's .rustfmt.toml. The Rust files that
# tools/kernel/patches change are checked in the tree too. Without --check,
# the project's new files are formatted and copied back; the patched files
# are only checked (a change to them belongs in their patch).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tree=$("$here/prepare.sh")

cd "$top"
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.rs')
mapfile -t patched < <(cut -d' ' -f3- "$here/patches/base.sha256" | grep '\.rs$' || true)
[ $((${#files[@]} + ${#patched[@]})) -gt 0 ] || exit 0

if [ "${1:-}" = --check ]; then
	(cd "$tree" && rustfmt --check --edition 2021 --config-path .rustfmt.toml \
		"${files[@]}" "${patched[@]}")
	echo "rustfmt: ${#files[@]} new and ${#patched[@]} patched files formatted"
	exit 0
fi
if [ ${#patched[@]} -gt 0 ]; then
	(cd "$tree" && rustfmt --check --edition 2021 --config-path .rustfmt.toml \
		"${patched[@]}") >/dev/null ||
		echo "rustfmt: a patched file needs formatting: change its patch" >&2
fi

(cd "$tree" && rustfmt --edition 2021 --config-path .rustfmt.toml "${files[@]}")
for f in "${files[@]}"; do
	cmp -s "$tree/$f" "$f" || cp "$tree/$f" "$f"
done
