#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The base kernel the project's patches were made on.
#
#   tools/kernel/base.sh check DIR [NEW-FILE...]
#       DIR is a pristine kernel tree, or a directory holding the base files
#       the patches touch and, in DIR/.files, the list of all the base's
#       files (tools/kernel/prepare.sh keeps one in $KERNEL_BASE). Checks
#       that every file of tools/kernel/patches/base.sha256 is in DIR with
#       that content, and that no NEW-FILE (a file the project adds whole)
#       exists in the base. Names each mismatch and exits 1 if any.
#   tools/kernel/base.sh update DIR
#       Rewrites base.sha256 from DIR for the files the patches touch: the
#       last step of moving to a new base (see the README).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sums=$here/patches/base.sha256

log() { printf 'kernel: %s\n' "$*" >&2; }
usage() { log "usage: base.sh check DIR [NEW-FILE...] | base.sh update DIR"; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
[ -d "$dir" ] || { log "$dir: no such directory"; exit 2; }

case "$cmd" in
check)
	bad=0
	while read -r sum path; do
		if [ ! -f "$dir/$path" ]; then
			log "the base has no $path, which the patches change"
			bad=1
		elif [ "$(sha256sum <"$dir/$path" | cut -d' ' -f1)" != "$sum" ]; then
			log "the base's $path is not the one the patches were made on"
			bad=1
		fi
	done <"$sums"
	for f in "$@"; do
		if { [ -e "$dir/.files" ] && grep -qxF "$f" "$dir/.files"; } ||
			{ [ ! -e "$dir/.files" ] && [ -e "$dir/$f" ]; }; then
			log "the base has $f, which the project adds as a new file"
			bad=1
		fi
	done
	if [ $bad -ne 0 ]; then
		log "refusing the base kernel: it is not the one of tools/kernel/patches/base.sha256"
		log "(see \"Moving to a new kernel\" in the README)"
		exit 1
	fi
	;;
update)
	mapfile -t paths < <(sed -n 's,^+++ b/\([^\t]*\).*,\1,p' "$here"/patches/*.patch |
		LC_ALL=C sort -u)
	(cd "$dir" && sha256sum -- "${paths[@]}") >"$sums.tmp"
	mv "$sums.tmp" "$sums"
	log "wrote ${sums#"$here"/} (${#paths[@]} files)"
	;;
*) usage ;;
esac
