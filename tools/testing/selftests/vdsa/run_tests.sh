#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every vDSA test in the guest, one after the other, each as its own KTAP
# document. The exit status is non-zero if any test failed.
#
# usage: run_tests.sh [--once] [TEST...]
#   TEST: a test and its arguments as one word ("dsa_dmatest.sh 11fb");
#   default: every test of the emulated SIOV machine (idxd_user.sh needs
#   another platform, l2_dmatest.sh a nested guest: tools/check.sh runs
#   them in boots of their own)
#   --once: each test once, on the first DSA (0b25) only, and none of the
#   benchmarks (the debug kernel's run: it checks the code the tests reach,
#   which the DSA 2.0 runs reach again, and it makes any speed meaningless)

dir=$(dirname "$0")
status=0
once=
if [ "${1:-}" = --once ]; then
	once=1
	shift
fi
[ $# -gt 0 ] || set -- \
	"kunit_test.sh idxd_vdcm idxd_vdcm_regs idxd_vdcm_cmd idxd_vdcm_desc idxd_vdcm_config idxd_vdcm_siov idxd_vdcm_ims idxd_vdcm_vdsa_cfgspace idxd_vdcm_vdsa_bar0 idxd_vdcm_vdsa_vcmd idxd_vdcm_vdsa_migration" \
	"module_test.sh" \
	"host_test.sh" \
	"host_dma.sh" \
	"ims_test.sh" \
	"host_bench.sh 0b25" \
	"vdsa_test.sh 0b25" \
	"vdsa_test.sh 11fb" \
	"vdsa_slow_test.sh 0b25" \
	"vdsa_slow_test.sh 11fb" \
	"vdsa_swq_test.sh 0b25 4" \
	"vdsa_swq_test.sh 11fb 16" \
	"vdsa_fuzz.sh 0b25 10000" \
	"vdsa_fuzz.sh 11fb 10000" \
	"vdsa_fuzz.sh --swq 0b25 10000" \
	"vdsa_halt_test.sh 0b25" \
	"vdsa_halt_test.sh 11fb" \
	"vdsa_migrate_test.sh 0b25" \
	"vdsa_migrate_test.sh 11fb" \
	"lifecycle_soak.sh 0b25 1000" \
	"vdsa_bench.sh 0b25" \
	"ims_bench.sh 0b25" \
	"dsa_dmatest.sh 0b25" \
	"dsa_dmatest.sh 11fb" \
	"vfio_driver_test.sh -v iommufd" \
	"dsa_bad_input.sh 0b25" \
	"dsa_bad_input.sh 11fb" \
	"isa_test" \
	"mmio_remap_test" \
	"portal_test.sh" \
	"mdev_test" \
	"mdevctl_test.sh 0b25" \
	"mdevctl_test.sh 0b25 1swq-v1" \
	"l2_store64b.sh"
for t in "$@"; do
	if [ -n "$once" ]; then
		case "$t" in
		*_bench.sh*|*" 11fb"*) continue ;;
		esac
	fi
	echo "# vdsa-test: $t"
	start=$(date +%s)
	# shellcheck disable=SC2086
	case "$t" in
	*.sh*) sh "$dir"/$t || status=1 ;;
	*) "$dir"/$t || status=1 ;;
	esac
	echo "# vdsa-test-time: $t: $(($(date +%s) - start)) s"
done
exit $status
