#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the bare-metal 64-byte store test: OUT.elf and the Multiboot image
# OUT.bin that QEMU loads with -kernel.
#
# usage: tools/qemu/tests/store64b/build.sh OUT
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
gcc -m64 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie -no-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fcf-protection=none \
	-nostdlib -static -Wl,-T,"$src/link.ld" -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out.elf" "$src/boot.S" "$src/test.c"
objcopy -O binary "$out.elf" "$out.bin"
