#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The emulated DSA given bad input (dsa_bad_input_test, through vfio-pci):
# the architected errors, and a device that still works afterwards.
#
# usage: dsa_bad_input.sh [DEVICE-ID]
#   DEVICE-ID: the PCI device ID of the DSA to use (0b25: DSA 1.0, the
#   default; 11fb: the 2.0 layout)

dir=$(dirname "$0")
# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$dir/dsa_vfio.sh"

dsa_vfio_bind "$1"
"$dir/dsa_bad_input_test" "$dev"
status=$?
dsa_vfio_release
exit $status
