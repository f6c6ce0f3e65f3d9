#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The nested guest's data path, in one boot: the nested dmatest of
# l2_dmatest.sh (verified copies of up to 16 KiB by the unmodified upstream
# idxd in the nested guest) on a vDSA under KVM, the same under TCG, and on
# the whole DSA through vfio-pci under KVM. Prints the nested copies per
# second under KVM against under TCG (context, no goal), and under KVM on
# a vDSA against on the whole DSA (goal >= 0.95), the two alternating in
# ROUNDS rounds (bench_rounds). The checks are that each run passes, never
# a speed.
#
# usage: l2_bench.sh [container|iommufd] [ITERATIONS [ROUNDS]]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

backend=${1:-container}
iterations=${2:-1000}
rounds=${3:-3}

ktap_header $((2 * rounds + 1))

# nested KIND ACCEL: l2_dmatest.sh on KIND under ACCEL, its KTAP as a
# subtest; the nested dmatest's copies per second in $rate.
nested() {
	_out=/tmp/l2_bench.$1.$2
	"$(dirname "$0")/l2_dmatest.sh" "$1" "$backend" "$2" "$iterations" >"$_out" 2>&1
	_st=$?
	sed 's/^/    /' "$_out"
	rate=$(sed -n 's/^# nested dmatest: summary .* \([0-9.]*\) iops .*/\1/p' "$_out")
	rate=${rate:-0}
	return $_st
}

# The vDSA and the whole DSA alternate, round after round, so that a slow
# stretch of the emulation weighs on both.
vdsa_rates='' pci_rates=''
round=1
while [ $round -le "$rounds" ]; do
	nested vdsa kvm
	ktap_result $? "round $round: nested dmatest on a vDSA under KVM ($backend, $iterations copies)"
	vdsa_rates="$vdsa_rates $rate"
	[ $round = 1 ] && vdsa_kvm=$rate
	nested pci kvm
	ktap_result $? "round $round: nested dmatest on the whole DSA under KVM ($backend, $iterations copies)"
	pci_rates="$pci_rates $rate"
	round=$((round + 1))
done
nested vdsa tcg
ktap_result $? "nested dmatest on a vDSA under TCG ($backend, $iterations copies)"
vdsa_tcg=$rate

bench_report "nested dmatest copies/s, vDSA (KVM, round 1, vs TCG)" \
	"$vdsa_kvm" "$vdsa_tcg" copies/s -
bench_rounds "nested dmatest copies/s under KVM (vDSA vs whole DSA)" \
	copies/s ">=0.95" "$vdsa_rates" "$pci_rates"
ktap_finished
