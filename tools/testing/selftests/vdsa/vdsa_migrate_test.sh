#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Migration of a vDSA on the first DSA with the given device ID:
# vdsa_migrate_test (see vdsa_migrate_test.c) through the VFIO cdev with
# iommufd and through the legacy container; afterwards the host's own WQs
# still work and the driver leaves no WQ taken.
#
# usage: vdsa_migrate_test.sh [DEVICE-ID]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
bdf=$(dsa_devices "$devid" | head -n 1)
cfg=/sys/kernel/debug/idxd_vdcm-$bdf/config

ktap_header 5
vdcm_start "$devid" "$bdf"

for mode in cdev group; do
	ktap_check "vdsa_migrate_test $bdf $mode" \
		"$(dirname "$0")"/vdsa_migrate_test "$bdf" "$mode"
done

host_ok() {
	echo "memmove dwq 4096 50" > "/sys/kernel/debug/idxd_vdcm-$bdf/submit" &&
		grep -q 'taken 0x0$' "$cfg"
}
ktap_check "the host's WQ works, no WQ is left taken" host_ok
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
