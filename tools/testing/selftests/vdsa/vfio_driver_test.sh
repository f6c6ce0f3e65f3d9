#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The emulated DSA under the kernel's own VFIO selftests: the device is bound
# to vfio-pci and vfio_pci_driver_test drives it with its DSA driver
# (tools/testing/selftests/vfio/lib/drivers/dsa: reset, WQ and group set-up,
# enable, memcpy single and batched, copies from and to unmapped IOVAs, MSI-X)
# in every IOMMU mode, or in those that the arguments select (the harness's
# options, e.g. "-v iommufd"). Its KTAP output is this test's.
#
# usage: vfio_driver_test.sh [HARNESS-OPTIONS]

dir=$(dirname "$0")

dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x0b25 ] &&
		{ dev=$(basename "$d"); break; }
done

setup_failed() {
	echo "KTAP version 1"
	echo "1..1"
	echo "# $*"
	echo "not ok 1 vfio-pci binds the DSA device"
	exit 1
}
[ -n "$dev" ] || setup_failed "no 8086:0b25 device"

sysdev=/sys/bus/pci/devices/$dev
if [ -e "$sysdev/driver" ]; then
	echo "$dev" >"$sysdev/driver/unbind" || setup_failed "cannot unbind $dev"
fi
# vfio-pci keeps DSA on its denylist (its host driver is idxd); the
# selftests are the reason to lift it.
modprobe vfio-pci disable_denylist=1 || setup_failed "modprobe vfio-pci"
echo vfio-pci >"$sysdev/driver_override"
echo "$dev" >/sys/bus/pci/drivers_probe
[ "$(basename "$(readlink "$sysdev/driver")")" = vfio-pci ] ||
	setup_failed "$dev is not bound to vfio-pci"

"$dir/vfio_pci_driver_test" "$@" "$dev"
status=$?

echo "$dev" >/sys/bus/pci/drivers/vfio-pci/unbind
echo >"$sysdev/driver_override"
rmmod vfio-pci
exit $status
