#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run`, inside the emulated SIOV machine: show the emulated
# DSA, load the vDSA host driver and show what it made of the device.

step() { printf '\n== %s\n' "$*"; }

step "machine"
uname -r
grep -m1 'model name' /proc/cpuinfo
printf 'IOMMU: '
dmesg | grep -m1 -o 'DMAR: Intel(R) Virtualization Technology for Directed I/O' || echo none
ls /sys/class/iommu/ 2>/dev/null

step "DSA devices (emulated by our QEMU)"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] || continue
	case "$(cat "$d/device")" in
	0x0b25 | 0x11fb | 0x1212)
		echo "${d##*/}: 8086:$(sed s/0x// "$d/device")" ;;
	esac
done

step "loading idxd_vdcm"
modprobe idxd_vdcm || exit 1
dmesg | grep 'idxd_vdcm [0-9]' | tail -n 5

step "PCI driver registered"
ls -d /sys/bus/pci/drivers/idxd_vdcm
bound=0
for d in /sys/bus/pci/drivers/idxd_vdcm/0000:*; do
	[ -e "$d" ] && bound=$((bound + 1))
done
echo "DSA devices bound: $bound"
printf 'device IDs it binds to:\n'
grep idxd_vdcm "/lib/modules/$(uname -r)/modules.alias" | sed 's/^/  /'

step "mdev types (mdev_supported_types)"
ls -d /sys/bus/pci/devices/*/mdev_supported_types 2>/dev/null ||
	echo "none yet: idxd_vdcm does not register its vDSA mdev types yet"

step "unloading"
rmmod idxd_vdcm && echo "idxd_vdcm unloaded"
