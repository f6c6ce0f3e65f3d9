#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel submission rate of idxd_vdcm next to the upstream idxd dmaengine
# driver with dmatest, on the same DSA device in the same boot: 4 KiB
# MEMMOVE descriptors per second through idxd_vdcm's dedicated WQ
# (MOVDIR64B) and shared WQ (ENQCMDS), and dmatest's copies per second
# (4 KiB, no verification) through an idxd kernel WQ. The figures are
# reported with their ratios; the checks are that every run completes
# without error, never a speed.
#
# usage: host_bench.sh [DEVICE-ID [COUNT]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
count=${2:-4000}

ktap_header 4

bdf=$(dsa_devices "$devid" | head -n 1)
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null

rate() {
	sed -n 's/.* desc_per_s=\([0-9]*\) .*/\1/p' "$1"
}

dwq_rate=0
swq_rate=0
ours() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd_vdcm || return 1
	d=/sys/kernel/debug/idxd_vdcm-$bdf
	echo "memmove dwq 4096 $count" >"$d/submit" || return 1
	ktap_diag "idxd_vdcm: $(cat "$d/submit")"
	dwq_rate=$(rate "$d/submit")
	echo "memmove swq 4096 $count" >"$d/submit" || return 1
	ktap_diag "idxd_vdcm: $(cat "$d/submit")"
	swq_rate=$(rate "$d/submit")
	rmmod idxd_vdcm
}
ktap_check "idxd_vdcm: $count x 4 KiB MEMMOVE on each WQ" ours

dsa=
wq=
idxd_setup() {
	modprobe idxd || return 1
	for x in "/sys/bus/pci/devices/$bdf"/dsa*; do
		dsa=/sys/bus/dsa/devices/${x##*/}
	done
	n=${dsa#/sys/bus/dsa/devices/dsa}
	wq=wq$n.0
	echo 4096 >"$dsa/$wq/max_transfer_size" &&
		echo 0 >"$dsa/engine$n.0/group_id" &&
		echo 0 >"$dsa/$wq/group_id" &&
		echo dedicated >"$dsa/$wq/mode" &&
		echo 16 >"$dsa/$wq/size" &&
		echo 10 >"$dsa/$wq/priority" &&
		echo kernel >"$dsa/$wq/type" &&
		echo dmaengine >"$dsa/$wq/name" &&
		echo dmaengine >"$dsa/$wq/driver_name" &&
		echo "dsa$n" >/sys/bus/dsa/drivers/idxd/bind &&
		echo "$wq" >/sys/bus/dsa/drivers/dmaengine/bind
}
ktap_check "idxd: dedicated kernel WQ as a dmaengine channel" idxd_setup

dmatest_rate=0
dmatest_run() {
	chan=
	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] && { chan=${c##*/}; break; }
	done
	[ -n "$chan" ] || return 1
	modprobe dmatest || return 1
	p=/sys/module/dmatest/parameters
	echo 60000 >$p/timeout
	echo "$count" >$p/iterations
	echo 1 >$p/threads_per_chan
	echo 4096 >$p/test_buf_size
	echo 1 >$p/norandom
	echo 1 >$p/noverify
	echo "$chan" >$p/channel || return 1
	dmesg -c >/dev/null
	echo 1 >$p/run
	cat $p/wait >/dev/null
	summary=$(dmesg | grep 'dmatest: .*summary' | tail -n 1)
	ktap_diag "idxd+dmatest: $summary"
	dmatest_rate=$(echo "$summary" | sed -n 's/.* \([0-9]*\)\.[0-9]* iops.*/\1/p')
	rmmod dmatest
	echo "$summary" | grep -q "summary $count tests, 0 failures"
}
ktap_check "dmatest: $count x 4 KiB copies, no failure" dmatest_run

teardown() {
	echo "$wq" >/sys/bus/dsa/drivers/dmaengine/unbind &&
		echo "dsa${dsa#/sys/bus/dsa/devices/dsa}" >/sys/bus/dsa/drivers/idxd/unbind &&
		rmmod idxd
}
ktap_check "idxd torn down" teardown

# Ratios in percent: idxd_vdcm's rate against idxd+dmatest's.
if [ "${dmatest_rate:-0}" -gt 0 ]; then
	ktap_diag "bench: 4 KiB MEMMOVE/s idxd_vdcm dwq $dwq_rate, swq $swq_rate;" \
		"idxd+dmatest $dmatest_rate;" \
		"ratio dwq $((dwq_rate * 100 / dmatest_rate))%, swq $((swq_rate * 100 / dmatest_rate))%"
fi
ktap_finished
