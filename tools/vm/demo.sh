#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run`, inside the emulated SIOV machine: load the vDSA
# host driver and show what it registered.

step() { printf '\n== %s\n' "$*"; }

step "machine"
uname -r
grep -m1 'model name' /proc/cpuinfo
printf 'IOMMU: '
dmesg | grep -m1 -o 'DMAR: Intel(R) Virtualization Technology for Directed I/O' || echo none
ls /sys/class/iommu/ 2>/dev/null

step "loading idxd_vdcm"
modprobe idxd_vdcm || exit 1
dmesg | grep idxd_vdcm | tail -n 5

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
	echo "none yet: the vDSA mdev types come with the emulated DSA device"

step "unloading"
rmmod idxd_vdcm && echo "idxd_vdcm unloaded"
