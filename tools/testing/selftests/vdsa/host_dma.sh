#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host's WQs as dmaengine channels, through dmatest, the kernel's own
# client, on each DSA device of the machine (DSA 1.0 and 2.0 layouts):
#
# - idxd_vdcm registers one channel per host WQ (the dedicated WQ fed with
#   MOVDIR64B, the shared one with ENQCMDS), each under its PCI device in
#   /sys/class/dma and named in the driver's debugfs `config`;
# - dmatest copies and verifies buffers on every channel at once, several
#   threads per channel: 0 failures, and the driver counts the completions;
# - a client gives up copies in flight (test_modules/test_dma_terminate.c):
#   terminate_sync, and terminate_async from a callback then synchronize;
#   no callback and no write after them, the channel works again;
# - a vDSA copies through its portal while dmatest verifies on the host's
#   channels: each in its own memory, neither fails;
# - the driver is unbound while dmatest runs: the unbind returns, dmatest
#   reports errors and stops when told, the channels go, and after a bind
#   they come back and verify again;
# - the module cannot be removed while dmatest holds its channels (the
#   dmaengine core holds it), is removed once dmatest lets go, and loads
#   again.
#
# usage: host_dma.sh [DEVICE-ID] (default: every DSA device)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

drv=/sys/bus/pci/drivers/idxd_vdcm
p=/sys/module/dmatest/parameters
iterations=200
threads=2

dsas=$(dsa_devices "${1:-}")
ndsa=$(echo "$dsas" | wc -w)
first=$(echo "$dsas" | head -n 1)

# 2 tests, 4 per device, 7 on the first.
ktap_header $((2 + 4 * ndsa + 7))

rmmod idxd 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null

loaded() { modprobe idxd_vdcm && modprobe dmatest; }
ktap_check "idxd_vdcm and dmatest load" loaded

# config BDF: the driver's debugfs `config` of the device.
config() { echo "/sys/kernel/debug/idxd_vdcm-$1/config"; }
# chans BDF: the device's channels, as the driver names them.
chans() { awk '$1 == "dma_chan" { print $4 }' "$(config "$1")" 2>/dev/null; }
# chan_count BDF FIELD: the sum of FIELD over the device's channels.
chan_count() {
	awk -v f="$2" '$1 == "dma_chan" {
		for (i = 5; i < NF; i++) if ($i == f) n += $(i + 1) } END { print n + 0 }' "$(config "$1")"
}

# dmatest_setup ITERATIONS THREADS CHAN...: dmatest's parameters for a run
# on the channels given, verification on.
dmatest_setup() {
	dmatest_params "$1" "$2" test_buf_size=4096 noverify=0 norandom=0 || return 1
	shift 2
	for _c in "$@"; do
		echo "$_c" >$p/channel || return 1
	done
}

# dmatest_totals: "TESTS FAILURES IOPS" of the last run (dmatest_sums); the
# failures' lines as diagnostics.
dmatest_totals() {
	dmesg | grep 'dmatest: .*result' | grep -v "'prep error'" | head -n 5 | sed 's/^/# /' >&2
	dmatest_sums
}

# dmatest_run: runs dmatest as set up and waits for it; its totals.
dmatest_run() {
	dmesg -c >/dev/null
	echo 1 >$p/run || return 1
	cat $p/wait >/dev/null
	dmatest_totals
}

# stopped_clean THREADS: a run stopped in the middle had no failure but
# copies its stop interrupted: stopping a thread wakes its wait for the
# copy in flight, which dmatest then counts as timed out (at most one per
# thread). Anything else (a data error, an error status) fails it.
stopped_clean() {
	_other=$(dmesg | grep 'dmatest: .*result' | grep -v -c -e "'test timed out'" -e "'prep error'")
	_cut=$(dmesg | grep -c "dmatest: .*result .*'test timed out'")
	ktap_diag "$_cut copies cut short by the stop, $_other other failures"
	[ "$_other" -eq 0 ] && [ "$_cut" -le "$1" ]
}

# warned: the kernel logged a WARN (dmatest's "Kernel memory may be
# corrupted" is one: a callback after its client gave up).
warned() { dmesg | grep -q -E 'WARNING:|Kernel memory may be corrupted'; }

for bdf in $dsas; do
	listed() {
		_n=$(grep -c '^wq ' "$(config "$bdf")")
		_c=$(chans "$bdf" | wc -l)
		ktap_diag "$bdf: $_n host WQs, channels: $(chans "$bdf" | tr '\n' ' ')"
		grep '^dma_chan' "$(config "$bdf")" | sed 's/^/# /'
		[ "$_n" -ge 1 ] && [ "$_c" -eq "$_n" ] || return 1
		for _ch in $(chans "$bdf"); do
			[ "$(readlink -f "/sys/class/dma/$_ch/device")" = "$(readlink -f "/sys/bus/pci/devices/$bdf")" ] ||
				return 1
		done
	}
	ktap_check "$bdf: one dmaengine channel per host WQ, under the device" listed

	# test_dma_terminate (test_modules/) gives up copies in flight, on
	# channels no other client holds (dmatest keeps those it ran on).
	terminated() {
		_st=0
		for _ch in $(chans "$bdf"); do
			dmesg -c >/dev/null
			modprobe test_dma_terminate channel="$_ch" || _st=1
			dmesg | sed -n 's/.*test_dma_terminate: /# /p'
			rmmod test_dma_terminate 2>/dev/null
		done
		[ $_st -eq 0 ] && ! warned
	}
	ktap_check "$bdf: terminate_sync, terminate_async in a callback and synchronize, copies in flight, every channel" \
		terminated

	done0=$(chan_count "$bdf" completed)
	# shellcheck disable=SC2046 # one channel per word
	verified() {
		dmatest_setup $iterations $threads $(chans "$bdf") || return 1
		_want=$(($(chans "$bdf" | wc -l) * threads * iterations))
		set -- $(dmatest_run)
		ktap_diag "$bdf: dmatest: $1 tests, $2 failures (want $_want tests)"
		[ "$1" -eq "$_want" ] && [ "$2" -eq 0 ] && ! warned
	}
	ktap_check "$bdf: dmatest verifies $iterations copies x $threads threads on every channel, 0 failures" verified

	counted() {
		_done=$(($(chan_count "$bdf" completed) - done0))
		ktap_diag "$bdf: the driver counts $_done completions," \
			"$(chan_count "$bdf" failed) failed, $(chan_count "$bdf" aborted) aborted"
		[ "$_done" -ge $(($(chans "$bdf" | wc -l) * threads * iterations)) ] &&
			[ "$(chan_count "$bdf" failed)" -eq 0 ] && [ "$(chan_count "$bdf" aborted)" -eq 0 ]
	}
	ktap_check "$bdf: the completion interrupts report each copy, none failed" counted
done

# On the first device: a vDSA beside the channels, unbind and module removal.
bdf=$first

# A vDSA and the host's channels at once, each in its own memory: dmatest
# verifies its copies on the host's channels while a VFIO program copies
# through a vDSA's portal and checks its bytes.
# shellcheck disable=SC2046
together() {
	dmatest_setup 1000000 $threads $(chans "$bdf") || return 1
	dmesg -c >/dev/null
	echo 1 >$p/run || return 1
	out=$("$(dirname "$0")"/vdsa_test "$bdf" bench 2000)
	st=$?
	echo "$out" | grep '^# vdsa'
	timeout 120 sh -c "echo 0 >$p/run" || return 1
	set -- $(dmatest_totals)
	ktap_diag "$bdf: dmatest meanwhile: $1 tests, $2 failures"
	[ $st -eq 0 ] && [ "$1" -gt 0 ] && stopped_clean $((threads * $(chans "$bdf" | wc -l))) && ! warned
}
ktap_check "$bdf: a vDSA copies through its portal while dmatest verifies on the host's channels, no copy failed" together

# Unbind while dmatest runs: many iterations, so it is still running.
# shellcheck disable=SC2046
unbind_running() {
	dmatest_setup 1000000 $threads $(chans "$bdf") || return 1
	dmesg -c >/dev/null
	echo 1 >$p/run || return 1
	sleep 3
	timeout 120 sh -c "echo $bdf >$drv/unbind" || return 1
	! [ -e "$(config "$bdf")" ]
}
ktap_check "$bdf: unbind while dmatest runs on its channels returns" unbind_running
# shellcheck disable=SC2046 # the two figures
stopped() {
	timeout 120 sh -c "echo 0 >$p/run" || return 1
	set -- $(dmatest_totals)
	ktap_diag "$bdf: dmatest after the unbind: $1 tests, $2 failures"
	dmesg | grep 'dmatest: .*result' | tail -n 2 | sed 's/^/# /'
	[ "$1" -gt 0 ] && ! warned
}
ktap_check "$bdf: dmatest reports errors and stops when told, no WARN" stopped
# shellcheck disable=SC2046
rebound() {
	echo "$bdf" >$drv/bind && [ -n "$(chans "$bdf")" ] || return 1
	dmatest_setup 50 $threads $(chans "$bdf") || return 1
	set -- $(dmatest_run)
	ktap_diag "$bdf: after bind: $1 tests, $2 failures"
	[ "$1" -eq $((50 * threads * $(chans "$bdf" | wc -l))) ] && [ "$2" -eq 0 ]
}
ktap_check "$bdf: after a bind the channels are back and verify copies" rebound

# Module removal while dmatest holds the channels.
# shellcheck disable=SC2046
held() {
	dmatest_setup 1000000 1 $(chans "$bdf") || return 1
	echo 1 >$p/run || return 1
	sleep 2
	if rmmod idxd_vdcm 2>/dev/null; then
		ktap_diag "idxd_vdcm was removed under dmatest"
		return 1
	fi
	[ -n "$(chans "$bdf")" ]
}
ktap_check "the module is held while dmatest has its channels" held
# shellcheck disable=SC2046
released() {
	timeout 120 sh -c "echo 0 >$p/run" || return 1
	set -- $(dmatest_totals)
	ktap_diag "dmatest stopped: $1 tests, $2 failures"
	stopped_clean "$(chans "$bdf" | wc -l)" && ! warned && rmmod dmatest && rmmod idxd_vdcm
}
ktap_check "dmatest lets go, no copy failed; dmatest and idxd_vdcm are removed" released
# shellcheck disable=SC2046
reloaded() {
	modprobe idxd_vdcm && modprobe dmatest && [ -n "$(chans "$bdf")" ] || return 1
	dmatest_setup 20 1 "$(chans "$bdf" | head -n 1)" || return 1
	set -- $(dmatest_run)
	[ "$1" -eq 20 ] && [ "$2" -eq 0 ]
}
ktap_check "loaded again, its channels verify copies" reloaded

ktap_check "dmatest and idxd_vdcm are removed, as the test found the machine" rmmod dmatest idxd_vdcm
ktap_finished
