#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The idxd_vdcm host driver on each DSA device of the machine: it resets,
# configures and enables the device with the host's dedicated and shared WQs
# (module parameters dwq_size and swq_size); the host's own submission
# (MOVDIR64B to the dedicated WQ, ENQCMDS with the kernel PASID to the shared
# one) moves, fills and compares buffers, checked byte for byte by the
# driver; bad descriptors get the architected errors; a completion record
# the IOMMU does not map gets a software error, decoded and logged
# (ratelimited); the Scalable IOV DVSEC is found and set up, or its absence
# reported; unbind with work in flight drains cleanly; bind/unbind cycles
# with work each time.
#
# Everything goes through the driver's debugfs files, as an operator would:
#   /sys/kernel/debug/idxd_vdcm-<device>/config   the device and its WQs
#   /sys/kernel/debug/idxd_vdcm-<device>/submit   write "<op> <dwq|swq> <bytes> <count>",
#                                                  read the last job's report

# shellcheck source=tools/testing/selftests/vdsa/ktap.sh
. "$(dirname "$0")/ktap.sh"

drv=/sys/bus/pci/drivers/idxd_vdcm

dsas=$(dsa_devices)
ndsa=$(echo "$dsas" | wc -w)
first=$(echo "$dsas" | head -n 1)

# 3 tests before the per-device ones, 17 per device, 1 on the first.
ktap_header $((3 + 17 * ndsa + 1))

rmmod idxd 2>/dev/null
mount -t debugfs none /sys/kernel/debug 2>/dev/null

# cfg_dword BDF OFFSET: a dword of the device's configuration space.
cfg_dword() {
	od -An -tu4 -j "$2" -N4 "/sys/bus/pci/devices/$1/config" | tr -d ' '
}

# siov_dvsec BDF: the offset of the device's Scalable IOV DVSEC (DVSEC ID 5
# of vendor 0x8086) in its configuration space; fails if it has none.
siov_dvsec() {
	_off=0x100
	_n=0
	while [ $((_off)) -ge 256 ] && [ $_n -lt 64 ]; do
		_h=$(cfg_dword "$1" $((_off)))
		if [ $((_h & 0xffff)) -eq $((0x23)) ] &&
			[ $(($(cfg_dword "$1" $((_off + 4))) & 0xffff)) -eq $((0x8086)) ] &&
			[ $(($(cfg_dword "$1" $((_off + 8))) & 0xffff)) -eq 5 ]; then
			echo $((_off))
			return 0
		fi
		_off=$((_h >> 20))
		_n=$((_n + 1))
	done
	return 1
}

# The DVSEC's system page size (offset 0x10) to 8 KiB: the driver must set
# it to the host's 4 KiB.
for bdf in $dsas; do
	if off=$(siov_dvsec "$bdf"); then
		printf '\002\000\000\000' |
			dd of="/sys/bus/pci/devices/$bdf/config" bs=1 seek=$((off + 16)) \
				conv=notrunc 2>/dev/null
	fi
done

ktap_check "module loads with dwq_size=16 swq_size=8" modprobe idxd_vdcm dwq_size=16 swq_size=8

# shellcheck disable=SC2086
ktap_check "binds every DSA device ($ndsa)" dsa_bound_to idxd_vdcm $dsas

# The upstream driver must not have taken a device first.
ktap_check "idxd is not loaded" sh -c '! grep -q "^idxd " /proc/modules'

# job DIR SPEC: run a job; its report goes to the KTAP diagnostics.
job() {
	_st=0
	echo "$2" >"$1/submit" || _st=1
	ktap_diag "$(cat "$1/submit")"
	return $_st
}

# job_fails DIR SPEC: the job must be refused (write error).
job_fails() {
	if echo "$2" >"$1/submit" 2>/dev/null; then
		ktap_diag "\"$2\" was accepted"
		return 1
	fi
}

for bdf in $dsas; do
	d=/sys/kernel/debug/idxd_vdcm-$bdf
	dev=/sys/bus/pci/devices/$bdf
	ktap_diag "device $bdf ($(cat "$dev/device"))"

	configured() {
		while read -r l; do ktap_diag "  $l"; done <"$d/config"
		grep -q "^state Enabled$" "$d/config" &&
			grep -q "^wq 0 dedicated size 16 enabled$" "$d/config" &&
			grep -q "^wq 1 shared size 8 enabled$" "$d/config" &&
			[ "$(sed -n 's/^pasid //p' "$d/config")" -gt 0 ]
	}
	ktap_check "$bdf: device and both WQs enabled, kernel PASID" configured

	siov() {
		if off=$(siov_dvsec "$bdf"); then
			ktap_diag "Scalable IOV DVSEC at $off"
			grep -q "^siov yes page_size 4096$" "$d/config" &&
				[ "$(cfg_dword "$bdf" $((off + 16)))" -eq 1 ]
		else
			ktap_diag "no Scalable IOV DVSEC"
			grep -q "^siov no$" "$d/config" &&
				dmesg | grep -q "$bdf: no mediated devices: the device has no Scalable IOV DVSEC"
		fi
	}
	ktap_check "$bdf: Scalable IOV DVSEC set up (4 KiB pages), or its absence reported" siov

	for wq in dwq swq; do
		ktap_check "$bdf: $wq memmove 4 KiB x 200, byte for byte" job "$d" "memmove $wq 4096 200"
		ktap_check "$bdf: $wq fill 4 KiB x 200, byte for byte" job "$d" "fill $wq 4096 200"
		ktap_check "$bdf: $wq compare 4 KiB x 200 (equal and differing)" job "$d" "compare $wq 4096 200"
	done

	ktap_check "$bdf: unsupported opcode gets status 0x10" job "$d" "badop dwq 64 4"
	ktap_check "$bdf: unmapped destination gets a page fault there" job "$d" "fault swq 4096 4"

	oversize() {
		max=$(sed -n 's/^max_xfer //p' "$d/config")
		# A descriptor above the WQ's maximum transfer fails on the device
		# (transfer size out of range): the job reports EIO.
		if [ "$max" -lt 65536 ]; then
			job_fails "$d" "memmove dwq $((max * 2)) 1" &&
				grep -q "first_status=0x13" "$d/submit"
		fi
	}
	ktap_check "$bdf: transfer above the maximum gets status 0x13" oversize

	swerrs() {
		sed -n 's/^software_errors //p' "$d/config"
	}
	swerrs_logged() {
		dmesg | grep -c "$bdf: software error 0x1a: WQ [01], opcode 0x03, PASID 0x[0-9a-f]* (privileged), write fault at 0xfff0000000000000$"
	}
	# Every descriptor's copy is checked and its software error decoded by
	# the driver (code 0x1a, the WQ, the opcode, the address); at most 10
	# of the 23 are logged.
	record_fault() {
		n0=$(swerrs)
		l0=$(swerrs_logged)
		job "$d" "badrec dwq 4096 20" && job "$d" "badrec swq 4096 3" || return 1
		n=$(($(swerrs) - n0))
		l=$(($(swerrs_logged) - l0))
		ktap_diag "$n software errors, $l logged"
		[ $n -eq 23 ] && [ $l -ge 1 ] && [ $l -le 10 ]
	}
	ktap_check "$bdf: unmapped completion record gets software error 0x1a, logged ratelimited" record_fault

	if [ "$bdf" = "$first" ]; then
		not_logged() {
			sleep 6
			job "$d" "badrec dwq 4096 1" &&
				dmesg | grep -q "$bdf: 13 software errors not logged"
		}
		ktap_check "$bdf: errors beyond the log's limit are counted at the next interval" not_logged
	fi

	bad_jobs() {
		job_fails "$d" "memmove" &&
			job_fails "$d" "memmove xwq 4096 1" &&
			job_fails "$d" "memmove dwq 0 1" &&
			job_fails "$d" "memmove dwq 65537 1" &&
			job_fails "$d" "memmove dwq 4096 0" &&
			job_fails "$d" "memmove dwq 4096 1 extra" &&
			job_fails "$d" "frobnicate dwq 4096 1" &&
			job_fails "$d" "$(head -c 100 /dev/zero | tr '\0' 'a')"
	}
	ktap_check "$bdf: malformed jobs refused with an error" bad_jobs
	ktap_check "$bdf: device still works after the errors" job "$d" "memmove swq 4096 20"

	inflight() {
		echo "memmove swq 4096 1000000" >"$d/submit" 2>/dev/null &
		pid=$!
		sleep 1
		echo "$bdf" >$drv/unbind || return 1
		wait $pid
		st=$?
		ktap_diag "job interrupted by unbind: exit status $st"
		[ $st -ne 0 ] && [ ! -e "$dev/driver" ] && [ ! -e "$d" ]
	}
	ktap_check "$bdf: unbind with work in flight drains and unbinds" inflight

	rebind() {
		echo "$bdf" >$drv/bind && [ -e "$d/submit" ] &&
			job "$d" "memmove dwq 4096 10"
	}
	ktap_check "$bdf: rebinds and works again" rebind

	cycles() {
		i=0
		while [ $i -lt 5 ]; do
			echo "$bdf" >$drv/unbind && echo "$bdf" >$drv/bind &&
				echo "compare swq 4096 10" >"$d/submit" || return 1
			i=$((i + 1))
		done
	}
	ktap_check "$bdf: 5 unbind/bind cycles with a job each" cycles
done

rmmod idxd_vdcm
ktap_finished
