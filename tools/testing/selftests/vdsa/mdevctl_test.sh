#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Debian's mdevctl (in the payload, /opt/vdsa/l2) manages vDSAs through
# sysfs alone, without udev: it lists the type of idxd_vdcm, defines a
# vDSA, starts it (the mediated device appears), lists it, stops it (the
# device goes away) and undefines it.
#
# usage: mdevctl_test.sh [DEVICE-ID [TYPE]]
#   TYPE: 1dwq-v1 (the default) or 1swq-v1 (idxd_vdcm loaded with
#   swq_vdsas=2)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
bdf=$(dsa_devices "$devid" | head -n 1)
type=idxd_vdcm-${2:-1dwq-v1}
params=
[ "$type" != idxd_vdcm-1swq-v1 ] || params=swq_vdsas=2
uuid=$(cat /proc/sys/kernel/random/uuid)
avail=/sys/bus/pci/devices/$bdf/mdev_supported_types/$type/available_instances

if ! command -v mdevctl >/dev/null || [ ! -x /opt/vdsa/l2/mdevctl ]; then
	echo "KTAP version 1"
	echo "1..0 # SKIP no mdevctl (boot with tools/vm/run --l2)"
	exit 0
fi
ktap_header 9
rmmod idxd 2>/dev/null

loaded() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	rmmod idxd_vdcm 2>/dev/null
	# shellcheck disable=SC2086 # none or one parameter
	modprobe idxd_vdcm $params && dsa_bound_to idxd_vdcm "$bdf" && [ -e "$avail" ]
}
ktap_check "idxd_vdcm loaded${params:+ with $params}, $bdf offers vDSAs" loaded
before=$(cat "$avail" 2>/dev/null)

types() {
	mdevctl types >/tmp/mdevctl.out 2>&1
	_st=$?
	sed 's/^/# /' /tmp/mdevctl.out
	[ $_st -eq 0 ] && grep -q "^$bdf\$" /tmp/mdevctl.out &&
		grep -q "^  $type\$" /tmp/mdevctl.out
}
ktap_check "mdevctl types lists $type under $bdf" types

ktap_check "mdevctl define" \
	mdevctl define --uuid "$uuid" --parent "$bdf" --type "$type"

defined() {
	mdevctl list --defined >/tmp/mdevctl.out 2>&1
	sed 's/^/# /' /tmp/mdevctl.out
	grep -q "^$uuid $bdf $type manual" /tmp/mdevctl.out &&
		[ ! -e "/sys/bus/mdev/devices/$uuid" ]
}
ktap_check "mdevctl list --defined shows it, not started" defined

started() {
	mdevctl start --uuid "$uuid" &&
		[ -d "/sys/bus/mdev/devices/$uuid" ] &&
		[ "$(cat "$avail")" -eq $((before - 1)) ]
}
ktap_check "mdevctl start creates the vDSA (one instance fewer available)" started

listed() {
	mdevctl list >/tmp/mdevctl.out 2>&1
	sed 's/^/# /' /tmp/mdevctl.out
	grep -q "^$uuid $bdf $type" /tmp/mdevctl.out
}
ktap_check "mdevctl list shows the running vDSA" listed

stopped() {
	mdevctl stop --uuid "$uuid" &&
		[ ! -e "/sys/bus/mdev/devices/$uuid" ] &&
		[ "$(cat "$avail")" -eq "$before" ]
}
ktap_check "mdevctl stop removes it (the instance is available again)" stopped

undefined() {
	mdevctl undefine --uuid "$uuid" &&
		[ -z "$(mdevctl list --defined 2>&1)" ]
}
ktap_check "mdevctl undefine forgets it" undefined

# A start of what the device cannot give fails, and leaves nothing.
refused() {
	! mdevctl start --uuid "$uuid" --parent "$bdf" --type no-such-type 2>/dev/null &&
		[ ! -e "/sys/bus/mdev/devices/$uuid" ] && rmmod idxd_vdcm
}
ktap_check "mdevctl start of an unknown type fails cleanly" refused

ktap_finished
