#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The idxd_vdcm module: it loads, registers its PCI driver for the DSA device
# IDs, binds the machine's DSA devices (the emulated ones in our VM), survives
# unbind/bind cycles through sysfs, and unloads, many times over.

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

drv=/sys/bus/pci/drivers/idxd_vdcm
cycles=20

ktap_header 8

dsas=$(dsa_devices)

ktap_check "module loads" modprobe idxd_vdcm
ktap_check "PCI driver registered" test -d $drv

# The device table reaches the module's aliases, so udev and modprobe load it
# for each DSA device ID.
aliases() {
	for id in 0B25 11FB 1212; do
		grep -q "^alias pci:v00008086d0000${id}sv\*sd\*bc\*sc\*i\* idxd_vdcm\$" \
			"/lib/modules/$(uname -r)/modules.alias" || {
			ktap_diag "no alias for device $id"
			return 1
		}
	done
}
ktap_check "module aliases cover the DSA device IDs" aliases

bound_all() {
	# shellcheck disable=SC2086
	dsa_bound_to idxd_vdcm $dsas
}
rebind() {
	for bdf in $dsas; do
		i=0
		while [ $i -lt 10 ]; do
			echo "$bdf" >$drv/unbind || return 1
			[ ! -e "/sys/bus/pci/devices/$bdf/driver" ] || return 1
			echo "$bdf" >$drv/bind || return 1
			i=$((i + 1))
		done
	done
	bound_all
}
if [ -n "$dsas" ]; then
	ktap_check "binds every DSA device ($(echo "$dsas" | wc -w))" bound_all
	ktap_check "10 unbind/bind cycles per DSA device" rebind
else
	echo "ok 4 binds every DSA device # SKIP no DSA device"
	echo "ok 5 10 unbind/bind cycles per DSA device # SKIP no DSA device"
	ktap_n=$((ktap_n + 2))
fi

ktap_check "module unloads" rmmod idxd_vdcm
ktap_check "PCI driver unregistered" test ! -e $drv

cycle() {
	i=0
	while [ $i -lt $cycles ]; do
		modprobe idxd_vdcm && test -d $drv && rmmod idxd_vdcm || return 1
		i=$((i + 1))
	done
	test ! -e $drv
}
ktap_check "$cycles load/unload cycles" cycle

ktap_finished
