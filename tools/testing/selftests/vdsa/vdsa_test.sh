#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA fast path on the first DSA with the given device ID: idxd_vdcm
# loaded as an operator would, then vdsa_test (see vdsa_test.c) with the
# default module parameters, and again with unsafe_user_portals=1, the
# operator's acceptance of INTEL-SA-01084, which is logged once.
#
# usage: vdsa_test.sh [DEVICE-ID]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
bdf=$(dsa_devices "$devid" | head -n 1)

ktap_header 4
vdcm_start "$devid" "$bdf"

ktap_check "vdsa_test $bdf" \
	"$(dirname "$0")"/vdsa_test "$bdf"

# The opt-in is logged once per module load.
optins() { dmesg | grep -c 'INTEL-SA-01084 accepted'; }
before=$(optins)
ktap_check "reloaded with unsafe_user_portals=1" \
	sh -c "rmmod idxd_vdcm && $(command -v modprobe) idxd_vdcm unsafe_user_portals=1"
status=0
"$(dirname "$0")"/vdsa_test "$bdf" unsafe || status=1
logged() {
	[ $status -eq 0 ] &&
		[ "$(optins)" -eq $((before + 1)) ]
}
ktap_check "vdsa_test $bdf unsafe, and the opt-in is logged once" logged
rmmod idxd_vdcm
ktap_finished
