#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's VFIO selftests and the vDSA selftests
# (tools/testing/selftests/vfio and vdsa of the cached tree) out of tree and
# statically, for the emulated machine.
#
#   tools/kernel/vfio-selftests.sh DEST    installs the test programs in DEST
#
# Of the VFIO selftests only vfio_pci_driver_test is built: its DSA driver
# (lib/drivers/dsa) is the independent check of the DSA model. The vDSA
# selftests are installed as their Makefile lists them: the programs, among
# them those that drive a device through libvfio, the scripts and the
# config. The objects go to build/vfio-selftests and build/vdsa-selftests
# and the UAPI headers to build/kernel-headers, outside the kernel tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dest=${1:?usage: vfio-selftests.sh DEST}
# Absolute: the vDSA selftests are installed from the tree's directory.
dest=$(mkdir -p "$dest" && cd "$dest" && pwd)
tests=(vfio_pci_driver_test)

tree=$("$here/prepare.sh")
hdr=$top/build/kernel-headers
out=$top/build/vfio-selftests
vdsa_out=$top/build/vdsa-selftests
mkdir -p "$hdr" "$out" "$vdsa_out" "$dest"

# The UAPI headers, reinstalled only when the tree's version changes.
stamp=$(sha256sum "$tree/include/uapi/linux/vfio.h" "$tree/Makefile" | sha256sum | cut -c1-16)
if [ "$(cat "$hdr/.stamp" 2>/dev/null)" != "$stamp" ]; then
	make -s -C "$tree" headers_install INSTALL_HDR_PATH="$hdr" >/dev/null
	echo "$stamp" >"$hdr/.stamp"
fi

make -s -C "$tree/tools/testing/selftests/vfio" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $hdr/include" \
	EXTRA_CFLAGS=-static LDFLAGS="-static -pthread" \
	"${tests[@]/#/$out/}"
for t in "${tests[@]}"; do
	cp "$out/$t" "$dest/"
done

# The vDSA target's own output (its file lists, lib.mk's CC lines) is noise
# here: errors and warnings go to stderr.
make -s -C "$tree/tools/testing/selftests/vdsa" OUTPUT="$vdsa_out" \
	KHDR_INCLUDES="-isystem $hdr/include" \
	EXTRA_CFLAGS=-static LDFLAGS="-static -pthread" \
	INSTALL_PATH="$dest" install >/dev/null
