#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The DSA's Interrupt Message Store (IMS) under idxd_vdcm, on each DSA device.
#
# With interrupt remapping (the default): the driver creates the PCI/IMS
# domain over the device's IMS table at probe; ten cycles of allocating
# every IMS vector give distinct slots and free them all (module parameter
# ims_cycles); the host's five IMS vectors (two for its kernel PASID, one for
# any PASID, one for another PASID, one masked) show up in /proc/interrupts
# under interrupt remapping (IR-PCI-IMS), beside one vector for each WQ
# left for vDSAs (for that WQ's host PASID); jobs through the IMS portal of the
# shared and the dedicated WQ ask for completion interrupts on those vectors
# in turn, and each handler counts exactly the completions it may raise
# (checked by the driver, and against /proc/interrupts here); work naming
# the vector of another PASID completes with status 0x19 and raises nothing;
# the masked vector raises nothing; unbind with the vectors allocated frees
# them and rebinding brings them back.
#
# usage: ims_test.sh [off]
#   off: the machine runs with interrupt remapping off (intremap=off): the
#   driver says once per device that IMS is unavailable and why, and its
#   config says so; the host's work goes on (host_test.sh).

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

drv=/sys/bus/pci/drivers/idxd_vdcm
mode=${1:-on}

dsas=$(dsa_devices)
ndsa=$(echo "$dsas" | wc -w)

if [ "$mode" = off ]; then
	ktap_header $((1 + 2 * ndsa))
else
	ktap_header $((1 + 9 * ndsa))
fi

rmmod idxd 2>/dev/null
rmmod idxd_vdcm 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null

# job DIR SPEC: run a job; its report goes to the KTAP diagnostics.
job() {
	_st=0
	echo "$2" >"$1/submit" || _st=1
	while read -r _l; do ktap_diag "  $_l"; done <"$1/submit"
	return $_st
}

# irq_total IRQ: the interrupts of IRQ on all CPUs, from /proc/interrupts.
irq_total() {
	awk -v irq="$1:" '$1 == irq {
		n = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
		print n
	}' /proc/interrupts
}

# vectors DIR: the IMS vector lines of the device's config:
# "ims_vector slot S handle H irq I pasid P masked M count C".
vectors() {
	grep '^ims_vector ' "$1/config"
}

if [ "$mode" = off ]; then
	dmesg -c >/dev/null
	ktap_check "module loads" modprobe idxd_vdcm
	for bdf in $dsas; do
		d=/sys/kernel/debug/idxd_vdcm-$bdf
		unavailable() {
			n=$(dmesg | grep -c "$bdf: IMS unavailable: the platform does not remap interrupts$")
			ktap_diag "$bdf: said $n times"
			[ "$n" -eq 1 ]
		}
		ktap_check "$bdf: IMS unavailable without interrupt remapping, said once" unavailable
		no_ims() {
			grep -q "^ims no (no interrupt remapping)$" "$d/config" &&
				! grep -q "PCI-IMS" /proc/interrupts &&
				! echo "memmove swq 4096 10 ims" >"$d/submit" 2>/dev/null &&
				job "$d" "memmove swq 4096 10"
		}
		ktap_check "$bdf: config says so, IMS jobs are refused, host jobs work" no_ims
	done
	rmmod idxd_vdcm
	ktap_finished
fi

ktap_check "module loads with ims_cycles=10" modprobe idxd_vdcm ims_cycles=10

for bdf in $dsas; do
	d=/sys/kernel/debug/idxd_vdcm-$bdf
	ktap_diag "device $bdf ($(cat "/sys/bus/pci/devices/$bdf/device"))"

	# One vector per WQ left for vDSAs, with a handle.
	adi=$(grep -c '^vdsa_wq .* handle [0-9]' "$d/config")
	domain() {
		grep '^ims\|^vdsa_wq' "$d/config" | while read -r l; do ktap_diag "  $l"; done
		grep -q "^ims yes slots 256 in_use $((5 + adi))$" "$d/config" &&
			dmesg | grep -q "$bdf: IMS: 256 vectors$" &&
			[ "$(vectors "$d" | wc -l)" -eq 5 ]
	}
	ktap_check "$bdf: IMS domain over the 256-entry table, five host vectors, $adi for vDSA WQs" domain

	ktap_check "$bdf: 10 cycles of allocating every IMS vector, all distinct, all freed" \
		sh -c "dmesg | grep -q '$bdf: IMS: 10 cycles of 256 vectors, all distinct$'"

	remapped() {
		grep "PCI-IMS-$bdf" /proc/interrupts | while read -r l; do ktap_diag "  $l"; done
		[ "$(grep -c "IR-PCI-IMS-$bdf .*-edge  *idxd_vdcm-ims$" /proc/interrupts)" -eq $((5 + adi)) ]
	}
	ktap_check "$bdf: /proc/interrupts shows the vectors under interrupt remapping" remapped

	# The vectors' counts (config) must equal their interrupts
	# (/proc/interrupts); prints "slot pasid masked count" per vector.
	counts_agree() {
		vectors "$d" | while read -r _ _ slot _ _ _ irq _ _ _ _ _ count; do
			total=$(irq_total "$irq")
			if [ "$total" != "$count" ]; then
				ktap_diag "slot $slot: count $count, /proc/interrupts $total"
				return 1
			fi
		done
	}

	ktap_check "$bdf: swq memmove x 100 through the IMS portal, interrupts on each vector" \
		job "$d" "memmove swq 4096 100 ims"
	ktap_check "$bdf: swq fill and compare x 50 with IMS interrupts" \
		sh -c "echo 'fill swq 4096 50 ims' >$d/submit && echo 'compare swq 4096 50 ims' >$d/submit"
	ktap_check "$bdf: dwq (no PASID) memmove x 50: only the any-PASID vector may raise" \
		job "$d" "memmove dwq 4096 50 ims"

	exact() {
		vectors "$d" | while read -r l; do ktap_diag "  $l"; done
		counts_agree || return 1
		# swq: 100 + 50 + 50 descriptors over 5 vectors, 40 each; dwq: 50,
		# 10 each, only the any-PASID vector's raise.
		v=$(vectors "$d")
		[ "$(echo "$v" | grep -c "pasid [0-9]* masked 0 count 40$")" -eq 2 ] &&
			echo "$v" | grep -q "pasid any masked 0 count 50$" &&
			[ "$(echo "$v" | grep -c "count 0$")" -eq 2 ]
	}
	ktap_check "$bdf: each handler counted exactly its completions, as /proc/interrupts" exact

	refused() {
		v=$(vectors "$d")
		pasid=$(sed -n 's/^pasid //p' "$d/config")
		# The vector of another PASID, and the masked one: nothing.
		echo "$v" | grep -v " pasid $pasid " | grep -q "pasid [0-9]* masked 0 count 0$" &&
			echo "$v" | grep -q "pasid $pasid masked 1 count 0$" &&
			job "$d" "memmove swq 64 5 ims" &&
			grep -q "^irqs=3 irqs_expected=3$" "$d/submit"
	}
	ktap_check "$bdf: another PASID's vector (status 0x19) and the masked one raise nothing" refused

	unbind() {
		echo "$bdf" >$drv/unbind || return 1
		if grep -q "PCI-IMS-$bdf" /proc/interrupts; then
			ktap_diag "IMS vectors left after unbind"
			return 1
		fi
		echo "$bdf" >$drv/bind && grep -q "^ims yes slots 256 in_use $((5 + adi))$" "$d/config" &&
			job "$d" "memmove swq 4096 10 ims"
	}
	ktap_check "$bdf: unbind with vectors allocated frees them; rebind brings them back" unbind
done

rmmod idxd_vdcm
ktap_finished
