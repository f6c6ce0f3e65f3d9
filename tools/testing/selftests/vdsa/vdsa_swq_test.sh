#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vDSAs of type 1swq-v1 on the first DSA with the given device ID:
# idxd_vdcm loaded with swq_vdsas=N, then vdsa_swq_test (see
# vdsa_swq_test.c) with all N vDSAs open at once on the shared WQ, and the
# 1dwq-v1 type alongside it, one WQ fewer.
#
# usage: vdsa_swq_test.sh [DEVICE-ID [N]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
n=${2:-4}
bdf=$(dsa_devices "$devid" | head -n 1)
types=/sys/bus/pci/devices/$bdf/mdev_supported_types

ktap_header 4
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
rmmod idxd_vdcm 2>/dev/null
ktap_check "idxd_vdcm loaded with swq_vdsas=$n, $bdf offers vDSAs" \
	vdcm_loaded "$devid" "$bdf" "swq_vdsas=$n"
announced() {
	wait_for 10 [ -d "$types/idxd_vdcm-1swq-v1" ] &&
		dmesg | grep -q "$bdf: vDSAs: shared WQ [0-9]* of [0-9]* entries for $n vDSAs"
}
ktap_check "$bdf announces the shared WQ of $n vDSAs" announced

ktap_check "vdsa_swq_test $bdf $n" \
	"$(dirname "$0")"/vdsa_swq_test "$bdf" "$n"

# The dedicated type keeps the other WQs: one fewer than without the
# shared WQ.
dedicated() {
	_with=$(cat "$types/idxd_vdcm-1dwq-v1/available_instances")
	rmmod idxd_vdcm && modprobe idxd_vdcm &&
		wait_for 10 [ -d "$types/idxd_vdcm-1dwq-v1" ] &&
		[ "$(cat "$types/idxd_vdcm-1dwq-v1/available_instances")" -eq $((_with + 1)) ] &&
		[ "$(cat "$types/idxd_vdcm-1swq-v1/available_instances")" -eq 0 ]
}
ktap_check "without swq_vdsas: one more 1dwq-v1, no 1swq-v1" dedicated
rmmod idxd_vdcm
ktap_finished
