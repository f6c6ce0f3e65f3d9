#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A real VMM and a real guest: QEMU's vfio-pci in this machine gives a DSA
# to a nested guest (vdsa-l2), where the upstream idxd probes it, a kernel
# WQ is configured with plain sysfs writes and dmatest copies and verifies
# a few hundred buffers (dsa_dmatest.sh, run there: its results are the
# nested KTAP subtest). Here: QEMU realizes the device without a warning,
# the nested guest logs no idxd error, and the device's interrupts came
# through vfio-pci: under KVM through irqfd into KVM (QEMU's own MSI
# handler never runs), under TCG through QEMU.
#
# usage: l2_dmatest.sh pci|vdsa|vdsa-trapped|vdsa-swq [container|iommufd] [tcg|kvm] [ITERATIONS]
#   pci:   the first DSA 1.0 of the machine, bound to vfio-pci
#   vdsa:  a vDSA of idxd_vdcm on that DSA, created through sysfs
#   vdsa-trapped: the same, its portal not mapped by QEMU (x-no-mmap=on):
#          each of the nested idxd's MOVDIR64B reaches the driver as one
#          64-byte write, which it checks and submits (TCG only)
#   vdsa-swq: a vDSA of type 1swq-v1 (idxd_vdcm loaded with swq_vdsas=2),
#          whose portal is never mapped: the driver checks each descriptor
#          and submits it to the shared WQ with ENQCMDS (TCG only); while
#          the nested guest runs, a VFIO program here copies through
#          another vDSA of the same shared WQ (vdsa_swq_test tenant)
#   container: QEMU's VFIO container (/dev/vfio/vfio, which iommufd
#          provides in the test kernel); iommufd: QEMU's iommufd backend
#   tcg, kvm: the nested guest's accelerator (vdsa-l2 --accel)

# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$(dirname "$0")/dsa_vfio.sh"
# shellcheck source=tools/testing/selftests/vdsa/l2_qemu.sh
. "$(dirname "$0")/l2_qemu.sh"

# One more attempt after the fault of the platform (platform_fault, in
# l2_qemu.sh), when the first attempt shows it; any other failure stands.
once_more_after_fault L2_DMATEST_ATTEMPT "$0" "$@"

kind=${1:-pci}
backend=${2:-container}
accel=${3:-tcg}
iterations=${4:-400}
tests=$(cd "$(dirname "$0")" && pwd)

ktap_header $((10 + $([ "$kind" = vdsa-swq ] && echo 1 || echo 0)))

uuid=
assign=
ro=
nommap=
case "$kind" in
pci)
	rmmod idxd_vdcm 2>/dev/null
	rmmod idxd 2>/dev/null
	dsa_vfio_bind 0b25
	assign="--pci $dev"
	assign_dev="host=$dev"
	ktap_result 0 "vfio-pci binds the DSA ($dev)"
	;;
vdsa | vdsa-trapped | vdsa-swq)
	[ "$kind" != vdsa-trapped ] || nommap=--no-mmap
	type=1dwq-v1
	params=
	if [ "$kind" = vdsa-swq ]; then
		type=1swq-v1
		params=swq_vdsas=2
	fi
	dev=$(dsa_devices 0b25 | head -n 1)
	rmmod idxd 2>/dev/null
	create() {
		rmmod idxd_vdcm 2>/dev/null
		# shellcheck disable=SC2086 # none or one parameter
		modprobe idxd_vdcm $params || return 1
		uuid=$(cat /proc/sys/kernel/random/uuid)
		echo "$uuid" >"/sys/bus/pci/devices/$dev/mdev_supported_types/idxd_vdcm-$type/create" &&
			test -d "/sys/bus/mdev/devices/$uuid"
	}
	ktap_check "a vDSA ($type) is created through sysfs on $dev" create
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	cfg=/sys/kernel/debug/idxd_vdcm-$dev/config
	assign="--vdsa $uuid"
	ro=ro
	assign_dev="sysfsdev=/sys/bus/mdev/devices/$uuid"
	;;
*)
	echo "usage: $0 pci|vdsa|vdsa-trapped [container|iommufd] [tcg|kvm] [ITERATIONS]" >&2
	exit 2
	;;
esac

opt=
case "$backend" in
container)
	ktap_check "the VFIO container is there (/dev/vfio/vfio, from iommufd)" \
		test -c /dev/vfio/vfio
	;;
iommufd)
	opt=--iommufd
	ktap_check "iommufd is there (/dev/iommu)" test -c /dev/iommu
	;;
esac

# QEMU realizes the device (and stops: -S, quit) without a word.
realize() {
	_obj=
	_dev=$assign_dev${nommap:+,x-no-mmap=on}
	if [ "$backend" = iommufd ]; then
		_obj="-object iommufd,id=iommufd0"
		_dev=$_dev,iommufd=iommufd0
	fi
	# shellcheck disable=SC2086 # $_obj is an option and its value
	echo quit | timeout -s KILL 120 qemu-system-x86_64 -M q35 -accel tcg \
		-nodefaults -display none -S -monitor stdio $_obj \
		-device "vfio-pci,$_dev" >/dev/null 2>/tmp/l2_realize.err
	_st=$?
	sed 's/^/# qemu: /' /tmp/l2_realize.err
	[ $_st -eq 0 ] && [ ! -s /tmp/l2_realize.err ]
}
ktap_check "QEMU realizes vfio-pci with the device without a warning ($backend)" realize

# A vDSA's completion interrupts, counted by its WQ's IMS vector, and the
# calls of its driver's VFIO read, write and ioctl handlers (the slow path).
vdsa_counts() {
	awk '/^vdsa_(wq|swq_slot) .* completions/ {
			for (i = 3; i < NF; i++) if ($i == "completions") c += $(i + 1) }
		/^vdsa_vfio_calls/ { v = $2 }
		END { print c + 0, v + 0 }' "$cfg"
}
[ "$kind" = pci ] || before=$(vdsa_counts)

# The most interrupts vfio-pci's MSI-X vectors counted at once: they exist
# only while QEMU has them, so sample them during the nested run, twice a
# second: under KVM the nested guest has them for a few seconds only.
irqs=/tmp/l2_dmatest.irqs
echo 0 >$irqs
sample_irqs() {
	while :; do
		awk -v max="$(cat $irqs)" '/vfio-msix/ {
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i }
			END { print (n > max ? n : max) }' /proc/interrupts >$irqs.new &&
			mv $irqs.new $irqs
		sleep 0.5
	done
}

# The nested guest runs the host-level dmatest test on its DSA; its KTAP
# output becomes a subtest here.
out=/tmp/l2_dmatest.out
err=/tmp/l2_dmatest.err
log=/tmp/l2_dmatest.console
sample_irqs &
sampler=$!
start=$(date +%s)
# The nested guest also leaves a word in a directory shared with it.
share=/tmp/l2_dmatest.share
rm -rf $share
mkdir -p $share
# QEMU traces the MSI routes it gives KVM (irqfd) and each interrupt its
# own handler forwards (the path without irqfd).
trace=/tmp/l2_dmatest.trace
rm -f $trace
# shellcheck disable=SC2086 # $assign is an option and its value
# Under KVM the run takes a minute or two; a nested guest stuck in the
# platform's fault is given up after 5 minutes, not 15.
l2_timeout=900
[ "$accel" = kvm ] && l2_timeout=300
# Another user of the shared WQ meanwhile, until the nested run ends.
stop=/tmp/l2_dmatest.stop
tenant_out=/tmp/l2_dmatest.tenant
rm -f $stop
if [ "$kind" = vdsa-swq ]; then
	"$tests/vdsa_swq_test" "$dev" tenant $stop >$tenant_out 2>&1 &
	tenant=$!
fi
vdsa-l2 --accel "$accel" --timeout $l2_timeout $opt $nommap $assign --share $share --log $log \
	--qemu-arg -trace --qemu-arg kvm_irqchip_add_msi_route \
	--qemu-arg -trace --qemu-arg vfio_msi_interrupt --qemu-arg -D --qemu-arg $trace -- sh -c \
	'"$1" 0b25 "$2" $3; s=$?; echo from-l2 >/mnt/host/word; exit $s' sh \
	"$tests/dsa_dmatest.sh" "$iterations" "$ro" >$out 2>$err
st=$?
end=$(date +%s)
kill $sampler
touch $stop
[ $st -eq 0 ] || platform_fault $log
sed 's/^/    /' $out
sed 's/^/# /' $err
ktap_diag "nested guest ($accel): $((end - start)) s in all"
# Where the time went, by the nested guest's clock: the kernel's steps that
# took more than 3 s, and the command's.
awk -F'[][]' '/^\[/ { t = $2 + 0; if (t - p > 3) printf "# +%5.1f s to %s\n", t - p, $3; p = t }
	/Run \/init/ { i = $2 } /vdsa-vm: running command/ { c = $2 } /vdsa-vm: exit status/ { e = $2 }
	END { printf "# nested guest clock: kernel %.0f s, /init to command %.0f s, command %.0f s\n", i, c - i, e - c }' \
	$log | cut -c 1-100
ktap_result $st "the nested guest ($accel) runs dsa_dmatest with the $kind device through vfio-pci ($backend)"

[ "$(cat $share/word 2>/dev/null)" = from-l2 ]
ktap_result $? "the nested guest writes to the directory shared with it (--share)"

summary=$(grep -o 'summary [0-9]* tests, [0-9]* failures.*' $out)
ktap_diag "nested dmatest: ${summary:-no summary}"
echo "$summary" | grep -q "^summary $iterations tests, 0 failures"
ktap_result $? "nested dmatest: $iterations verified copies, 0 failures"

! grep -q 'QEMU said' $err
ktap_result $? "QEMU runs the nested guest without a warning (but no P2P under iommufd)"

idxd_errors() {
	! grep -E -i 'idxd.*(error|fail|halt)' $log
}
ktap_check "the nested idxd logs no error" idxd_errors

if [ "$kind" = vdsa ]; then
	# shellcheck disable=SC2086,SC2046 # two numbers each
	set -- $before $(vdsa_counts)
	ktap_diag "vDSA: $(($3 - $1)) completion interrupts on its IMS vector, $(($4 - $2)) slow-path calls in all ($iterations copies)"
	[ $(($3 - $1)) -gt 0 ] && [ $(($4 - $2)) -lt "$iterations" ]
	ktap_result $? "the vDSA's IMS vector took the completions; fewer slow-path calls than copies"
elif [ "$kind" = vdsa-trapped ]; then
	# shellcheck disable=SC2086,SC2046 # two numbers each
	set -- $before $(vdsa_counts)
	ktap_diag "vDSA: $(($3 - $1)) completion interrupts on its IMS vector, $(($4 - $2)) slow-path calls in all ($iterations copies)"
	[ $(($3 - $1)) -gt 0 ] && [ $(($4 - $2)) -ge "$iterations" ]
	ktap_result $? "the vDSA's IMS vector took the completions; each copy came through the trapped portal"
elif [ "$kind" = vdsa-swq ]; then
	# The tenant polls its records: the interrupts are the nested
	# guest's; the slow-path calls are both users' (every descriptor of
	# either is a write).
	# shellcheck disable=SC2086,SC2046 # two numbers each
	set -- $before $(vdsa_counts)
	ktap_diag "vDSAs: $(($3 - $1)) completion interrupts on the nested guest's IMS vector, $(($4 - $2)) slow-path calls in all ($iterations nested copies and the tenant's)"
	[ $(($3 - $1)) -gt 0 ] && [ $(($4 - $2)) -ge "$iterations" ]
	ktap_result $? "the vDSA's IMS vector took the completions; each copy came through the driver"
	wait $tenant
	tst=$?
	sed 's/^/# tenant: /' $tenant_out
	ktap_result $tst "another user copied through a vDSA of the same shared WQ meanwhile, each copy right"
else
	n=$(cat $irqs)
	ktap_diag "vfio-pci MSI-X interrupts here: $n"
	[ "$n" -gt 0 ]
	ktap_result $? "the DSA's interrupts reached the nested guest through vfio-pci"
fi

routes=$(grep -c 'kvm_irqchip_add_msi_route' $trace 2>/dev/null)
forwarded=$(grep -c 'vfio_msi_interrupt' $trace 2>/dev/null)
ktap_diag "QEMU: ${routes:-0} MSI routes given to KVM, ${forwarded:-0} interrupts forwarded by its own handler"
if [ "$accel" = kvm ]; then
	[ "${routes:-0}" -gt 0 ] && [ "${forwarded:-0}" -eq 0 ]
	ktap_result $? "the interrupts go through irqfd into KVM, none through QEMU's handler"
else
	[ "${forwarded:-0}" -gt 0 ]
	ktap_result $? "the interrupts go through QEMU's handler (no KVM)"
fi

case "$kind" in
pci) dsa_vfio_release ;;
vdsa | vdsa-trapped) echo 1 >"/sys/bus/mdev/devices/$uuid/remove" ;;
vdsa-swq)
	echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
	# The next test loads the module as it needs it.
	rmmod idxd_vdcm
	;;
esac
ktap_finished
