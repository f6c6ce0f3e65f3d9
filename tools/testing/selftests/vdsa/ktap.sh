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
