#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The vDSA VFIO fuzzer (see vdsa_fuzz.c) on the first DSA with the given
# device ID: OPS random operations on one vDSA while another vDSA and the
# host's WQ copy. The seed is printed; pass it to repeat a run.
#
# usage: vdsa_fuzz.sh [--swq] [DEVICE-ID [OPS [SEED]]]
#   --swq: both vDSAs of type 1swq-v1, on the same shared WQ (idxd_vdcm
#   loaded with swq_vdsas=2)

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

params=
if [ "${1:-}" = --swq ]; then
	params=swq_vdsas=2
	export VDSA_TYPE=1swq-v1
	shift
fi
devid=${1:-0b25}
ops=${2:-10000}
bdf=$(dsa_devices "$devid" | head -n 1)

ktap_header 3
mount -t debugfs none /sys/kernel/debug 2>/dev/null
rmmod idxd 2>/dev/null
rmmod idxd_vdcm 2>/dev/null
# shellcheck disable=SC2086 # none or one parameter
ktap_check "idxd_vdcm loaded${params:+ with $params}, $bdf offers vDSAs" \
	vdcm_loaded "$devid" "$bdf" $params

ktap_check "vdsa_fuzz $bdf $ops${VDSA_TYPE:+ ($VDSA_TYPE)}" \
	"$(dirname "$0")"/vdsa_fuzz "$bdf" "$ops" ${3:+"$3"}
ktap_check "idxd_vdcm unloads" rmmod idxd_vdcm
ktap_finished
