#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The emulated DSA under the upstream idxd driver: idxd probes it; a group,
# an engine and a dedicated kernel WQ are configured through idxd's sysfs
# (plain writes, as accel-config would do them); the WQ becomes a dmaengine
# channel and dmatest copies and verifies a few hundred buffers through it.
# On a device whose configuration is read-only (a vDSA in a nested guest)
# only the WQ's type and name are written.
#
# usage: dsa_dmatest.sh [DEVICE-ID [ITERATIONS [ro]]]
#   DEVICE-ID: the PCI device ID of the DSA to use (0b25: DSA 1.0, the
#   default; 11fb: the 2.0 layout)
#   ro: the device's configuration is read-only (a vDSA)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=0x${1:-0b25}
iterations=${2:-400}
ro=
[ "${3:-}" != ro ] || ro=1

ktap_header 10

# The Rust driver binds the same IDs; idxd must be the one here.
rmmod idxd_vdcm 2>/dev/null

# The idxd device (dsaN) of the PCI device, and its first WQ.
dsa=/nonexistent
wq=/nonexistent
probe() {
	bdf=$(dsa_devices "${devid#0x}" | head -n 1)
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd || return 1
	dsa_bound_to idxd "$bdf" || return 1
	name=$(idxd_dsa "$bdf") || { ktap_diag "idxd made no dsaN device for $bdf"; return 1; }
	dsa=/sys/bus/dsa/devices/$name
	wq=$dsa/wq${name#dsa}.0
	ktap_diag "$bdf is $name"
	test -d $dsa && test -d $wq
}
ktap_check "idxd probes the DSA device ($devid)" probe
n=${dsa#/sys/bus/dsa/devices/dsa}

# A device whose configuration is read-only (a vDSA: its host configured
# its group, engine and dedicated WQ) is enabled by idxd at probe; only
# the WQ's type and name are the guest's to write.
configurable=1
[ -z "$ro" ] || configurable=0

caps() {
	ktap_diag "version $(cat $dsa/version) max_work_queues $(cat $dsa/max_work_queues)" \
		"max_engines $(cat $dsa/max_engines) max_groups $(cat $dsa/max_groups)" \
		"wq size $(cat $dsa/max_work_queues_size) op_cap $(cat $dsa/op_cap)" \
		"configurable $(cat $dsa/configurable)"
	[ "$(cat $dsa/max_work_queues)" -ge 1 ] && [ "$(cat $dsa/max_engines)" -ge 1 ] &&
		[ "$(cat $dsa/configurable)" = $configurable ] &&
		{ [ -n "$ro" ] || [ "$(cat $dsa/state)" = disabled ]; }
}
ktap_check "capabilities read through sysfs" caps

# The largest copy: the device's (or idxd's default WQ) maximum transfer,
# at most dmatest's default buffer of 16 KiB; the WQ's if read-only.
if [ -n "$ro" ]; then
	xfer=$(cat $wq/max_transfer_size 2>/dev/null) || xfer=16384
else
	xfer=$(cat $dsa/max_transfer_size 2>/dev/null) || xfer=16384
fi
[ "$xfer" -le 2097152 ] || xfer=2097152
buf=$xfer
[ "$buf" -le 16384 ] || buf=16384

configure() {
	if [ -n "$ro" ]; then
		echo kernel >"$wq/type" && echo dmaengine >"$wq/name" &&
			echo dmaengine >"$wq/driver_name"
	else
		idxd_kernel_wq "dsa$n" 32 "$xfer"
	fi
}
if [ -n "$ro" ]; then
	ktap_check "WQ configured: type and name (the configuration is read-only)" configure
else
	ktap_check "group, engine and WQ configured" configure
fi

enable_dev() {
	if [ -n "$ro" ]; then
		[ "$(cat $dsa/state)" = enabled ]
	else
		echo "dsa$n" >/sys/bus/dsa/drivers/idxd/bind &&
			[ "$(cat $dsa/state)" = enabled ]
	fi
}
if [ -n "$ro" ]; then
	ktap_check "device enabled (by idxd at probe)" enable_dev
else
	ktap_check "device enabled (idxd bind)" enable_dev
fi

enable_wq() {
	echo "wq$n.0" >/sys/bus/dsa/drivers/dmaengine/bind &&
		[ "$(cat $wq/state)" = enabled ]
}
ktap_check "kernel WQ enabled as a dmaengine channel" enable_wq

chan=
find_chan() {
	chan=$(idxd_chan "wq$n.0")
}
ktap_check "dmaengine channel present" find_chan

run_dmatest() {
	summary=$(dmatest_summary "$chan" "$iterations" "$buf") || return 1
	ktap_diag "$summary (buffers up to $buf bytes)"
	echo "$summary" | grep -q "summary $iterations tests, 0 failures"
}
ktap_check "dmatest: $iterations verified copies, 0 failures" run_dmatest

occupancy() {
	# The WQ is empty again once dmatest is done (DSA 2.0 reports the
	# occupancy; on 1.0 the attribute is not supported).
	occ=$(cat $wq/occupancy 2>/dev/null) || return 0
	[ "$occ" = 0 ]
}
ktap_check "WQ empty after the run" occupancy

disable() {
	rmmod dmatest &&
		echo "wq$n.0" >/sys/bus/dsa/drivers/dmaengine/unbind &&
		[ "$(cat $wq/state)" = disabled ] &&
		echo "dsa$n" >/sys/bus/dsa/drivers/idxd/unbind &&
		[ "$(cat $dsa/state)" = disabled ]
}
ktap_check "WQ and device disable cleanly" disable

unload() {
	rmmod idxd && ! test -d $dsa
}
ktap_check "idxd unloads" unload

ktap_finished
