#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA lifecycle soak (see lifecycle_soak.c) on the first DSA with the
# given device ID: CYCLES vDSA lifetimes (create, open, copy, close,
# remove) randomly interleaved with closes under descriptors in flight,
# IOAS unmaps during DMA, unbinds of the DSA and unloads of idxd_vdcm,
# from SEED (default: a new one, printed). Then the module unloads, and
# kmemleak finds nothing the soak left behind.
#
# usage: lifecycle_soak.sh [DEVICE-ID [CYCLES [SEED]]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
cycles=${2:-1000}
seed=${3:-}
bdf=$(dsa_devices "$devid" | head -n 1)
leaks=/sys/kernel/debug/kmemleak

ktap_header 4
vdcm_start "$devid" "$bdf"

# What was allocated before is not the soak's.
[ ! -e $leaks ] || echo clear >$leaks

status=0
# shellcheck disable=SC2086 # no seed: no argument
"$(dirname "$0")"/lifecycle_soak "$bdf" "$cycles" $seed || status=1
ktap_check "lifecycle_soak $bdf $cycles" [ $status -eq 0 ]
ktap_check "idxd_vdcm unloads after the soak" rmmod idxd_vdcm

# kmemleak reports an unreferenced object once it is 5 s old.
no_leak() {
	[ -e $leaks ] || { ktap_diag "no kmemleak in this kernel"; return 1; }
	sleep 6
	echo scan >$leaks
	echo scan >$leaks
	[ -z "$(cat $leaks)" ] || { head -n 40 $leaks; return 1; }
}
ktap_check "kmemleak: nothing left behind by the soak" no_leak
ktap_finished
