#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a vDSA costs a live migration, in one boot. The nested guest (256
# MiB, idle once set up) moves from one QEMU to another (vdsa-l2 --outgoing
# and --incoming), in rounds that alternate three guests:
#
#   none   no device;
#   wq     a vDSA whose WQ the guest's idxd enabled as a dmaengine channel,
#          as a guest that uses it leaves it: while the WQ may run, the
#          vDSA reports every page dirty (mdev-idxd.rst, "Migration"), so
#          the guest's memory is sent again during the downtime;
#   idle   a vDSA that no guest driver enabled: its dirty log stays clean,
#          what is left is its quiesce and its state stream.
#
# Printed: QEMU's total migration time and downtime, the median of the
# rounds' ratios with the spread and the bests (bench_rounds), of "wq"
# against "none" (goal <= 1.1) and of "idle" against "none" (context); the
# vDSA's quiesce with copies in flight and its stream, from
# vdsa_migrate_test, against the downtime. The checks are that each
# migration completes, never a time.
#
# usage: l2_migrate_bench.sh [container|iommufd] [kvm|tcg] [ROUNDS]

# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$(dirname "$0")/dsa_vfio.sh"
# shellcheck source=tools/testing/selftests/vdsa/l2_qemu.sh
. "$(dirname "$0")/l2_qemu.sh"

backend=${1:-container}
accel=${2:-kvm}
rounds=${3:-5}
tests=$(cd "$(dirname "$0")" && pwd)
# Each round's QEMUs in $work, the figures in $results.
results=/tmp/l2_migrate_bench
rm -rf $results
mkdir -p $results

ktap_header $((3 * rounds + 3))

dev=$(dsa_devices 0b25 | head -n 1)
rmmod idxd 2>/dev/null
types=/sys/bus/pci/devices/$dev/mdev_supported_types/idxd_vdcm-1dwq-v1

a='' b=''
create() {
	modprobe idxd_vdcm || return 1
	a=$(cat /proc/sys/kernel/random/uuid) && echo "$a" >"$types/create" &&
		b=$(cat /proc/sys/kernel/random/uuid) && echo "$b" >"$types/create"
}
ktap_check "vDSAs A and B created through sysfs on $dev" create

l2_opt="--accel $accel --mem 256 --timeout 900"
[ "$backend" = iommufd ] && l2_opt="$l2_opt --iommufd"

# The nested guest's command: set up, say so, idle until migrated away.
idle='echo vdsa-bench: ready; sleep 900'
# The guest's idxd enables its vDSA's WQ as a dmaengine channel.
enable_wq='. /opt/vdsa/tests/ktap.sh && modprobe idxd &&
	d=$(idxd_dsa "$(dsa_devices 0b25 | head -n 1)") && wq=/sys/bus/dsa/devices/$d/wq${d#dsa}.0 &&
	echo kernel >$wq/type && echo dmaengine >$wq/name && echo dmaengine >$wq/driver_name &&
	echo wq${d#dsa}.0 >/sys/bus/dsa/drivers/dmaengine/bind && grep -qx enabled $wq/state &&
	echo "vdsa-bench: WQ enabled" && '

# move KIND: one live migration of the guest KIND; QEMU's total time and
# downtime (ms) appended to $results/KIND.total and KIND.down.
move() {
	work=$results/$1.$r
	mkdir -p "$work"
	_src='' _dst='' _cmd=$idle
	case "$1" in
	wq) _src="--vdsa $a" _dst="--vdsa $b" _cmd="$enable_wq$idle" ;;
	idle) _src="--vdsa $a" _dst="--vdsa $b" ;;
	esac
	# shellcheck disable=SC2086 # $_dst and $_src hold options
	qemu dst $_dst --incoming "unix:$work/sock" --outgoing -- true
	# shellcheck disable=SC2086
	qemu src $_src --outgoing -- sh -c "$_cmd"
	_st=1 _why=
	if ! wait_for 600 grep -q 'vdsa-bench: ready' "$work/src.out"; then
		_why="the source's guest did not get ready"
	elif ! wait_for 120 test -S "$work/sock"; then
		_why="the destination does not listen"
	else
		# The guest settles (its boot's last writes) before it moves;
		# each kind waits as long.
		sleep 15
		migrate_start src "unix:$work/sock"
		if migrate_wait src 600; then
			_st=0
		else
			_s=$(status src)
			_why="the migration did not complete (${_s:-no status})"
		fi
	fi
	_times=$(migration_times src)
	_total=${_times% *} _down=${_times#* }
	grep -i 'vfio' "$work/src.log" | tail -n 1 | tr -s ' \t\r' ' ' >"$work/vfio"
	monitor src quit
	monitor dst quit
	finished src >/dev/null || _st=1
	finished dst >/dev/null || _st=1
	[ $_st -eq 0 ] && [ -n "$_times" ] || {
		ktap_diag "round $r, $1: ${_why:-QEMU gave no times}"
		sed 's/^/# /' "$work/src.err" "$work/dst.err"
		tail -n 5 "$work/src.log" | sed 's/^/# monitor: /'
		tail -n 5 "$work/src.out" | sed 's/^/# guest: /'
		tail -n 10 "$work/src.console" | sed 's/^/# guest log: /'
		return 1
	}
	echo "$r $_total" >>"$results/$1.total"
	echo "$r $_down" >>"$results/$1.down"
	ktap_diag "round $r, $1: total $_total ms, downtime $_down ms"
}

r=1
while [ $r -le "$rounds" ]; do
	for kind in none wq idle; do
		ktap_check "round $r: the $kind guest migrates live ($backend, $accel)" move $kind
	done
	r=$((r + 1))
done

# median FILE: the middle figure of FILE's "ROUND FIGURE" lines.
median() { awk '{ print $2 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# paired FILE OTHER: the figures of FILE, in round order, of the rounds
# OTHER has too.
paired() { awk 'NR == FNR { other[$1]; next } $1 in other { printf "%s ", $2 }' "$2" "$1"; }

# report NAME FIGURES REFERENCES GOAL: the rounds that measured both, as
# bench_rounds gives them.
report() {
	bench_rounds "$1" ms "$4" "$(paired "$2" "$3")" "$(paired "$3" "$2")"
}
if [ -s $results/none.total ] && [ -s $results/wq.total ] && [ -s $results/idle.total ]; then
	report "live migration total time, vDSA with its WQ enabled vs no device" \
		$results/wq.total $results/none.total "<=1.1"
	report "live migration downtime, vDSA with its WQ enabled vs no device" \
		$results/wq.down $results/none.down "<=1.1"
	report "live migration total time, vDSA never enabled vs no device" \
		$results/idle.total $results/none.total "<="
	report "live migration downtime, vDSA never enabled vs no device" \
		$results/idle.down $results/none.down "<="
	cat $results/wq.*/vfio | sed 's/^/# QEMU: /' | tail -n 1
fi
for uuid in $a $b; do
	echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
done

# The vDSA's own part: the quiesce with copies in flight and the stream.
"$tests/vdsa_migrate_test.sh" 0b25 >$results/migrate_test 2>&1
ktap_result $? "vdsa_migrate_test.sh: the quiesce and the stream measured"
quiesce=$(sed -n 's/.*quiesce (RUNNING -> RUNNING_P2P) with .* in flight: \([0-9]*\) us.*/\1/p' \
	$results/migrate_test | head -n 1)
stream=$(sed -n 's/.*a stream of \([0-9]*\) bytes.*/\1/p' $results/migrate_test | head -n 1)
down=
[ ! -s $results/wq.down ] || down=$(median $results/wq.down)
if [ -n "$quiesce" ] && [ -n "$down" ]; then
	awk -v q="$quiesce" -v d="$down" 'BEGIN {
		printf "# bench: vDSA quiesce with 16 copies in flight | %d us | reference: the median downtime (wq) %d ms | %.3f%% of it | no goal: context\n",
			q, d, (d > 0 ? q / (d * 10) : 0) }'
fi
ktap_diag "the vDSA's state stream: ${stream:-?} bytes"
[ -n "$quiesce" ] && [ -n "$stream" ]
ktap_result $? "the quiesce time (${quiesce:-?} us) and the stream size (${stream:-?} bytes) printed"
ktap_finished
