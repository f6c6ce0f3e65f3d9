#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Device halts and their recovery on the first DSA with the given device
# ID: vdsa_halt_test (see vdsa_halt_test.c) halts the device HALTS times
# while two vDSAs and the host's own WQ copy; afterwards the host's WQs
# still work, no WQ is left taken and the driver unloads. The device needs
# QEMU's test-only fault injection (-global intel-dsa.x-fault-inject=on,
# which tools/check.sh gives the main boot).
#
# usage: vdsa_halt_test.sh [DEVICE-ID [HALTS]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
halts=${2:-4}
bdf=$(dsa_devices "$devid" | head -n 1)
cfg=/sys/kernel/debug/idxd_vdcm-$bdf/config

ktap_header 4
vdcm_start "$devid" "$bdf"

ktap_check "vdsa_halt_test $bdf $halts" \
	"$(dirname "$0")"/vdsa_halt_test "$bdf" "$halts"

host_ok() {
	echo "memmove dwq 4096 50" > "/sys/kernel/debug/idxd_vdcm-$bdf/submit" &&
		echo "memmove swq 4096 50" > "/sys/kernel/debug/idxd_vdcm-$bdf/submit" &&
		echo "memmove dwq 4096 10 ims" > "/sys/kernel/debug/idxd_vdcm-$bdf/submit" &&
		grep -q 'taken 0x0$' "$cfg" && grep -q '^halted false$' "$cfg"
}
ktap_check "the host's WQs work (IMS interrupts too), no WQ is left taken" host_ok
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
