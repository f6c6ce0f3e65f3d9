/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * 64-byte store to device memory as one write, generic version.
 */

#ifndef HOST_STORE64B_H
#define HOST_STORE64B_H

/**
 * host_store64b: write 64 bytes to host memory as one transaction
 * @dest: host address, 64-byte aligned
 * @src: the 64 bytes
 *
 * For memory that belongs to a device (e.g. a vfio-pci BAR mapped into
 * QEMU), which must receive a guest's 64-byte store as a single write.
 * Returns false, and writes nothing, when the host has no such store.
 */
static inline bool host_store64b(void *dest, const void *src)
{
    return false;
}

#endif /* HOST_STORE64B_H */
