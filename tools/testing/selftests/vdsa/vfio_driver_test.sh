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
# shellcheck source=tools/testing/selftests/vdsa/dsa_vfio.sh
. "$dir/dsa_vfio.sh"

# On the debug kernel (KASAN), the fixture of every test (a 1 GiB IOAS
# mapping, pinned page by page) alone outlasts the harness's 30 s timeout,
# which no option of the test changes, and a timed-out test leaves the
# device bound for the next. The test drives vfio-pci and iommufd, not
# idxd_vdcm; the main kernel's boot runs it.
if grep -q ' kasan_report$' /proc/kallsyms; then
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 vfio_pci_driver_test # SKIP on the KASAN kernel: each test's 1 GiB IOAS mapping outlasts the harness's fixed 30 s timeout"
	exit 0
fi

dsa_vfio_bind
"$dir/vfio_pci_driver_test" "$@" "$dev"
status=$?
dsa_vfio_release
exit $status
