#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU-level tests of our QEMU, run on the host: the device-facing side of
# MOVDIR64B, MOVDIRI, ENQCMD and ENQCMDS.  A bare-metal test program
# (tests/store64b/, Multiboot, long mode at CPL 0) runs on q35 -cpu max
# with an enqueue-testdev and checks that a 64-byte store reaches the
# device whole, that the device's refusal comes back as ZF=1, the #GP
# cases and IA32_PASID.  It prints KTAP on the serial port, which this
# script passes through; the exit status is non-zero if any test failed,
# the plan was not completed, or QEMU did not end through isa-debug-exit.
#
# Environment:
#   QEMU        the qemu-system-x86_64 to test (default: build.sh's, which
#               this script builds or brings up to date first)
#   VDSA_CACHE  cache directory (default ~/.cache/vdsa)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${VDSA_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/vdsa}"
export VDSA_CACHE

if [ -z "${QEMU:-}" ]; then
	QEMU=$("$here/build.sh" | tail -n 1) || { echo "not ok 1 build QEMU"; exit 1; }
fi

out=$VDSA_CACHE/qemu/tests
mkdir -p "$out"
if ! "$here/tests/store64b/build.sh" "$out/store64b"; then
	echo "not ok 1 build the bare-metal test"
	exit 1
fi

# isa-debug-exit: QEMU exits with (value << 1) | 1, the test writes 0 when
# everything passed.
log=$out/store64b.log
timeout 120 "$QEMU" -M q35 -cpu max -m 128 -nodefaults -display none \
	-no-reboot -serial stdio \
	-device enqueue-testdev,queue-depth=2 \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$out/store64b.bin" </dev/null >"$log" 2>&1
st=$?
tr -d '\r' <"$log"

plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
oks=$(grep -c '^ok ' "$log")
if [ "$st" -ne 1 ] || grep -q '^not ok ' "$log" || [ -z "$plan" ] || [ "$oks" != "$plan" ]; then
	echo "# store64b: failed (QEMU exit status $st, $oks of ${plan:-?} passed)" >&2
	exit 1
fi
