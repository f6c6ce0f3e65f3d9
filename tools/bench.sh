#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the project's benchmarks (what `make bench` does): one boot of the
# emulated SIOV machine runs every benchmark script, each of which measures
# a figure and its reference in that same boot and prints them with their
# ratio and goal ("# bench:" lines, see bench_report in
# tools/testing/selftests/vdsa/ktap.sh). This prints those lines as a table.
# Speeds under software emulation vary from run to run; the ratios are what
# to read. The machine boots the benchmarks' kernel (tools/kernel/build.sh
# --bench): the tests' kernel without lock validation and kmemleak, whose
# costs would otherwise be most of what a benchmark measures. The exit
# status is non-zero only if a benchmark could not run (a failed step, a
# guest crash, WARN or hang), never because of a figure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# The benchmarks, each a test script and its arguments (run_tests.sh).
benches=(
	"host_bench.sh 0b25"
	"vdsa_bench.sh 0b25"
	"ims_bench.sh 0b25"
	"vdsa_slow_bench.sh 0b25"
	"l2_bench.sh"
	"l2_migrate_bench.sh"
)

out=build/bench
rm -rf "$out"
mkdir -p "$out"

make -s kernel qemu guest || exit 1
tools/kernel/build.sh --bench >/dev/null || exit 1
# --l2: l2_bench.sh and l2_migrate_bench.sh run nested guests (the main
# kernel; under KVM and TCG, and migrated under KVM).
tools/vm/run --bench --l2 --timeout 4800 --log "$out/vm.console" \
	--qemu-arg -global --qemu-arg intel-dsa.max-xfer-shift=12 \
	-- /opt/vdsa/tests/run_tests.sh "${benches[@]}" >"$out/vm.out" 2>"$out/vm.err"
st=$?
if [ $st -ne 0 ]; then
	cat "$out/vm.out" "$out/vm.err"
	echo "bench: the benchmark run failed (status $st)" >&2
fi
echo
echo "benchmark | figure | reference | ratio | goal"
grep '^# bench: ' "$out/vm.out" | sed 's/^# bench: //'
exit $st
