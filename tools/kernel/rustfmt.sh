#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rustfmt the project's Rust files the way the kernel does.
#
#   tools/kernel/rustfmt.sh [--check]
#
# rustfmt follows `mod` declarations, and a file such as rust/kernel/lib.rs
# declares modules the project does not hold, so it runs on the copies laid
# over the kernel tree, with the tree's .rustfmt.toml. Without --check, the
# formatted files are copied back into the project.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tree=$("$here/prepare.sh")

cd "$top"
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.rs')
[ ${#files[@]} -gt 0 ] || exit 0

if [ "${1:-}" = --check ]; then
	(cd "$tree" && rustfmt --check --edition 2021 --config-path .rustfmt.toml "${files[@]}")
	echo "rustfmt: ${#files[@]} files formatted"
	exit 0
fi

(cd "$tree" && rustfmt --edition 2021 --config-path .rustfmt.toml "${files[@]}")
for f in "${files[@]}"; do
	cmp -s "$tree/$f" "$f" || cp "$tree/$f" "$f"
done
