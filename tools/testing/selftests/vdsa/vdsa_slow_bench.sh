#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA slow path against the kernel's mtty sample, the reference
# mediated device, in the same boot: the mean time of a 4-byte BAR0 read
# (GENSTS) and write (GENCTRL) through VFIO pread/pwrite against mtty's
# 1-byte UART register accesses, and of a create/open/close/remove cycle
# through sysfs and the VFIO cdev with iommufd; and the time from
# submitting a NOOP with a completion interrupt to the eventfd of the
# vDSA's vector 1 (backed by IMS) against the same through vfio-pci's
# MSI-X vector 1 on the same DSA (dsa_bad_input_test bench). Prints figure,
# reference, ratio and goal; the checks are that the runs complete, never a
# speed.
#
# The interrupt's latency is mostly the emulator's: the guest idles while
# the device model's thread and the halted vCPU's are woken on the host,
# and one run's mean can be twice another's. So the two alternate in 5
# rounds, the DSA rebound between idxd_vdcm and vfio-pci each time, each
# with its interrupt and its waiting program on CPU 0; the line gives the
# median of the rounds' ratios, its spread and the bests (bench_rounds).
#
# usage: vdsa_slow_bench.sh [DEVICE-ID [COUNT]]

dir=$(dirname "$0")
# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$dir/dsa_vfio.sh"

devid=${1:-0b25}
count=${2:-20000}
bdf=$(dsa_devices "$devid" | head -n 1)

ktap_header 4
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null

out=
bench() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd_vdcm || return 1
	out=$("$dir"/vdsa_slow_test "$bdf" bench "$count") || {
		echo "$out"
		return 1
	}
	echo "$out"
}
ktap_check "$count BAR0 reads and writes, $((count / 100)) lifecycles, vDSA and mtty" bench
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm

irqs=''
refs=''
irq_rounds() {
	n=$((count / 100))
	aff=$(cat /proc/irq/default_smp_affinity)
	# The vectors either driver allocates from now on go to CPU 0.
	echo 1 >/proc/irq/default_smp_affinity || return 1
	st=0
	for r in 1 2 3 4 5; do
		modprobe idxd_vdcm || { st=1; break; }
		a=$(taskset -c 0 "$dir"/vdsa_slow_test "$bdf" irq "$n") || st=1
		rmmod idxd_vdcm || st=1
		dsa_vfio_bind "$devid" >/dev/null
		b=$(taskset -c 0 "$dir"/dsa_bad_input_test "$dev" bench "$n") || st=1
		dsa_vfio_release
		a=$(echo "$a" | sed -n 's/^# irq vdsa_irq_us=\([0-9.]*\).*/\1/p')
		b=$(echo "$b" | sed -n 's/^# msix_irq_us=\([0-9.]*\).*/\1/p')
		echo "# round $r: vDSA (IMS) $a us, vfio-pci (MSI-X) $b us"
		if [ -z "$a" ] || [ -z "$b" ] || [ "$st" -ne 0 ]; then
			st=1
			break
		fi
		irqs="$irqs $a"
		refs="$refs $b"
	done
	echo "$aff" >/proc/irq/default_smp_affinity
	[ "$st" -eq 0 ]
}
ktap_check "5 rounds of $((count / 100)) completion interrupts, vDSA (IMS) and vfio-pci (MSI-X)" irq_rounds

val() { echo "$out" | sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
bench_report "vDSA BAR0 4-byte read via pread vs mtty register read" \
	"$(val bar0_read_ns)" "$(val mtty_read_ns)" ns "<=0.8"
bench_report "vDSA BAR0 4-byte write via pwrite vs mtty register write" \
	"$(val bar0_write_ns)" "$(val mtty_write_ns)" ns "<=0.8"
bench_report "vDSA config space 4-byte read vs mtty's" \
	"$(val cfg_read_ns)" "$(val mtty_cfg_read_ns)" ns "<=0.8"
bench_report "vDSA create/open/close/remove vs mtty" \
	"$(val vdsa_cycle_us)" "$(val mtty_cycle_us)" us "<=1.0"
# Context: what a 4-byte pread/pwrite costs before any driver runs (the
# same calls on /dev/zero), and each driver's own share above it; and the
# lifecycle step by step.
bench_report "syscall floor: 4-byte pread of /dev/zero vs mtty register read" \
	"$(val zero_read_ns)" "$(val mtty_read_ns)" ns "-"
bench_report "syscall floor: 4-byte pwrite of /dev/zero vs mtty register write" \
	"$(val zero_write_ns)" "$(val mtty_write_ns)" ns "-"
above() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; }
bench_report "vDSA BAR0 read above the floor vs mtty's read above it" \
	"$(above "$(val bar0_read_ns)" "$(val zero_read_ns)")" \
	"$(above "$(val mtty_read_ns)" "$(val zero_read_ns)")" ns "-"
bench_report "vDSA BAR0 write above the floor vs mtty's write above it" \
	"$(above "$(val bar0_write_ns)" "$(val zero_write_ns)")" \
	"$(above "$(val mtty_write_ns)" "$(val zero_write_ns)")" ns "-"
for step in create open close remove; do
	bench_report "lifecycle step: $step, vDSA vs mtty" \
		"$(val "vdsa_${step}_us")" "$(val "mtty_${step}_us")" us "-"
done
bench_rounds "vDSA completion interrupt to eventfd (IMS) vs vfio-pci MSI-X" \
	us "<=1.2" "$irqs" "$refs"
ktap_finished
