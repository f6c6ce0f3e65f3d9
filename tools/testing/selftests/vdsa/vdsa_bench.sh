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
# alternate in ROUNDS rounds; prints the median ratios, their spread and
# the goals (bench_rounds); the checks are that the runs complete without
# error, never a speed.
#
# usage: vdsa_bench.sh [DEVICE-ID [COUNT]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
count=${2:-4000}
bdf=$(dsa_devices "$devid" | head -n 1)

rounds=3
ktap_header $((3 * rounds + 1))
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
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm

bench_rounds "vDSA portal 4 KiB MEMMOVE, depth 8 (user vs host kernel dwq)" \
	desc/s ">=0.95" "$vdsa_rates" "$host_rates"
bench_rounds "vDSA 4 KiB MEMMOVE, depth 8 (trapped portal, pwrite, vs mapped)" \
	desc/s ">=0.5" "$trapped_rates" "$vdsa_rates"
ktap_diag "bench: vDSA driver VFIO calls during the fast-path runs |$all_calls | goal 0"
ktap_finished
