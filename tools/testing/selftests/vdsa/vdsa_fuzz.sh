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
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null

ktap_check "idxd_vdcm loaded, $bdf offers vDSAs" vdcm_loaded "$devid" "$bdf"

status=0
"$(dirname "$0")"/vdsa_fuzz "$bdf" "$ops" ${3:+"$3"} || status=1
ktap_check "vdsa_fuzz $bdf $ops" [ $status -eq 0 ]
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
