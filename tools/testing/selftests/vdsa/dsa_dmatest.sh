#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The emulated DSA under the upstream idxd driver: idxd probes it; a group,
# an engine and a dedicated kernel WQ are configured through idxd's sysfs
# (plain writes, as accel-config would do them); the WQ becomes a dmaengine
# channel and dmatest copies and verifies a few hundred buffers through it.
#
# usage: dsa_dmatest.sh [DEVICE-ID [ITERATIONS]]
#   DEVICE-ID: the PCI device ID of the DSA to use (0b25: DSA 1.0, the
#   default; 11fb: the 2.0 layout)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=0x${1:-0b25}
iterations=${2:-400}

ktap_header 10

# The Rust driver binds the same IDs; idxd must be the one here.
rmmod idxd_vdcm 2>/dev/null

pci_dev() {
	_bdf=$(dsa_devices "${devid#0x}" | head -n 1)
	[ -n "$_bdf" ] && echo "/sys/bus/pci/devices/$_bdf"
}

# The idxd device (dsaN) of the PCI device, and its first WQ.
dsa=/nonexistent
wq=/nonexistent
probe() {
	dev=$(pci_dev) || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd || return 1
	[ "$(basename "$(readlink "$dev/driver")")" = idxd ] || {
		ktap_diag "$dev is not bound to idxd"
		return 1
	}
	for d in "$dev"/dsa*; do
		[ -d "$d" ] || continue
		dsa=/sys/bus/dsa/devices/$(basename "$d")
		wq=$dsa/wq${dsa#/sys/bus/dsa/devices/dsa}.0
	done
	ktap_diag "$(basename "$dev") is $(basename $dsa)"
	test -d $dsa && test -d $wq
}
ktap_check "idxd probes the DSA device ($devid)" probe
n=${dsa#/sys/bus/dsa/devices/dsa}

caps() {
	ktap_diag "version $(cat $dsa/version) max_work_queues $(cat $dsa/max_work_queues)" \
		"max_engines $(cat $dsa/max_engines) max_groups $(cat $dsa/max_groups)" \
		"wq size $(cat $dsa/max_work_queues_size) op_cap $(cat $dsa/op_cap)"
	[ "$(cat $dsa/max_work_queues)" -ge 1 ] && [ "$(cat $dsa/max_engines)" -ge 1 ] &&
		[ "$(cat $dsa/configurable)" = 1 ] && [ "$(cat $dsa/state)" = disabled ]
}
ktap_check "capabilities read through sysfs" caps

# The largest copy: the device's (or idxd's default WQ) maximum transfer,
# at most dmatest's default buffer of 16 KiB.
xfer=$(cat $dsa/max_transfer_size 2>/dev/null) || xfer=16384
[ "$xfer" -le 2097152 ] || xfer=2097152
buf=$xfer
[ "$buf" -le 16384 ] || buf=16384

configure() {
	echo "$xfer" >$wq/max_transfer_size &&
	echo 0 >$dsa/engine${n}.0/group_id &&
		echo 0 >$wq/group_id &&
		echo dedicated >$wq/mode &&
		echo 32 >$wq/size &&
		echo 10 >$wq/priority &&
		echo kernel >$wq/type &&
		echo dmaengine >$wq/name &&
		echo dmaengine >$wq/driver_name
}
ktap_check "group, engine and WQ configured" configure

enable_dev() {
	echo "dsa$n" >/sys/bus/dsa/drivers/idxd/bind &&
		[ "$(cat $dsa/state)" = enabled ]
}
ktap_check "device enabled (idxd bind)" enable_dev

enable_wq() {
	echo "wq$n.0" >/sys/bus/dsa/drivers/dmaengine/bind &&
		[ "$(cat $wq/state)" = enabled ]
}
ktap_check "kernel WQ enabled as a dmaengine channel" enable_wq

chan=
find_chan() {
	for c in /sys/class/dma/*; do
		[ -e "$c" ] || continue
		case "$(readlink -f "$c/device")" in
		*/"wq$n.0") chan=$(basename "$c"); return 0 ;;
		esac
	done
	# Otherwise the only channel there is (idxd's are the only ones here).
	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] && { chan=$(basename "$c"); return 0; }
	done
	return 1
}
ktap_check "dmaengine channel present" find_chan

run_dmatest() {
	modprobe dmatest || return 1
	p=/sys/module/dmatest/parameters
	echo 60000 >$p/timeout
	echo "$iterations" >$p/iterations
	echo 1 >$p/threads_per_chan
	echo "$buf" >$p/test_buf_size
	echo "$chan" >$p/channel || return 1
	dmesg -c >/dev/null
	echo 1 >$p/run
	cat $p/wait >/dev/null
	summary=$(dmesg | grep 'dmatest: .*summary' | tail -n 1)
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
