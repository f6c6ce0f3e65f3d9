#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's VFIO selftests (tools/testing/selftests/vfio of the
# cached tree) out of tree and statically, for the emulated machine.
#
#   tools/kernel/vfio-selftests.sh DEST    copies the test programs to DEST
#
# Only vfio_pci_driver_test is built: its DSA driver (lib/drivers/dsa) is
# the independent check of the DSA model. The objects go to build/vfio-selftests
# and the UAPI headers to build/kernel-headers, outside the kernel tree.
# The project's own tests that drive a device through libvfio
# (tools/testing/selftests/vdsa/*_test.c that include libvfio.h) are linked
# against the same library.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dest=${1:?usage: vfio-selftests.sh DEST}
tests=(vfio_pci_driver_test)

tree=$("$here/prepare.sh")
hdr=$top/build/kernel-headers
out=$top/build/vfio-selftests
mkdir -p "$hdr" "$out" "$dest"

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

vfio=$tree/tools/testing/selftests/vfio
mapfile -t libvfio < <(find "$out/libvfio" -name '*.o' | sort)
for src in "$top"/tools/testing/selftests/vdsa/*_test.c; do
	grep -q '#include <libvfio.h>' "$src" || continue
	gcc -static -O2 -Wall -Werror -pthread \
		-isystem "$hdr/include" -I"$vfio/lib/include" -I"$tree/tools/include" \
		-I"$tree/tools/testing/selftests" \
		-o "$dest/$(basename "$src" .c)" "$src" "${libvfio[@]}" -luuid
done
