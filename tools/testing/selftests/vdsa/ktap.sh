# SPDX-License-Identifier: GPL-2.0
# Minimal KTAP output for the shell tests of this directory, and what they
# share about the machine.
# shellcheck shell=sh

ktap_n=0
ktap_failed=0

ktap_header() {
	echo "KTAP version 1"
	echo "1..$1"
}

# ktap_result STATUS NAME: a result from an exit status (0 passes).
ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ktap_n $2"
	else
		echo "not ok $ktap_n $2"
		ktap_failed=$((ktap_failed + 1))
	fi
}

# ktap_check NAME CMD [ARG...]: run CMD, its status is the result.
ktap_check() {
	_name=$1
	shift
	"$@"
	ktap_result $? "$_name"
}

# wait_for SECS CMD...: until CMD succeeds, at most SECS seconds.
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 1
	done
}

ktap_diag() {
	echo "# $*"
}

# ktap_finished: the totals; exits non-zero if anything failed.
ktap_finished() {
	echo "# Totals: pass:$((ktap_n - ktap_failed)) fail:$ktap_failed"
	[ "$ktap_failed" -eq 0 ]
	exit
}

# dsa_devices [DEVICE-ID]: the PCI addresses of the machine's DSA devices,
# all of them or those with DEVICE-ID (e.g. 0b25), in address order.
dsa_devices() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = 0x8086 ] || continue
		_id=$(cat "$_d/device")
		case "$_id" in
		0x0b25 | 0x11fb | 0x1212)
			if [ -z "${1:-}" ] || [ "$_id" = "0x$1" ]; then
				echo "${_d##*/}"
			fi
			;;
		esac
	done
}

# dsa_bound_to DRIVER BDF...: every device given is bound to DRIVER; a
# diagnostic names the first that is not.
dsa_bound_to() {
	_drv=$1
	shift
	for _b in "$@"; do
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$_b/driver")")" = "$_drv" ] || {
			ktap_diag "$_b is not bound to $_drv"
			return 1
		}
	done
}

# vdcm_loaded DEVICE-ID BDF [MODPROBE-ARG...]: idxd_vdcm is loaded, bound to
# BDF (the first 8086:DEVICE-ID device) and offers vDSAs there.
vdcm_loaded() {
	_id=$1
	_b=$2
	shift 2
	[ -n "$_b" ] || { ktap_diag "no 8086:$_id device"; return 1; }
	modprobe idxd_vdcm "$@" && dsa_bound_to idxd_vdcm "$_b" &&
		[ -d "/sys/bus/pci/devices/$_b/mdev_supported_types" ]
}

# vdcm_start DEVICE-ID BDF: what a test of BDF's vDSAs starts with: debugfs
# mounted, the upstream idxd unloaded, then the check that idxd_vdcm is
# loaded and offers vDSAs on BDF (vdcm_loaded).
vdcm_start() {
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	rmmod idxd 2>/dev/null
	ktap_check "idxd_vdcm loaded, $2 offers vDSAs" vdcm_loaded "$1" "$2"
}

# idxd_dsa BDF: the name of the device (dsaN) the upstream idxd made for the
# DSA at BDF; fails if there is none.
idxd_dsa() {
	for _d in "/sys/bus/pci/devices/$1"/dsa*; do
		[ -d "$_d" ] && { echo "${_d##*/}"; return 0; }
	done
	return 1
}

# idxd_kernel_wq DSA SIZE XFER [MODE]: configure WQ 0 of idxd's device DSA
# (dsaN) as a kernel WQ for the dmaengine driver, of SIZE entries and
# transfers up to XFER bytes, in group 0 with engine 0, with plain writes to
# idxd's sysfs (as accel-config does them). MODE: "dedicated" (the default)
# or "shared", whose threshold is then SIZE (idxd refuses a shared WQ
# without one). Nothing is enabled.
idxd_kernel_wq() {
	_dsa=/sys/bus/dsa/devices/$1
	_wq=$_dsa/wq${1#dsa}.0
	echo "$3" >"$_wq/max_transfer_size" &&
		echo 0 >"$_dsa/engine${1#dsa}.0/group_id" &&
		echo 0 >"$_wq/group_id" &&
		echo "${4:-dedicated}" >"$_wq/mode" &&
		echo "$2" >"$_wq/size" &&
		{ [ "${4:-dedicated}" = dedicated ] || echo "$2" >"$_wq/threshold"; } &&
		echo 10 >"$_wq/priority" &&
		echo kernel >"$_wq/type" &&
		echo dmaengine >"$_wq/name" &&
		echo dmaengine >"$_wq/driver_name"
}

# idxd_chan WQ: the dmaengine channel of idxd's WQ (wqN.0), or else the only
# one there is (idxd's are the only channels in the emulated machine).
idxd_chan() {
	for _c in /sys/class/dma/*; do
		[ -e "$_c" ] || continue
		case "$(readlink -f "$_c/device")" in
		*/"$1") echo "${_c##*/}"; return 0 ;;
		esac
	done
	for _c in /sys/class/dma/dma*chan*; do
		[ -e "$_c" ] && { echo "${_c##*/}"; return 0; }
	done
	return 1
}

# dmatest_params ITERATIONS THREADS [PARAM=VALUE...]: stops dmatest, which
# then forgets its channels, and sets its parameters for the next run:
# THREADS threads per channel each copying ITERATIONS buffers, a timeout of
# 60 s, and the extra module parameters given. Each write of a channel
# name to $_p/channel adds that channel.
dmatest_params() {
	modprobe dmatest || return 1
	_p=/sys/module/dmatest/parameters
	echo 0 >$_p/run
	echo 60000 >$_p/timeout
	echo "$1" >$_p/iterations
	echo "$2" >$_p/threads_per_chan
	shift 2
	for _kv in "$@"; do
		echo "${_kv#*=}" >"$_p/${_kv%%=*}"
	done
}

# dmatest_go CHANNEL ITERATIONS THREADS [PARAM=VALUE...]: runs dmatest on
# CHANNEL as dmatest_params sets it up, and waits for it; its lines are in
# dmesg.
dmatest_go() {
	_chan=$1
	shift
	dmatest_params "$@" || return 1
	echo "$_chan" >$_p/channel || return 1
	dmesg -c >/dev/null
	echo 1 >$_p/run
	cat $_p/wait >/dev/null
}

# dmatest_sums: "TESTS FAILURES IOPS" of the last run, summed over its
# threads (which run at once: the IOPS are the channels' rate).
dmatest_sums() {
	dmesg | sed -n 's/.*dmatest: .*summary \([0-9]*\) tests, \([0-9]*\) failures \([0-9.]*\) iops.*/\1 \2 \3/p' |
		awk '{ t += $1; f += $2; r += $3 } END { printf "%d %d %d\n", t, f, r }'
}

# dmatest_summary CHANNEL ITERATIONS BUF [PARAM=VALUE...]: run dmatest on
# CHANNEL, one thread, ITERATIONS copies of up to BUF bytes and the extra
# module parameters given, and print its summary line.
dmatest_summary() {
	_c=$1
	_i=$2
	_b=$3
	shift 3
	dmatest_go "$_c" "$_i" 1 "test_buf_size=$_b" "$@" || return 1
	dmesg | grep 'dmatest: .*summary' | tail -n 1
}

# dmatest_iops CHANNEL ITERATIONS THREADS [PARAM=VALUE...]: as dmatest_go;
# prints its dmatest_sums.
dmatest_iops() {
	dmatest_go "$@" && dmatest_sums
}

# bench_rounds NAME UNIT GOAL FIGURES REFERENCES: a figure against its
# reference measured in alternating rounds of one boot; FIGURES and
# REFERENCES hold one number per round, in round order. One-shot rates
# under emulation move by 2x, so the line gives the median of the rounds'
# ratios with their spread (lowest..highest), and the best figure against
# the best reference. A spread that covers the goal says so: neither "met"
# nor "not met" would hold still. GOAL "-", or "<=" where lower is better:
# context, no goal.
bench_rounds() {
	awk -v name="$1" -v unit="$2" -v goal="$3" -v figs="$4" -v refs="$5" '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	BEGIN {
		n = split(figs, f, " "); m = split(refs, r, " ")
		if (n == 0 || n != m) {
			printf "# bench: %s | %s | %s | no ratio (rounds: %d and %d) | goal %s\n",
				name, figs, refs, n, m, goal
			exit
		}
		# The best: the highest, or the lowest where lower is better.
		low = substr(goal, 1, 2) == "<="
		bf = f[1]; br = r[1]; k = 0
		for (i = 1; i <= n; i++) {
			if (low ? f[i] < bf : f[i] > bf) bf = f[i]
			if (low ? r[i] < br : r[i] > br) br = r[i]
			if (r[i] > 0) q[++k] = f[i] / r[i]
			ff[i] = f[i]; rr[i] = r[i]
		}
		if (k < n) {
			printf "# bench: %s | %s | %s | no ratio (a reference of 0) | goal %s\n",
				name, figs, refs, goal
			exit
		}
		mf = median(ff, n); mr = median(rr, n)
		for (i = 1; i <= k; i++) s[i] = q[i]
		lo = q[1]; hi = q[1]
		for (i = 2; i <= k; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
		mq = median(s, k)
		op = substr(goal, 1, 2); g = substr(goal, 3) + 0
		ctx = goal == "-" || goal == "<=" || goal == ">="
		if (ctx)
			verdict = "context"
		else if (lo <= g && g <= hi && lo < hi)
			verdict = "spread covers it"
		else
			verdict = ((op == ">=") ? (mq >= g) : (mq <= g)) ? "met" : "not met"
		printf "# bench: %s | best %g %s (median %g) | best %g %s (median %g) | ratio %.3f median of %d rounds (spread %.3f..%.3f; bests %.3f) | %s\n",
			name, bf, unit, mf, br, unit, mr, mq, k, lo, hi, bf / br,
			ctx ? "no goal: context" : "goal " goal ": " verdict
	}'
}

# bench_report NAME FIGURE REFERENCE UNIT GOAL: one benchmark figure against
# its reference measured in the same boot, as the line tools/bench.sh
# gathers. GOAL is the ratio FIGURE/REFERENCE aimed at, with its direction:
# ">=0.95" (higher is better) or "<=1.1" (lower is better). The verdict is
# information, never a test result: speeds under emulation vary.
bench_report() {
	awk -v name="$1" -v fig="$2" -v ref="$3" -v unit="$4" -v goal="$5" 'BEGIN {
		if (ref + 0 <= 0) {
			printf "# bench: %s | %s %s | reference %s %s | no ratio | goal %s\n",
				name, fig, unit, ref, unit, goal
			exit
		}
		r = fig / ref
		if (goal == "-") {
			printf "# bench: %s | %s %s | reference %s %s | ratio %.3f | no goal: context\n",
				name, fig, unit, ref, unit, r
			exit
		}
		op = substr(goal, 1, 2); g = substr(goal, 3) + 0
		met = (op == ">=") ? (r >= g) : (r <= g)
		printf "# bench: %s | %s %s | reference %s %s | ratio %.3f | goal %s: %s\n",
			name, fig, unit, ref, unit, r, goal, met ? "met" : "not met"
	}'
}

# qemu_unexpected FILE [LINE...]: print the lines of QEMU's stderr in FILE
# that are neither one of LINEs (fixed strings) nor the one QEMU logs when
# it cannot map a BAR for peer-to-peer DMA, which iommufd (native, or the
# VFIO container it provides) never can (it does not pin PFNMAP memory);
# succeeds if there is any.
qemu_unexpected() {
	_f=$1
	shift
	_p2p='PCI peer-to-peer transactions on BARs are not supported|vfio_container_dma_map\(.*\) = -14 \(Bad address\)|IOMMU_IOAS_MAP failed: Bad address, PCI BAR\?'
	grep -v -E "$_p2p" "$_f" | while IFS= read -r _l; do
		for _ok in "$@"; do
			case "$_l" in
			*"$_ok"*) continue 2 ;;
			esac
		done
		echo "$_l"
	done | grep .
}
