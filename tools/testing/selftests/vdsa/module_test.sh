#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The idxd_vdcm module: it loads, registers its PCI driver for the DSA device
# IDs, and unloads, many times over.

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

drv=/sys/bus/pci/drivers/idxd_vdcm
cycles=20

ktap_header 6

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
