/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * 64-byte store to device memory as one write, x86_64 version: MOVDIR64B.
 */

#ifndef X86_64_STORE64B_H
#define X86_64_STORE64B_H

#include "host/cpuinfo.h"

/**
 * host_store64b: write 64 bytes to host memory as one transaction
 * @dest: host address, 64-byte aligned
 * @src: the 64 bytes
 *
 * For memory that belongs to a device (e.g. a vfio-pci BAR mapped into
 * QEMU), which must receive a guest's 64-byte store as a single write.
 * Returns false, and writes nothing, when the host CPU has no MOVDIR64B.
 */
static inline bool host_store64b(void *dest, const void *src)
{
    if (!(cpuinfo & CPUINFO_MOVDIR64B)) {
        return false;
    }
    asm volatile("movdir64b %1, %0"
                 : : "r" (dest), "m" (*(const uint8_t (*)[64])src)
                 : "memory");
    return true;
}

#endif /* X86_64_STORE64B_H */
