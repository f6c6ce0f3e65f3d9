#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA VFIO fuzzer (see vdsa_fuzz.c) on the first DSA with the given
# device ID: OPS random operations on one vDSA while another vDSA and the
# host's WQ copy. The seed is printed; pass it to repeat a run.
#
# usage: vdsa_fuzz.sh [DEVICE-ID [OPS [SEED]]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
ops=${2:-10000}
bdf=$(dsa_devices "$devid" | head -n 1)

ktap_header 3
vdcm_start "$devid" "$bdf"

ktap_check "vdsa_fuzz $bdf $ops" \
	"$(dirname "$0")"/vdsa_fuzz "$bdf" "$ops" ${3:+"$3"}
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
