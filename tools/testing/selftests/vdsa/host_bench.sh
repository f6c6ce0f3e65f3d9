#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host's channels of idxd_vdcm next to those of the upstream idxd
# dmaengine driver, on the same DSA device in the same boot, through the
# same client: dmatest's copies per second, THREADS threads on the channel
# (the queue depth), 4 KiB buffers, no verification: idxd_vdcm's dedicated
# WQ (MOVDIR64B) and shared WQ (ENQCMDS with the kernel PASID), 16 entries
# each, against idxd's dedicated and shared kernel WQs of 16 entries. The
# drivers take turns on the device in ROUNDS rounds, and each figure is printed with its reference as the
# median of the rounds' ratios with their spread (bench_rounds). The checks
# are that every run completes without error, never a speed.
#
# usage: host_bench.sh [DEVICE-ID [COUNT [ROUNDS [THREADS]]]]
#   COUNT: copies per thread

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
count=${2:-1000}
rounds=${3:-5}
threads=${4:-4}

ktap_header $((3 * rounds + 1))

bdf=$(dsa_devices "$devid" | head -n 1)
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
rmmod idxd_vdcm 2>/dev/null

# copies CHANNEL: dmatest's run on CHANNEL; its rate in $rate.
rate=0
copies() {
	# shellcheck disable=SC2046 # three figures
	set -- $(dmatest_iops "$1" "$count" "$threads" test_buf_size=4096 norandom=1 noverify=1)
	ktap_diag "  $1 copies, $2 failures, $3 copies/s"
	rate=${3:-0}
	[ "${1:-0}" -eq $((count * threads)) ] && [ "${2:-1}" -eq 0 ]
}

ours_dwq='' ours_swq='' idxd_dwq='' idxd_swq=''

# ours: idxd_vdcm's channels of its dedicated and shared WQ.
ours() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd_vdcm dwq_size=16 swq_size=16 || return 1
	cfg=/sys/kernel/debug/idxd_vdcm-$bdf/config
	dch=$(awk '$1 == "dma_chan" && $3 == 0 { print $4 }' "$cfg")
	sch=$(awk '$1 == "dma_chan" && $3 == 1 { print $4 }' "$cfg")
	ktap_diag "idxd_vdcm: dedicated WQ $dch, shared WQ $sch"
	copies "$dch" || return 1
	ours_dwq="$ours_dwq $rate"
	copies "$sch" || return 1
	ours_swq="$ours_swq $rate"
	rmmod dmatest && rmmod idxd_vdcm
}

# theirs MODE: idxd's channel of a kernel WQ in MODE (dedicated or
# shared). (The ktap.sh helpers use names that start with "_": these are
# others.)
theirs() {
	modprobe idxd || return 1
	name=$(idxd_dsa "$bdf") || return 1
	num=${name#dsa}
	idxd_kernel_wq "$name" 16 4096 "$1" &&
		echo "$name" >/sys/bus/dsa/drivers/idxd/bind &&
		echo "wq$num.0" >/sys/bus/dsa/drivers/dmaengine/bind || return 1
	ich=$(idxd_chan "wq$num.0") || return 1
	ktap_diag "idxd: $1 WQ $ich"
	copies "$ich" || return 1
	case $1 in
	dedicated) idxd_dwq="$idxd_dwq $rate" ;;
	shared) idxd_swq="$idxd_swq $rate" ;;
	esac
	rmmod dmatest &&
		echo "wq$num.0" >/sys/bus/dsa/drivers/dmaengine/unbind &&
		echo "$name" >/sys/bus/dsa/drivers/idxd/unbind &&
		rmmod idxd
}

r=1
while [ $r -le "$rounds" ]; do
	ktap_check "round $r: idxd_vdcm: dmatest, $threads threads x $count copies of 4 KiB, on each WQ" ours
	ktap_check "round $r: idxd: the same on its dedicated WQ" theirs dedicated
	ktap_check "round $r: idxd: the same on its shared WQ" theirs shared
	r=$((r + 1))
done
ktap_check "no driver left on the device" test ! -e "/sys/bus/pci/devices/$bdf/driver"

bench_rounds "host dedicated WQ, dmatest $threads threads (idxd_vdcm vs idxd)" \
	copies/s ">=1.0" "$ours_dwq" "$idxd_dwq"
bench_rounds "host shared WQ, dmatest $threads threads (idxd_vdcm vs idxd)" \
	copies/s ">=1.0" "$ours_swq" "$idxd_swq"
ktap_finished
