#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A DSA whose MSI-X table has vector 0 only (QEMU's x-msix-vectors=1, as a
# platform short of vectors leaves a driver): idxd_vdcm binds it all the
# same, says once why it registers no dmaengine channel for its host WQs,
# and its vDSAs, whose interrupts are IMS vectors, work (vdsa_test).
#
# usage: msix_short.sh [DEVICE-ID]

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

devid=${1:-0b25}

ktap_header 4
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
dmesg -c >/dev/null

# The device of $devid with one MSI-X vector once idxd_vdcm is bound.
bdf=
bound() {
	modprobe idxd_vdcm || return 1
	for _d in $(dsa_devices "$devid"); do
		_v=$(ls "/sys/bus/pci/devices/$_d/msi_irqs" 2>/dev/null | wc -l)
		ktap_diag "$_d: $_v MSI-X vectors"
		[ "$_v" -eq 1 ] && bdf=$_d
	done
	[ -n "$bdf" ] && [ -e "/sys/kernel/debug/idxd_vdcm-$bdf/config" ]
}
ktap_check "idxd_vdcm binds the $devid device with one MSI-X vector" bound

nochan() {
	_said=$(dmesg | grep "$bdf" | grep -c 'no MSI-X vector .* no dmaengine channels')
	_chans=$(grep -c '^dma_chan' "/sys/kernel/debug/idxd_vdcm-$bdf/config")
	ktap_diag "said $_said times; $_chans channels"
	dmesg | grep "$bdf" | grep 'MSI-X' | sed 's/^/# /'
	[ "$_said" -eq 1 ] && [ "$_chans" -eq 0 ] &&
		! ls -d "/sys/bus/pci/devices/$bdf/dma/"* >/dev/null 2>&1
}
ktap_check "no dmaengine channel, and the log says why once" nochan

ktap_check "vdsa_test $bdf: its vDSAs work" "$(dirname "$0")"/vdsa_test "$bdf"
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
