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
	dsa=$(idxd_dsa "$bdf") || return 1
	wq=wq${dsa#dsa}.0
	idxd_kernel_wq "$dsa" 16 4096 &&
		echo "$dsa" >/sys/bus/dsa/drivers/idxd/bind &&
		echo "$wq" >/sys/bus/dsa/drivers/dmaengine/bind
}
ktap_check "idxd: dedicated kernel WQ as a dmaengine channel" idxd_setup

dmatest_rate=0
dmatest_run() {
	chan=$(idxd_chan "$wq") || return 1
	summary=$(dmatest_summary "$chan" "$count" 4096 norandom=1 noverify=1) || return 1
	ktap_diag "idxd+dmatest: $summary"
	dmatest_rate=$(echo "$summary" | sed -n 's/.* \([0-9]*\)\.[0-9]* iops.*/\1/p')
	rmmod dmatest
	echo "$summary" | grep -q "summary $count tests, 0 failures"
}
ktap_check "dmatest: $count x 4 KiB copies, no failure" dmatest_run

teardown() {
	echo "$wq" >/sys/bus/dsa/drivers/dmaengine/unbind &&
		echo "$dsa" >/sys/bus/dsa/drivers/idxd/unbind &&
		rmmod idxd
}
ktap_check "idxd torn down" teardown

# idxd_vdcm's kernel submission against idxd+dmatest: information on the
# host half (the vDSA benchmarks compare against idxd_vdcm's own rates).
if [ "${dmatest_rate:-0}" -gt 0 ]; then
	bench_report "host dwq 4 KiB MEMMOVE (idxd_vdcm vs idxd+dmatest)" \
		"$dwq_rate" "$dmatest_rate" desc/s ">=1.0"
	bench_report "host swq 4 KiB MEMMOVE (idxd_vdcm vs idxd+dmatest)" \
		"$swq_rate" "$dmatest_rate" desc/s ">=1.0"
fi
ktap_finished
