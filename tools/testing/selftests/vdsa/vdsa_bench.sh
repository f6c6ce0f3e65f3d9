#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA fast path against the host's own submission, on the same DSA in
# the same boot: 4 KiB MEMMOVE descriptors per second submitted from user
# space through a vDSA's portal (MOVDIR64B, 8 in flight, each checked byte
# for byte) and by idxd_vdcm in the kernel through its dedicated WQ
# (debugfs "submit", 8 in flight, checked byte for byte); and the number of
# the driver's VFIO read, write and ioctl calls during the vDSA run, which
# must be 0; and the same vDSA run with each descriptor written by pwrite
# to its trapped portal instead (goal >= 0.5 of the mapped one). They
# alternate in 3 rounds; prints the median ratios, their spread and the
# goals (bench_rounds); the checks are that the runs complete without
# error, never a speed. Then the fairness of the shared WQ (idxd_vdcm
# reloaded with swq_vdsas=2): vDSA A floods it, vDSA B keeps its own WQ
# full, and B's share of the descriptors the two got in (goal >= 0.4), in 3
# rounds.
#
# usage: vdsa_bench.sh [DEVICE-ID [COUNT]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
count=${2:-4000}
bdf=$(dsa_devices "$devid" | head -n 1)

rounds=3
ktap_header $((4 * rounds + 2))
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
modprobe idxd_vdcm

host_rate=0
host() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	d=/sys/kernel/debug/idxd_vdcm-$bdf
	echo "memmove dwq 4096 $count" >"$d/submit" || return 1
	ktap_diag "host: $(cat "$d/submit")"
	host_rate=$(sed -n 's/.* desc_per_s=\([0-9]*\) .*/\1/p' "$d/submit")
}

vdsa_rate=0
calls=
vdsa() {
	out=$("$(dirname "$0")"/vdsa_test "$bdf" bench "$count") || {
		echo "$out"
		return 1
	}
	echo "$out" | grep '^#'
	vdsa_rate=$(echo "$out" | sed -n 's/^# vdsa desc_per_s=\([0-9]*\) .*/\1/p')
	calls=$(echo "$out" | sed -n 's/.* vfio_calls=\([0-9]*\).*/\1/p')
	[ "$calls" = 0 ]
}

trapped_rate=0
trapped() {
	out=$("$(dirname "$0")"/vdsa_test "$bdf" bench "$count" trapped) || {
		echo "$out"
		return 1
	}
	echo "$out" | grep '^#'
	trapped_rate=$(echo "$out" | sed -n 's/^# vdsa_trapped desc_per_s=\([0-9]*\) .*/\1/p')
}

# The three alternate, round after round, so that a slow stretch of the
# emulation weighs on all.
host_rates='' vdsa_rates='' trapped_rates='' all_calls=''
round=1
while [ $round -le $rounds ]; do
	host_rate=0 vdsa_rate=0 trapped_rate=0 calls=
	ktap_check "round $round host: $count x 4 KiB MEMMOVE through idxd_vdcm's dedicated WQ" host
	ktap_check "round $round vDSA: $count x 4 KiB MEMMOVE through its portal, no VFIO call" vdsa
	ktap_check "round $round vDSA: $count x 4 KiB MEMMOVE written to its trapped portal" trapped
	host_rates="$host_rates $host_rate" vdsa_rates="$vdsa_rates $vdsa_rate"
	trapped_rates="$trapped_rates $trapped_rate"
	all_calls="$all_calls ${calls:-?}"
	round=$((round + 1))
done

fair_b='' fair_all=''
fair() {
	out=$("$(dirname "$0")"/vdsa_swq_test "$bdf" bench 2) || {
		echo "$out"
		return 1
	}
	echo "$out" | grep '^#'
	_b=$(echo "$out" | sed -n 's/^# swq_fair b_per_s=\([0-9]*\) .*/\1/p')
	_a=$(echo "$out" | sed -n 's/.* a_per_s=\([0-9]*\).*/\1/p')
	fair_b="$fair_b ${_b:-0}" fair_all="$fair_all $((${_a:-0} + ${_b:-0}))"
}
ktap_check "idxd_vdcm reloaded with swq_vdsas=2" \
	sh -c "rmmod idxd_vdcm && $(command -v modprobe) idxd_vdcm swq_vdsas=2"
round=1
while [ $round -le $rounds ]; do
	ktap_check "round $round shared WQ: A floods, B keeps its WQ full, B's copies right" fair
	round=$((round + 1))
done
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm

bench_rounds "vDSA portal 4 KiB MEMMOVE, depth 8 (user vs host kernel dwq)" \
	desc/s ">=0.95" "$vdsa_rates" "$host_rates"
bench_rounds "vDSA 4 KiB MEMMOVE, depth 8 (trapped portal, pwrite, vs mapped)" \
	desc/s ">=0.5" "$trapped_rates" "$vdsa_rates"
ktap_diag "bench: vDSA driver VFIO calls during the fast-path runs |$all_calls | goal 0"
bench_rounds "shared WQ fairness: B's 4 KiB MEMMOVEs while A floods (vs both)" \
	desc/s ">=0.4" "$fair_b" "$fair_all"
ktap_finished
