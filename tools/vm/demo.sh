#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run`, inside the emulated SIOV machine: show the emulated
# DSA, load the vDSA host driver, create a vDSA through sysfs and copy
# through it with samples/vfio-mdev/vdsa_copy.c, then remove it.

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
bdf=
for t in /sys/bus/pci/devices/*/mdev_supported_types/idxd_vdcm-1dwq-v1; do
	[ -d "$t" ] || continue
	d=${t%/mdev_supported_types/*}
	bdf=${d##*/}
	echo "$bdf: $(cat "$t/name"); available_instances $(cat "$t/available_instances")"
done
[ -n "$bdf" ] || { echo "no DSA offers vDSAs"; exit 1; }
type=/sys/bus/pci/devices/$bdf/mdev_supported_types/idxd_vdcm-1dwq-v1

step "creating a vDSA through sysfs"
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "echo $uuid > $type/create"
echo "$uuid" >"$type/create" || exit 1
ls -l "/sys/bus/mdev/devices/$uuid/vfio-dev"
echo "available_instances now $(cat "$type/available_instances")"
grep vdsa "/sys/kernel/debug/idxd_vdcm-$bdf/config"

step "copying through the vDSA (VFIO cdev, iommufd, portal mmap, MOVDIR64B)"
vdsa_copy "$uuid" || exit 1
grep vdsa_vfio_calls "/sys/kernel/debug/idxd_vdcm-$bdf/config"

step "removing the vDSA"
echo 1 >"/sys/bus/mdev/devices/$uuid/remove" && echo "removed $uuid"

step "unloading"
rmmod idxd_vdcm && echo "idxd_vdcm unloaded"
