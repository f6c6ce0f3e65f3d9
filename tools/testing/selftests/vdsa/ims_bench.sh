#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Completion interrupts through an IMS vector against an MSI-X vector of the
# same DSA device and WQ, in the same boot: idxd_vdcm jobs of 64-byte MEMMOVE
# descriptors through the shared WQ, one in flight, each asking for a
# completion interrupt that the job waits for: on the host's first IMS
# vector (IMS portal, kernel PASID) and on its MSI-X completion vector
# (MSI-X portal). Interrupts per second, and the mean time from submission
# to the handler's count (the inverse), alternating the two kinds in
# ROUNDS rounds: the median ratio with its spread (bench_rounds). The
# checks are that every job completes with exactly its interrupts, never a
# speed; the figures and ratios are printed.
#
# usage: ims_bench.sh [DEVICE-ID [COUNT [ROUNDS]]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}
count=${2:-2000}
rounds=${3:-5}

ktap_header $((2 + 2 * rounds))

bdf=$(dsa_devices "$devid" | head -n 1)
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
rmmod idxd_vdcm 2>/dev/null
d=/sys/kernel/debug/idxd_vdcm-$bdf

load() {
	[ -n "$bdf" ] || { ktap_diag "no 8086:$devid device"; return 1; }
	modprobe idxd_vdcm && grep -q "^ims yes" "$d/config" && grep -q "^msix_vector" "$d/config"
}
ktap_check "idxd_vdcm with IMS and an MSI-X completion vector on $bdf" load

# Both vectors interrupt CPU 0, where the jobs run: the comparison is of
# the interrupt paths, not of which CPU is woken.
pin() {
	ims_irq=$(sed -n 's/^ims_vector slot [0-9]* handle [0-9]* irq \([0-9]*\) .*/\1/p' "$d/config" | head -n 1)
	msix_irq=$(sed -n 's/^msix_vector entry [0-9]* handle [0-9]* irq \([0-9]*\) .*/\1/p' "$d/config")
	ktap_diag "IMS irq $ims_irq, MSI-X irq $msix_irq"
	echo 1 >"/proc/irq/$ims_irq/smp_affinity" && echo 1 >"/proc/irq/$msix_irq/smp_affinity"
}

ktap_check "both vectors on CPU 0" pin

ims_rates='' msix_rates=''
# run KIND: one job; its rate joins its kind's rounds.
run() {
	taskset 1 sh -c "echo 'memmove swq 64 $count $1' >$d/submit" || return 1
	ktap_diag "$1: $(cat "$d/submit" | tr '\n' ' ')"
	grep -q "^irqs=$count irqs_expected=$count$" "$d/submit" || return 1
	r=$(sed -n 's/.* desc_per_s=\([0-9]*\) .*/\1/p' "$d/submit")
	if [ "$1" = ims1 ]; then
		ims_rates="$ims_rates $r"
	else
		msix_rates="$msix_rates $r"
	fi
}
i=1
while [ $i -le "$rounds" ]; do
	ktap_check "round $i: $count completion interrupts through MSI-X" run msix
	ktap_check "round $i: $count completion interrupts through IMS" run ims1
	i=$((i + 1))
done
rmmod idxd_vdcm

# A round's latency is the inverse of its rate.
us() {
	for r in $1; do
		awk -v r="$r" 'BEGIN { printf "%.1f ", 1e6 / r }'
	done
}
bench_rounds "completion interrupts/s (IMS vs MSI-X, same WQ)" \
	irq/s ">=0.91" "$ims_rates" "$msix_rates"
bench_rounds "submit-to-handler latency (IMS vs MSI-X, same WQ)" \
	us "<=1.1" "$(us "$ims_rates")" "$(us "$msix_rates")"
ktap_finished
