#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel::portal (MOVDIR64B and ENQCMDS from the kernel) through the
# rust_driver_portal sample, against QEMU's enqueue-testdev. The sample runs
# its checks at probe and logs one line per check; each becomes a result.
# Needs the machine to have an enqueue-testdev (tools/vm/run
# --qemu-arg -device --qemu-arg enqueue-testdev); skipped otherwise. With
# more than one, the sample probes each and the results are the last one's.

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

echo "KTAP version 1"
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0015 ]; then
		dev=$d
	fi
done
if [ -z "$dev" ]; then
	echo "1..0 # SKIP no enqueue-testdev in this machine"
	exit 0
fi

dmesg -c >/dev/null
ktap_check "rust_driver_portal loads" modprobe rust_driver_portal
ktap_check "rust_driver_portal binds to the device" test -e "$dev/driver"

checks=$(dmesg | sed -n "s/.*rust_driver_portal ${dev##*/}: check: \\(.*\\)\$/\\1/p")
if [ -z "$checks" ]; then
	ktap_result 1 "the sample reported its checks"
fi
while IFS= read -r line; do
	[ -n "$line" ] || continue
	case "$line" in
	*": ok") ktap_result 0 "${line%: ok}" ;;
	*) ktap_result 1 "${line%: *}" ;;
	esac
done <<EOF
$checks
EOF
# Seven checks pass when all do; the sample stops at the first failure.
[ "$(echo "$checks" | grep -c ': ok$')" -eq 7 ]
ktap_result $? "all seven checks passed"
ktap_check "rust_driver_portal unloads" rmmod rust_driver_portal
echo "1..$ktap_n"
ktap_finished
