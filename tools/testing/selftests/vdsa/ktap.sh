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

# idxd_kernel_wq DSA SIZE XFER: configure WQ 0 of idxd's device DSA (dsaN) as
# a dedicated kernel WQ for the dmaengine driver, of SIZE entries and
# transfers up to XFER bytes, in group 0 with engine 0, with plain writes to
# idxd's sysfs (as accel-config does them). Nothing is enabled.
idxd_kernel_wq() {
	_dsa=/sys/bus/dsa/devices/$1
	_wq=$_dsa/wq${1#dsa}.0
	echo "$3" >"$_wq/max_transfer_size" &&
		echo 0 >"$_dsa/engine${1#dsa}.0/group_id" &&
		echo 0 >"$_wq/group_id" &&
		echo dedicated >"$_wq/mode" &&
		echo "$2" >"$_wq/size" &&
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

# dmatest_summary CHANNEL ITERATIONS BUF [PARAM=VALUE...]: run dmatest on
# CHANNEL, one thread, ITERATIONS copies of up to BUF bytes and the extra
# module parameters given, and print its summary line.
dmatest_summary() {
	_chan=$1
	_iterations=$2
	_buf=$3
	shift 3
	modprobe dmatest || return 1
	_p=/sys/module/dmatest/parameters
	echo 60000 >$_p/timeout
	echo "$_iterations" >$_p/iterations
	echo 1 >$_p/threads_per_chan
	echo "$_buf" >$_p/test_buf_size
	for _kv in "$@"; do
		echo "${_kv#*=}" >"$_p/${_kv%%=*}"
	done
	echo "$_chan" >$_p/channel || return 1
	dmesg -c >/dev/null
	echo 1 >$_p/run
	cat $_p/wait >/dev/null
	dmesg | grep 'dmatest: .*summary' | tail -n 1
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
