#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel of the emulated SIOV machine and the project's modules.
#
#   tools/kernel/build.sh          prints the kernel tree's path on stdout
#   tools/kernel/build.sh --debug  the same for the debug kernel: the
#                                  sanitizers of debug.config on top, in a
#                                  tree of its own ($KERNEL_DEBUG_TREE)
#   tools/kernel/build.sh --bench  the same for the benchmarks' kernel: the
#                                  debugging aids of vdsa.config taken out
#                                  (bench.config), in $KERNEL_BENCH_TREE
#
# Environment:
#   VDSA_CACHE    cache directory (default ~/.cache/vdsa)
#   JOBS          parallel jobs (default: number of CPUs)
#
# The project's driver and samples are built in the tree, like any other
# module (see vdsa.config); the selftests' modules as external ones. Output in the tree: arch/x86/boot/bzImage, and
# .vdsa-modules/ holding lib/modules/<release>/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/setup/versions.sh
. "$top/tools/setup/versions.sh"

log() { printf 'kernel: %s\n' "$*" >&2; }

frags=("$here/vdsa.config")
variant=
case "${1:-}" in
'') ;;
--debug) variant=--debug; frags+=("$here/debug.config") ;;
--bench) variant=--bench; frags+=("$here/bench.config") ;;
*) log "usage: build.sh [--debug|--bench]"; exit 2 ;;
esac

tree=$("$here/prepare.sh" ${variant:+"$variant"})
jobs=${JOBS:-$(nproc)}
kmake() { make -C "$tree" -s LLVM="$LLVM_SUFFIX" -j"$jobs" "$@"; }

# Configure only when the inputs of the configuration change.
cfgkey=$(cat "${frags[@]}" "$tree/kernel/configs/kvm_guest.config" | sha256sum | cut -c1-16)
if [ "$(cat "$tree/.vdsa-config-key" 2>/dev/null)" != "$cfgkey" ] || [ ! -e "$tree/.config" ]; then
	log "configuring (tinyconfig + kvm_guest.config + ${frags[*]##*/})"
	kmake tinyconfig >/dev/null
	(cd "$tree" && KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m -Q \
		.config kernel/configs/kvm_guest.config "${frags[@]}" >/dev/null)
	kmake olddefconfig >/dev/null
	# What the fragments ask for, a later fragment's line overriding an
	# earlier one's for the same symbol.
	declare -A wanted=()
	while IFS= read -r line; do
		case "$line" in CONFIG_*) wanted[${line%%=*}]=$line ;; esac
	done < <(cat "${frags[@]}")
	bad=0
	for line in "${wanted[@]}"; do
		case "$line" in
		CONFIG_*=n)
			sym=${line%%=*}
			if grep -q "^$sym=" "$tree/.config"; then
				log "config: wanted $line, got $(grep "^$sym=" "$tree/.config")"
				bad=1
			fi ;;
		CONFIG_*)
			if ! grep -qx "$line" "$tree/.config"; then
				log "config: wanted $line, got $(grep "^${line%%=*}=" "$tree/.config" || echo unset)"
				bad=1
			fi ;;
		esac
	done
	[ $bad = 0 ] || { log "the configuration fragment does not hold"; exit 1; }
	echo "$cfgkey" >"$tree/.vdsa-config-key"
fi

# All Rust code goes through clippy, always: the project's driver, samples
# and kernel crate abstractions get its lints, and the tree is never rebuilt
# just because one build used clippy and the next did not.
log "building bzImage and modules in $tree (Rust through clippy)"
kmake CLIPPY=1 bzImage modules

# The selftests' modules (tools/testing/selftests/vdsa/test_modules), built
# outside the source directory, beside the tree's own.
testmods=(M="$top/tools/testing/selftests/vdsa/test_modules" MO="$tree/.vdsa-test-modules")
kmake "${testmods[@]}" modules

staging="$tree/.vdsa-modules"
rm -rf "$staging"
kmake INSTALL_MOD_PATH="$staging" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install >/dev/null
kmake "${testmods[@]}" INSTALL_MOD_PATH="$staging" INSTALL_MOD_STRIP=1 DEPMOD=true \
	modules_install >/dev/null
release=$(cat "$tree/include/config/kernel.release")
depmod -b "$staging" "$release"
echo "$tree"
