# SPDX-License-Identifier: GPL-2.0
# Hand the emulated DSA to vfio-pci and back, for the tests that drive it
# through VFIO. Sourced; sets $dev to the device's BDF.
# shellcheck shell=sh

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

# dsa_vfio_bind [DEVICE-ID]: bind the first 8086:DEVICE-ID device (default
# 0b25, DSA 1.0) to vfio-pci, or print a failed KTAP test and exit.
dsa_vfio_bind() {
	dev=$(dsa_devices "${1:-0b25}" | head -n 1)
	[ -n "$dev" ] || dsa_vfio_failed "no 8086:${1:-0b25} device"
	sysdev=/sys/bus/pci/devices/$dev
	if [ -e "$sysdev/driver" ]; then
		echo "$dev" >"$sysdev/driver/unbind" || dsa_vfio_failed "cannot unbind $dev"
	fi
	# vfio-pci keeps DSA on its denylist (its host driver is idxd); the
	# tests are the reason to lift it.
	modprobe vfio-pci disable_denylist=1 || dsa_vfio_failed "modprobe vfio-pci"
	echo vfio-pci >"$sysdev/driver_override"
	echo "$dev" >/sys/bus/pci/drivers_probe
	dsa_bound_to vfio-pci "$dev" >/dev/null ||
		dsa_vfio_failed "$dev is not bound to vfio-pci"
}

dsa_vfio_failed() {
	echo "KTAP version 1"
	echo "1..1"
	echo "# $*"
	echo "not ok 1 vfio-pci binds the DSA device"
	exit 1
}

# dsa_vfio_release: give the device back (no driver), unload vfio-pci.
dsa_vfio_release() {
	echo "$dev" >/sys/bus/pci/drivers/vfio-pci/unbind
	echo >"/sys/bus/pci/devices/$dev/driver_override"
	rmmod vfio-pci
}
