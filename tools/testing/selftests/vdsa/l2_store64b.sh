#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Our QEMU in this machine, given this machine's enqueue-testdev through
# vfio-pci, runs the bare-metal 64-byte store test (tools/qemu/tests/
# store64b, "mapped" mode; its KTAP is the nested subtest): the device's
# BAR is then host memory QEMU maps (a RAM device region), and a guest's
# MOVDIR64B must still reach the device as one 64-byte store (the device
# counts it as one, no partial write), while ENQCMD and ENQCMDS are
# refused (ZF=1) without reaching it. QEMU logs no warning but two it
# cannot help: iommufd maps no BAR for peer-to-peer DMA, and the test
# device has no reset (no FLR, PM reset or bus to reset). Once with the
# VFIO container, once with iommufd.
# Skipped without an enqueue-testdev (tools/vm/run --qemu-arg -device
# --qemu-arg enqueue-testdev).

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

tests=$(cd "$(dirname "$0")" && pwd)

echo "KTAP version 1"
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0015 ]; then
		dev=${d##*/}
	fi
done
if [ -z "$dev" ]; then
	echo "1..0 # SKIP no enqueue-testdev in this machine"
	exit 0
fi
if [ ! -x /opt/vdsa/l2/qemu-system-x86_64 ]; then
	echo "1..0 # SKIP no QEMU in this machine (boot with tools/vm/run --l2)"
	exit 0
fi
echo "1..5"
sysdev=/sys/bus/pci/devices/$dev

bind() {
	if [ -e "$sysdev/driver" ]; then
		echo "$dev" >"$sysdev/driver/unbind" || return 1
	fi
	modprobe vfio-pci &&
		echo vfio-pci >"$sysdev/driver_override" &&
		echo "$dev" >/sys/bus/pci/drivers_probe &&
		dsa_bound_to vfio-pci "$dev"
}
ktap_check "vfio-pci binds the enqueue-testdev ($dev)" bind

# run_store64b NAME QEMU-ARG...: the test in our QEMU with the device; the
# nested KTAP is printed as a subtest.
run_store64b() {
	_name=$1
	shift
	timeout -s KILL 120 qemu-system-x86_64 -M q35 -cpu max -m 128 -nodefaults \
		-display none -no-reboot -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$tests/store64b.bin" -append mapped "$@" \
		</dev/null >/tmp/l2_store64b.out 2>/tmp/l2_store64b.err
	_st=$?
	tr -d '\r' </tmp/l2_store64b.out | sed 's/^/    /'
	sed 's/^/# qemu: /' /tmp/l2_store64b.err
	# isa-debug-exit: status (0 << 1) | 1 when every test passed.
	plan=$(tr -d '\r' </tmp/l2_store64b.out | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
	oks=$(tr -d '\r' </tmp/l2_store64b.out | grep -c '^ok ')
	[ "$_st" -eq 1 ] && [ -n "$plan" ] && [ "$oks" = "$plan" ]
	ktap_result $? "$_name: MOVDIR64B reaches the device whole, ENQCMD(S) refused ($oks/${plan:-?})"
	! qemu_unexpected /tmp/l2_store64b.err \
		"vfio: Cannot reset device $dev, no available reset mechanism"
	ktap_result $? "$_name: QEMU realizes vfio-pci and runs without a warning"
}

run_store64b "container" -device "vfio-pci,host=$dev"
run_store64b "iommufd" -object iommufd,id=iommufd0 \
	-device "vfio-pci,host=$dev,iommufd=iommufd0"

echo "$dev" >/sys/bus/pci/drivers/vfio-pci/unbind
echo >"$sysdev/driver_override"
rmmod vfio-pci 2>/dev/null
ktap_finished
