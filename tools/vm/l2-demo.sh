#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run-l2`, inside the emulated SIOV machine: our QEMU
# gives a DSA to a nested guest through vfio-pci (vdsa-l2), and the
# upstream idxd there probes it, configures a kernel WQ through sysfs and
# runs dmatest, whose result is printed.
#
# usage: vdsa-l2-demo [pci|vdsa] [container|iommufd] [tcg|kvm]
#   pci:  the machine's DSA itself, bound to vfio-pci (the default)
#   vdsa: a vDSA of idxd_vdcm on it, created through sysfs (needs the
#         vDSA's emulated configuration space and BAR 0)
#   tcg, kvm: the nested guest's accelerator (default kvm)

kind=${1:-pci}
backend=${2:-container}
accel=${3:-kvm}
ro=

step() { printf '\n== %s\n' "$*"; }

dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x0b25 ] &&
		{ dev=${d##*/}; break; }
done
[ -n "$dev" ] || { echo "no DSA in this machine"; exit 1; }

case "$kind" in
pci)
	step "the DSA $dev to vfio-pci"
	rmmod idxd 2>/dev/null
	rmmod idxd_vdcm 2>/dev/null
	modprobe vfio-pci disable_denylist=1 || exit 1
	echo vfio-pci >"/sys/bus/pci/devices/$dev/driver_override"
	echo "$dev" >/sys/bus/pci/drivers_probe
	echo "$dev: driver $(basename "$(readlink "/sys/bus/pci/devices/$dev/driver")")," \
		"IOMMU group $(basename "$(readlink "/sys/bus/pci/devices/$dev/iommu_group")")"
	assign="--pci $dev"
	;;
vdsa)
	step "a vDSA on $dev, through sysfs"
	rmmod idxd 2>/dev/null
	modprobe idxd_vdcm || exit 1
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" >"/sys/bus/pci/devices/$dev/mdev_supported_types/idxd_vdcm-1dwq-v1/create" ||
		exit 1
	echo "vDSA $uuid"
	assign="--vdsa $uuid"
	# A vDSA's configuration is read-only: idxd takes its WQ as it is.
	ro=ro
	;;
*)
	echo "usage: vdsa-l2-demo [pci|vdsa] [container|iommufd] [tcg|kvm]" >&2
	exit 2
	;;
esac

opt=
[ "$backend" != iommufd ] || opt=--iommufd
step "the nested guest: vdsa-l2 --accel $accel $opt $assign -- dsa_dmatest.sh 0b25 400 $ro"
if [ "$accel" = kvm ]; then
	echo "(our QEMU in this machine under KVM, -cpu max, 512 MiB, no IOMMU; about"
	echo "a minute)"
else
	echo "(our QEMU in this machine, -cpu max, 512 MiB, no IOMMU; several minutes"
	echo "under emulation inside emulation)"
fi
start=$(date +%s)
# shellcheck disable=SC2086 # options and their values
vdsa-l2 --accel "$accel" $opt $assign -- sh -c '
	echo "nested guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU," \
		"$(grep -o -m1 movdir64b /proc/cpuinfo)"
	for d in /sys/bus/pci/devices/*; do
		echo "  $(basename "$d") $(cat "$d/vendor"):$(cat "$d/device")"
	done
	/opt/vdsa/tests/dsa_dmatest.sh 0b25 400 $1' sh "$ro"
status=$?
step "done in $(($(date +%s) - start)) s, status $status"
[ "$kind" != vdsa ] || echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
exit $status
