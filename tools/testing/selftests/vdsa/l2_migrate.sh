#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Live migration of a nested guest that holds a vDSA, as a VMM does it: a
# destination QEMU waits for the guest with vDSA B (vdsa-l2 --incoming), the
# source QEMU runs it with vDSA A, of another WQ of the same DSA, where the
# upstream idxd runs dmatest (dsa_dmatest.sh, verified copies); while
# dmatest runs, the source's monitor migrates the guest to the destination
# and quits. Here: dmatest finishes on B with 0 failures; neither QEMU
# logs a warning (-only-migratable: no blocker); the nested idxd logs no
# error; B's WQ revoked the guest's interrupt handle, and its IMS vector
# took completions after the move; A's WQ is disabled once the source quit.
# The migration's total time and downtime are printed.
#
# usage: l2_migrate.sh [container|iommufd] [ITERATIONS]

# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$(dirname "$0")/dsa_vfio.sh"

backend=${1:-container}
iterations=${2:-3000}
tests=$(cd "$(dirname "$0")" && pwd)
work=/tmp/l2_migrate
rm -rf $work
mkdir -p $work
mon=$work/mon
sock=$work/mig.sock

ktap_header 9

dev=$(dsa_devices 0b25 | head -n 1)
rmmod idxd 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null
cfg=/sys/kernel/debug/idxd_vdcm-$dev/config
types=/sys/bus/pci/devices/$dev/mdev_supported_types/idxd_vdcm-1dwq-v1

# taken: the bitmap of the WQs vDSAs took.
taken() { sed -n 's/^vdsa_wqs .* taken \(0x[0-9a-f]*\)$/\1/p' "$cfg"; }
# wq_count WQ FIELD: the vdsa_wq line's number after FIELD.
wq_count() {
	awk -v wq="$1" -v f="$2" '$1 == "vdsa_wq" && $2 == wq {
		for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }' "$cfg"
}
# lowest_bit MASK: the index of the lowest set bit.
lowest_bit() {
	_m=$(($1)) _i=0
	while [ $_m -gt 0 ] && [ $((_m & 1)) -eq 0 ]; do
		_m=$((_m >> 1)) _i=$((_i + 1))
	done
	echo $_i
}

a='' b='' wqa='' wqb=''
create() {
	modprobe idxd_vdcm || return 1
	t0=$(($(taken)))
	a=$(cat /proc/sys/kernel/random/uuid)
	echo "$a" >"$types/create" || return 1
	t1=$(($(taken)))
	b=$(cat /proc/sys/kernel/random/uuid)
	echo "$b" >"$types/create" || return 1
	t2=$(($(taken)))
	wqa=$(lowest_bit $((t1 & ~t0)))
	wqb=$(lowest_bit $((t2 & ~t1)))
	ktap_diag "vDSA A $a on WQ $wqa, vDSA B $b on WQ $wqb"
	[ "$wqa" != "$wqb" ]
}
ktap_check "vDSAs A and B created through sysfs on two WQs of $dev" create

opt=
[ "$backend" = iommufd ] && opt=--iommufd
revoked0=$(wq_count "$wqb" revoked)
done0=$(wq_count "$wqb" completions)

start=$(date +%s)
# The destination: waits for the guest on the socket; its command is not
# run, the migrated guest's is, whose output comes out here.
# shellcheck disable=SC2086 # $opt is one option or none
vdsa-l2 $opt --vdsa "$b" --incoming "unix:$sock" --mem 256 --timeout 1800 \
	--log $work/dst.console -- true >$work/dst.out 2>$work/dst.err &
dst=$!
# shellcheck disable=SC2086
vdsa-l2 $opt --vdsa "$a" --outgoing --monitor "$mon" --mem 256 --timeout 1800 \
	--log $work/src.console -- "$tests/dsa_dmatest.sh" 0b25 "$iterations" ro \
	>$work/src.out 2>$work/src.err &
src=$!

# monitor CMD: one command on the source's monitor.
monitor() { echo "$1" >"$mon.in"; }
# wait_for SECS CMD...: until CMD succeeds, at most SECS seconds.
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 1
	done
}

running() {
	kill -0 $src 2>/dev/null && grep -q 'dmatest: Started' $work/src.console
}
drain=
if wait_for 60 test -p "$mon.out"; then
	cat "$mon.out" >$work/mon.log &
	drain=$!
fi
ktap_check "the source runs dmatest on A in the nested guest" wait_for 900 running

# status: the migration's status in the last "info migrate" answer.
status() { sed -n 's/^Status:[[:space:]]*\([a-z-]*\).*/\1/p' $work/mon.log | tail -n 1; }
migrate() {
	# Some copies on A first.
	sleep 5
	_t=$(date +%s)
	monitor "migrate -d unix:$sock"
	_st=1 _forced=
	while [ $(($(date +%s) - _t)) -lt 900 ]; do
		sleep 3
		monitor "info migrate"
		sleep 1
		case "$(status)" in
		completed) _st=0; break ;;
		failed | cancelled) break ;;
		esac
		# The guest's dmatest dirties memory faster than emulation
		# inside emulation sends it: past 4 minutes, allow the downtime
		# it takes to finish.
		if [ -z "$_forced" ] && [ $(($(date +%s) - _t)) -ge 240 ]; then
			ktap_diag "not converged after 4 minutes: downtime limit raised to 60 s"
			ktap_diag "$(grep 'Transfers:' $work/mon.log | tail -n 1 | tr -s ' \t')"
			monitor "migrate_set_parameter downtime-limit 60000"
			_forced=1
		fi
	done
	ktap_diag "migration: $(status) after $(($(date +%s) - _t)) s by this machine's clock"
	monitor quit
	return $_st
}
ktap_check "the source's monitor migrates the guest live to the destination (B)" migrate
[ -n "$drain" ] && sleep 1 && kill $drain 2>/dev/null

wait $src
st_src=$?
wait $dst
st_dst=$?
end=$(date +%s)
ktap_diag "$(grep -E '^Time \(ms\)|Transfers:' $work/mon.log | tail -n 2 | tr -s ' \t\r\n' ' ')"
ktap_diag "both nested runs: $((end - start)) s in all"
sed 's/^/# src: /' $work/src.err
sed 's/^/# dst: /' $work/dst.err
sed 's/^/    /' $work/dst.out
[ $st_src -eq 0 ]
ktap_result $? "the source QEMU quits cleanly after the migration, without a warning"
[ $st_dst -eq 0 ]
ktap_result $? "the guest finishes on the destination, no QEMU warning, no guest report"

summary=$(grep -o 'summary [0-9]* tests, [0-9]* failures.*' $work/dst.out)
ktap_diag "nested dmatest: ${summary:-no summary}"
echo "$summary" | grep -q "^summary $iterations tests, 0 failures"
ktap_result $? "nested dmatest: $iterations verified copies across the migration, 0 failures"

idxd_errors() {
	! cat $work/src.console $work/dst.console | grep -E -i 'idxd.*(error|fail|halt)'
}
ktap_check "the nested idxd logs no error" idxd_errors

revoked=$(($(wq_count "$wqb" revoked) - revoked0))
done_b=$(($(wq_count "$wqb" completions) - done0))
ktap_diag "B's WQ $wqb: $revoked handles revoked, $done_b completion interrupts"
[ $revoked -eq 1 ] && [ $done_b -gt 0 ]
ktap_result $? "B revoked the guest's handle once; its IMS vector took completions"

removed() {
	grep -q "^vdsa_wq $wqa disabled" "$cfg" &&
		echo 1 >"/sys/bus/mdev/devices/$a/remove" &&
		echo 1 >"/sys/bus/mdev/devices/$b/remove"
}
ktap_check "A's WQ is disabled after the source quit; both vDSAs removed" removed
ktap_finished
