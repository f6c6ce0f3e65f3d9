#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test of the project (what `make check` does):
#   - host: rustfmt, the kernel and module build through clippy with no
#     warning, the debug kernel's build, the VM runner's own behaviour
#     (status, --share, panic, hang, and each kind of report failing a run);
#   - guest: the KUnit suites and the kselftest-style tests, in one boot of
#     the emulated SIOV machine with kmemleak on; then a short boot with
#     interrupt remapping off; then idxd's user WQs with shared virtual
#     memory, in a short boot on the SVA platform; then dmatest in a nested
#     guest, given a vDSA by QEMU's vfio-pci; then those boots again on
#     the debug kernel (KASAN, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak:
#     tools/kernel/debug.config), each test once there, the nested guest
#     with QEMU's other VFIO backend.
# Every test counts once; the last line is "N passed, N failed, N skipped". The exit
# status is non-zero if anything failed, or if a VM crashed or hung.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=tools/setup/versions.sh
. tools/setup/versions.sh

out=build/check
rm -rf "$out"
mkdir -p "$out"

passed=0
failed=0
skipped=0
declare -a failures=()

pass() { passed=$((passed + 1)); printf 'ok - %s\n' "$1"; }
skip() { skipped=$((skipped + 1)); printf 'ok - %s\n' "$1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); printf 'not ok - %s\n' "$1"; }
result() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; fi; }
section() { printf '\n# %s\n' "$*"; }
finish() {
	echo
	for f in "${failures[@]}"; do echo "# failed: $f"; done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# Counts the KTAP results of a guest test log: every "ok"/"not ok" line at
# the start of a line is one test, named after the test program that the
# preceding "# vdsa-test: PROGRAM ..." line announced.
count_ktap() {
	local log=$1 prefix=${2:-guest} tag='' line name
	# A boot named "guest (debug...)" tags its tests "(debug) ".
	case "$prefix" in "guest (debug"*) tag="(debug) " ;; esac
	while IFS= read -r line; do
		case "$line" in
		"# vdsa-test: "*) prefix=${line#\# vdsa-test: }; prefix=$tag${prefix%% *} ;;
		"ok "*"# SKIP"*) name=${line#ok }; skip "$prefix: ${name#* }" ;;
		"ok "*) name=${line#ok }; pass "$prefix: ${name#* }" ;;
		"not ok "*) name=${line#not ok }; fail "$prefix: ${name#* }" ;;
		esac
	done < <(tr -d '\r' <"$log")
}

section "set-up"
if ! tools/setup/setup.sh; then
	fail "set-up"
	finish
fi

section "QEMU (tools/qemu)"
if qemu=$(tools/qemu/build.sh 2>"$out/qemu-build.log" | tail -n 1) && [ -x "$qemu" ]; then
	pass "QEMU builds"
else
	tail -n 30 "$out/qemu-build.log"
	fail "QEMU builds"
	finish
fi
QEMU=$qemu tools/qemu/check.sh >"$out/qemu-check.out" 2>&1
st=$?
[ $st -eq 0 ] || cat "$out/qemu-check.out"
count_ktap "$out/qemu-check.out" "qemu"
result $st "qemu: the QEMU-level tests end cleanly"

section "build (kernel and modules, all Rust through clippy)"
if tools/kernel/build.sh >"$out/build.log" 2>&1; then
	pass "kernel and modules build"
else
	tail -n 50 "$out/build.log"
	fail "kernel and modules build"
	finish
fi
if grep -E -n 'warning(\[|:)' "$out/build.log" >"$out/warnings.txt"; then
	cat "$out/warnings.txt"
	fail "no compiler or clippy warning"
else
	pass "no compiler or clippy warning"
fi

# The driver as an external module from the repository root (the top-level
# Kbuild), as someone with real hardware builds it against their tree.
tree=$(tools/kernel/prepare.sh 2>/dev/null)
if make -s modules KDIR="$tree" LLVM="$LLVM_SUFFIX" >"$out/modules.log" 2>&1 &&
	[ -f drivers/vfio/mdev/idxd/idxd_vdcm.ko ]; then
	pass "external module build from the repository root (make modules KDIR=)"
else
	tail -n 30 "$out/modules.log"
	fail "external module build from the repository root (make modules KDIR=)"
fi
make -s -C "$tree" M="$top" clean >/dev/null 2>&1

section "kernel patches (tools/kernel/patches) and make series"
# The set-up refuses a base whose files are not the ones the patches were
# made on, or that has a file the project adds: a copy of the base with
# one patched file changed, then one with a new file of the project in it.
mapfile -t added < <(git ls-files -- "${KERNEL_OVERLAY_DIRS[@]}")
fake=$(mktemp -d)
cp -r "$KERNEL_BASE/." "$fake/"
# base_check NAME: the set-up's check of the base copy, its complaints in
# $out/base-NAME.err (and printed).
base_check() {
	tools/kernel/base.sh check "$fake" "${added[@]}" 2>"$out/base-$1.err"
	local st=$?
	cat "$out/base-$1.err"
	return $st
}
one=$(sed -n '1s/^[0-9a-f]*  //p' tools/kernel/patches/base.sha256)
echo "/* another base */" >>"$fake/$one"
base_check changed
[ $? -eq 1 ] && grep -q "base's $one is not the one the patches were made on" "$out/base-changed.err"
result $? "the set-up refuses a base with a file the patches were not made on"
cp "$KERNEL_BASE/$one" "$fake/$one"
base_check same
result $? "the set-up accepts the base the patches were made on"
echo "${added[0]}" >>"$fake/.files"
base_check added
[ $? -eq 1 ] && grep -q "base has ${added[0]}, which the project adds" "$out/base-added.err"
result $? "the set-up refuses a base that has a file the project adds"
rm -rf "$fake"

# From the kernel tree, which is no git repository: inside ours,
# checkpatch would take a tracked .patch file for a source file.
bad=0
for p in tools/kernel/patches/*.patch; do
	(cd "$tree" && perl scripts/checkpatch.pl --strict --no-tree -q "$top/$p") || bad=1
done
result $bad "checkpatch.pl --strict on every patch of tools/kernel/patches"

if tools/kernel/series.sh "$out/series" >"$out/series.log" 2>&1; then
	pass "make series writes the series ($(find "$out/series" -name "*.patch" | wc -l) patches)"
	tools/kernel/series-check.sh "$out/series" >"$out/series-check.out" 2>&1
	st=$?
	[ $st -eq 0 ] || cat "$out/series-check.out"
	count_ktap "$out/series-check.out" "make series"
	result $st "make series: the series checks end cleanly"
else
	tail -n 20 "$out/series.log"
	fail "make series writes the series"
fi

section "rustfmt"
if tools/kernel/rustfmt.sh --check; then
	pass "rustfmt --check"
else
	fail "rustfmt --check"
fi

section "documentation"
# The project's kernel documentation, read by docutils: any warning fails.
mapfile -t docs < <(git ls-files 'Documentation/*.rst' | grep -v '/index\.rst$')
for doc in "${docs[@]}"; do
	/usr/bin/python3 - "$doc" <<'EOF'
import sys
import docutils.core

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    docutils.core.publish_doctree(
        f.read(), source_path=path,
        settings_overrides={"halt_level": 2, "report_level": 2, "traceback": False})
EOF
	result $? "docutils reads $doc without a warning"
done

section "shellcheck"
mapfile -t sh_bash < <(git ls-files tools .ci | grep -E '(\.sh|/run|/check\.sh)$' | grep -v '^tools/testing/\|^tools/vm/demo.sh\|^tools/vm/l2-demo.sh\|^tools/qemu/')
mapfile -t sh_posix < <(git ls-files tools/testing/selftests/vdsa tools/vm/init tools/vm/demo.sh \
	tools/vm/vdsa-l2 tools/vm/l2-demo.sh | grep -vE '\.[ch]$|/(Makefile|Kbuild|config|\.gitignore)$')
if shellcheck -x -S warning -s bash "${sh_bash[@]}" && shellcheck -x -S warning -s sh "${sh_posix[@]}"; then
	pass "shellcheck (${#sh_bash[@]} bash, ${#sh_posix[@]} sh scripts)"
else
	fail "shellcheck"
fi

section "guest programs"
if make -s guest >"$out/guest.log" 2>&1; then
	pass "guest programs build"
else
	cat "$out/guest.log"
	fail "guest programs build"
fi

section "VM runner"
share=$(mktemp -d)
echo from-host >"$share/in"
tools/vm/run --share "$share" -- sh -c \
	'cat /proc/cmdline; echo from-guest >/mnt/host/file; cat /mnt/host/in; exit 3' \
	>"$out/vm-basic.out" 2>"$out/vm-basic.err"
st=$?
cat "$out/vm-basic.out" "$out/vm-basic.err"
result $((st != 3)) "vm: the command's exit status is the run's (3)"
grep -q 'console=ttyS0' "$out/vm-basic.out"
result $? "vm: the command's output (/proc/cmdline) is printed"
[ "$(cat "$share/file" 2>/dev/null)" = from-guest ] && grep -q from-host "$out/vm-basic.out"
result $? "vm: --share is readable and writable in the guest"
rm -rf "$share"

tools/vm/run -- sh -c 'echo c >/proc/sysrq-trigger' >"$out/vm-panic.out" 2>"$out/vm-panic.err"
st=$?
head -n 3 "$out/vm-panic.err"
[ $st -ne 0 ] && grep -q 'guest kernel panicked' "$out/vm-panic.err"
result $? "vm: a guest panic fails the run with a clear message"

tools/vm/run -- sh -c 'modprobe lkdtm && echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT' \
	>"$out/vm-warn.out" 2>"$out/vm-warn.err"
st=$?
head -n 2 "$out/vm-warn.err"
[ $st -eq 125 ] && grep -q 'WARNING: .*lkdtm' "$out/vm-warn.err"
result $? "vm: a guest WARN fails the run, even when the command succeeds"

tools/vm/run --kmemleak -- modprobe kmemleak-test >"$out/vm-leak.out" 2>"$out/vm-leak.err"
st=$?
head -n 2 "$out/vm-leak.err"
[ $st -eq 125 ] && grep -q 'kmemleak' "$out/vm-leak.err"
result $? "vm: --kmemleak fails the run on a kernel memory leak"

tools/vm/run --timeout 40 -- sleep 1000 >"$out/vm-hang.out" 2>"$out/vm-hang.err"
st=$?
head -n 1 "$out/vm-hang.err"
[ $st -eq 124 ] && grep -q 'did not finish' "$out/vm-hang.err"
result $? "vm: a hung guest fails the run after the timeout"

section "debug kernel (KASAN, UBSAN, lockdep, atomic sleep, kmemleak)"
# The guest tests run again below on a kernel built with the sanitizers
# (tools/kernel/debug.config), in a tree of its own. First, that the
# runner fails a run on each kind of report they make, provoked by lkdtm.
if tools/kernel/build.sh --debug >"$out/build-debug.log" 2>&1; then
	pass "debug kernel and modules build"
	debug=1
else
	tail -n 50 "$out/build-debug.log"
	fail "debug kernel and modules build"
	debug=
fi
# provoked NAME LKDTM-TEST REPORT [WRAPPER]: a run on the debug kernel that
# makes lkdtm do LKDTM-TEST (through WRAPPER, a command that runs its
# arguments) fails (status 125) and names REPORT.
# reported NAME REPORT: that run's failure also names REPORT.
provoked() {
	local cmd="echo $2 >/sys/kernel/debug/provoke-crash/DIRECT"
	[ -z "${4:-}" ] || cmd="$4 sh -c '$cmd'"
	tools/vm/run --debug -- sh -c "modprobe lkdtm && $cmd" \
		>"$out/vm-$1.out" 2>"$out/vm-$1.err"
	local st=$?
	head -n 2 "$out/vm-$1.err"
	[ $st -eq 125 ] && reported "$1" "$3"
}
reported() {
	grep -q "^vm: | .*$2" "$out/vm-$1.err"
}
if [ -n "$debug" ]; then
	provoked kasan READ_AFTER_FREE 'BUG: KASAN: slab-use-after-free'
	result $? "vm: a KASAN report fails the run (use after free)"
	provoked ubsan ARRAY_BOUNDS 'UBSAN: array-index-out-of-bounds'
	result $? "vm: a UBSAN report fails the run (array index out of bounds)"
	# A spinlock taken and kept on the way back to user space: lockdep
	# says so, and the shell's next sleep is in atomic context. Under
	# SCHED_FIFO, so that no wake-up of a normal task (the console's
	# printer thread, for one) marks the shell for rescheduling on its way
	# back: the scheduler's "scheduling while atomic" would come first.
	# Measured: the atomic-sleep report in 4 runs of 14 without, 12 of 12
	# with.
	provoked spinlockup SPINLOCKUP 'WARNING: lock held when returning to user space' fifo-exec
	st=$?
	result $st "vm: a lockdep report fails the run (lock held when returning to user space)"
	[ $st -eq 0 ] && reported spinlockup 'BUG: sleeping function called from invalid context'
	result $? "vm: a DEBUG_ATOMIC_SLEEP report fails the run (sleeping in atomic context)"
else
	for t in KASAN UBSAN lockdep DEBUG_ATOMIC_SLEEP; do
		fail "vm: a $t report fails the run (no debug kernel)"
	done
fi

section "make run"
# The demo of `make run`: a vDSA created through sysfs, a copy through it.
tools/vm/run -- vdsa-demo >"$out/demo.out" 2>"$out/demo.err"
st=$?
[ $st -eq 0 ] || cat "$out/demo.out" "$out/demo.err"
[ $st -eq 0 ] && grep -q 'the destination matches the source byte for byte' "$out/demo.out"
result $? "make run: the demo creates a vDSA through sysfs and copies through it"

# The guest tests, in three boots: the emulated SIOV machine, the same
# with interrupt remapping off, the SVA platform. Each function takes the
# kernel (empty: the main one; --debug: the debug kernel), a name for its
# logs and results, and the runner's timeout.
#
# The DSA's maximum transfer is 4 KiB here: vfio_pci_driver_test sizes its
# memcpy storm by it, and a 2 GiB one takes minutes under emulation. Beside
# the runner's DSA 1.0, a second device has the 2.0 layout and a third a
# smaller configuration without the Scalable IOV DVSEC. Two enqueue-testdevs:
# mmio_remap_test changes the memory map with one while it reads the other.
boot_siov() {
	tools/vm/run ${1:+"$1"} --timeout "$3" --kmemleak --l2 --log "$out/vm-$2.console" \
		--qemu-arg -global --qemu-arg intel-dsa.max-xfer-shift=12 \
		--qemu-arg -global --qemu-arg intel-dsa.x-fault-inject=on \
		--qemu-arg -device --qemu-arg pcie-root-port,id=dsa2rp,chassis=9,slot=9 \
		--qemu-arg -device --qemu-arg intel-dsa,version=2,bus=dsa2rp \
		--qemu-arg -device --qemu-arg pcie-root-port,id=dsa3rp,chassis=10,slot=10 \
		--qemu-arg -device --qemu-arg intel-dsa,siov=off,wqs=4,engines=2,groups=2,wq-size=64,bus=dsa3rp \
		--qemu-arg -device --qemu-arg enqueue-testdev \
		--qemu-arg -device --qemu-arg enqueue-testdev -- /opt/vdsa/tests/run_tests.sh ${1:+--once} \
		>"$out/vm-$2.out" 2>"$out/vm-$2.err"
}

# The guest turns interrupt remapping off: idxd_vdcm gets no IMS domain,
# says so once per device, and the host's work goes on.
boot_noir() {
	tools/vm/run ${1:+"$1"} --timeout "$3" --kmemleak --log "$out/vm-$2.console" --append intremap=off \
		-- /opt/vdsa/tests/run_tests.sh "ims_test.sh off" "host_test.sh" \
		>"$out/vm-$2.out" 2>"$out/vm-$2.err"
}

# The platform of tools/qemu/README.md, "SVA": first-stage IOMMU tables
# and ATS, no PRI on the DSAs, 4-level paging in the guest. The run above
# keeps second-stage tables; this boot runs the tests that need SVA, on the
# DSA 1.0 device and on one with the 2.0 layout, and the vDSA fast path
# again, its host PASIDs now translated through first-stage tables. A third
# DSA has one MSI-X vector (msix_short.sh).
boot_sva() {
	tools/vm/run ${1:+"$1"} --timeout "$3" --kmemleak --log "$out/vm-$2.console" --append no5lvl \
		--qemu-arg -global --qemu-arg intel-iommu.x-flts=on \
		--qemu-arg -global --qemu-arg intel-iommu.device-iotlb=on \
		--qemu-arg -global --qemu-arg intel-dsa.pri=off \
		--qemu-arg -device --qemu-arg pcie-root-port,id=dsa2rp,chassis=9,slot=9 \
		--qemu-arg -device --qemu-arg intel-dsa,version=2,bus=dsa2rp \
		--qemu-arg -device --qemu-arg pcie-root-port,id=dsa3rp,chassis=10,slot=10 \
		--qemu-arg -device --qemu-arg intel-dsa,x-msix-vectors=1,bus=dsa3rp \
		-- /opt/vdsa/tests/run_tests.sh "idxd_user.sh 0b25" "idxd_user.sh 11fb" \
		"vdsa_test.sh 0b25" "vdsa_slow_test.sh 0b25" "msix_short.sh 0b25" \
		>"$out/vm-$2.out" 2>"$out/vm-$2.err"
}

# Our QEMU in the emulated machine gives a nested guest (tools/vm/vdsa-l2)
# its DSA through vfio-pci, and the upstream idxd there runs dmatest. A
# boot of its own, one DSA; each nested boot takes minutes. The device:
# VDSA_L2_DEVICE, "vdsa" (a vDSA created through sysfs, the default: under
# KVM a 1dwq-v1 vDSA with its portal mapped, under TCG a 1swq-v1 one) or
# "pci" (the DSA itself);
# the QEMU backends ($4): "container" (iommufd's
# compatibility container, in the test kernel) and "iommufd", each with
# the nested guest's accelerators ($5): "kvm" (kvm_amd on the SVM that
# TCG emulates) and "tcg". With each backend, the nested guest is also
# migrated during its dmatest, under KVM if $5 has it (about a minute
# each), else under TCG (about 8 minutes): live from vDSA A to B and back,
# and saved to a file on A and restored on B (a snapshot).
boot_l2() {
	local l2_tests=() backend accel mig="tcg 2000" snap="tcg 2000"
	# Under KVM, a restore from a snapshot moves fewer copies: TCG's SVM
	# now and then delivers an interrupt to a nested guest with IF clear,
	# which deadlocks it (tools/qemu/README.md; l2_migrate.sh names it and
	# runs once more), and it is met in proportion to the time the nested
	# guest runs.
	case " $5 " in *" kvm "*) mig="kvm 40000" snap="kvm 10000" ;; esac
	for backend in $4; do
		for accel in $5; do
			# Under TCG the vDSA is one of a shared WQ (vdsa-swq): its
			# portal is trapped, each descriptor reaches the driver as
			# one 64-byte write, which it submits with ENQCMDS while
			# another user copies through the same WQ.
			local kind=${VDSA_L2_DEVICE:-vdsa}
			[ "$kind:$accel" != vdsa:tcg ] || kind=vdsa-swq
			l2_tests+=("l2_dmatest.sh $kind $backend $accel")
		done
		l2_tests+=("l2_migrate.sh $backend $mig live" "l2_migrate.sh $backend $snap snapshot")
	done
	tools/vm/run ${1:+"$1"} --timeout "$3" --kmemleak --l2 --log "$out/vm-$2.console" \
		-- /opt/vdsa/tests/run_tests.sh "${l2_tests[@]}" \
		>"$out/vm-$2.out" 2>"$out/vm-$2.err"
}

# guest BOOT KERNEL NAME TIMEOUT DESCRIPTION [ARG...]: one boot, its tests
# counted (named after DESCRIPTION's first word), and a result for the boot
# as a whole.
guest() {
	local st
	"boot_$1" "$2" "$3" "$4" "${6:-}" "${7:-}"
	st=$?
	[ $st -eq 0 ] || cat "$out/vm-$3.out" "$out/vm-$3.err"
	count_ktap "$out/vm-$3.out" "$5"
	result $st "$5: the test run ends cleanly (no failure, crash, WARN, lockdep, KASAN, UBSAN or leak report)"
}

section "tests in the emulated SIOV machine"
guest siov "" tests 600 "guest"

section "interrupt remapping off"
guest noir "" noir 600 "guest (no interrupt remapping)"

section "idxd's user WQs with shared virtual memory (SVA platform)"
guest sva "" sva 600 "guest (SVA)"

section "a nested guest (QEMU's vfio-pci in the emulated machine)"
# The container backend here, the iommufd one on the debug kernel below;
# here under KVM and under TCG (each run prints its times), there under
# KVM.
guest l2 "" l2 3000 "guest (nested)" "${VDSA_L2_BACKENDS:-container}" "${VDSA_L2_ACCELS:-kvm tcg}"

section "the guest tests again, on the debug kernel"
# Each test once (run_tests.sh --once: on the DSA 1.0, no benchmarks);
# the nested guest with QEMU's iommufd backend, the other one of the two.
if [ -n "$debug" ]; then
	guest siov --debug debug-tests 3600 "guest (debug)"
	guest noir --debug debug-noir 900 "guest (debug, no interrupt remapping)"
	guest sva --debug debug-sva 900 "guest (debug, SVA)"
	guest l2 --debug debug-l2 3000 "guest (debug, nested)" "${VDSA_L2_DEBUG_BACKENDS:-iommufd}" \
		"${VDSA_L2_DEBUG_ACCELS:-kvm}"
else
	fail "guest (debug): no debug kernel"
fi

finish
