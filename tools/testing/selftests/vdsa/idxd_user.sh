#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The emulated DSA through the upstream idxd's user character device, with
# shared virtual memory (idxd_user_test: a dedicated and a shared user WQ,
# MOVDIR64B and ENQCMD from user space, results checked byte for byte).
# Needs the SVA platform of tools/qemu/README.md; tools/check.sh boots it
# for this test alone.
#
# usage: idxd_user.sh [DEVICE-ID]
#   DEVICE-ID: the PCI device ID of the DSA to use (0b25: DSA 1.0, the
#   default; 11fb: the 2.0 layout)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=0x${1:-0b25}

failed() {
	echo "KTAP version 1"
	echo "1..1"
	echo "# $*"
	echo "not ok 1 idxd binds the DSA device ($devid)"
	exit 1
}

# The Rust driver binds the same IDs; idxd must be the one here.
rmmod idxd_vdcm 2>/dev/null
modprobe idxd || failed "modprobe idxd"
bdf=$(dsa_devices "${devid#0x}" | head -n 1)
[ -n "$bdf" ] || failed "no 8086:$devid device"
dev=/sys/bus/pci/devices/$bdf
dsa_bound_to idxd "$bdf" >/dev/null || failed "$dev is not bound to idxd"
dsa=$(idxd_dsa "$bdf") || failed "idxd made no dsaN device for $dev"

echo "# $(basename "$dev") is $dsa"
"$(dirname "$0")/idxd_user_test" "$dsa"
status=$?
rmmod idxd || status=1
exit $status
