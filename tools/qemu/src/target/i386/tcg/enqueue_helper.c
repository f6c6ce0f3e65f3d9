/*
 * x86 64-byte stores: MOVDIR64B (direct store), ENQCMD and ENQCMDS
 * (enqueue stores)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A 64-byte store reaches a device as one transaction through
 * MemoryRegionOps.write_block.  A direct store is posted.  An enqueue
 * store is deferrable: the device may refuse it, and the instruction
 * reports the refusal in ZF so that software can retry it.
 *
 * The destination may also be host memory that belongs to a device, a
 * RAM device region such as the mmap of a vfio-pci BAR, which TCG
 * accesses directly.  A direct store reaches it through the host's own
 * 64-byte store (MOVDIR64B), or not at all: the instruction faults rather
 * than reach the device in pieces.  An enqueue store is refused there.
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/helper-proto.h"
#include "accel/tcg/cpu-ldst.h"
#include "accel/tcg/probe.h"
#include "exec/target_page.h"
#include "exec/tlb-flags.h"
#include "helper-tcg.h"
#include "trace.h"
#ifndef CONFIG_USER_ONLY
#include "accel/tcg/iommu.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "system/memory.h"
#include "host/store64b.h"
#endif

#define STORE64B_SIZE 64

/* The first dword of an enqueued command: PASID, reserved bits, privilege. */
#define ENQCMD_PASID_MASK 0x000fffffu
#define ENQCMD_PRIV       (1u << 31)

static void store64b_check_dest(CPUX86State *env, target_ulong dest,
                                uintptr_t ra)
{
    if (!QEMU_IS_ALIGNED(dest, STORE64B_SIZE)) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
}

/*
 * The source is read with ordinary loads: it need not be aligned, and the
 * 64 bytes need not be read atomically.
 */
static void store64b_load_source(CPUX86State *env, uint8_t *data,
                                 target_ulong src, int mmu_idx, uintptr_t ra)
{
    for (int i = 0; i < STORE64B_SIZE; i += 8) {
        stq_le_p(data + i, cpu_ldq_le_mmuidx_ra(env, src + i, mmu_idx, ra));
    }
}

#ifndef CONFIG_USER_ONLY
/*
 * A 64-byte store to host memory that a device decodes (a RAM device
 * region): only the host CPU's own 64-byte store reaches the device as
 * one write.
 *
 * An enqueue store is not attempted.  The host's ENQCMD would put the
 * PASID of QEMU's process in the command instead of the guest's, and
 * ENQCMDS does not run in user space; so the device does not take it
 * (MEMTX_ERROR, ZF=1) and nothing is written.
 *
 * Without that store on the host, a direct store writes nothing and
 * raises #GP(0), which tells the guest and its user that the store did
 * not happen; tearing it into smaller writes would let the device see
 * a partial or garbled 64-byte command.
 */
static MemTxResult store64b_ram_device(CPUX86State *env, MemoryRegion *mr,
                                       void *host, const uint8_t *data,
                                       bool deferrable, uintptr_t ra)
{
    if (deferrable) {
        return MEMTX_ERROR;
    }
    if (!host_store64b(host, data)) {
        error_report_once("MOVDIR64B to %s: the host CPU has no 64-byte "
                          "store to give it whole; raising #GP",
                          memory_region_name(mr));
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    return MEMTX_OK;
}
#endif

/*
 * Store @data at the 64-byte aligned linear address @dest as one
 * transaction.  Returns MEMTX_OK if the destination took it; an enqueue
 * store (@deferrable) may also return MEMTX_RETRY or an error.
 *
 * Only an enqueue register (an I/O region with a write_block callback
 * that accepts it) takes an enqueue store: ordinary memory does not, and
 * is left unchanged.
 */
static MemTxResult store64b(CPUX86State *env, target_ulong dest,
                            const uint8_t *data, bool deferrable,
                            int mmu_idx, uintptr_t ra)
{
    void *host;
    int flags;

#ifndef CONFIG_USER_ONLY
    CPUTLBEntryFull *full;

    flags = probe_access_full(env, dest, STORE64B_SIZE, MMU_DATA_STORE,
                              mmu_idx, false, &host, &full, ra);
    if (flags & TLB_MMIO) {
        MemoryRegionSection *section;
        hwaddr offset;

        section = iotlb_to_section(env_cpu(env), full->xlat_section,
                                   full->attrs);
        if (!memory_region_is_ram(section->mr)) {
            offset = (full->xlat_section & TARGET_PAGE_MASK) + dest;
            BQL_LOCK_GUARD();
            return memory_region_dispatch_write_block(section->mr, offset,
                                                      data, STORE64B_SIZE,
                                                      deferrable,
                                                      full->attrs);
        }
    }
    if (host) {
        ram_addr_t offset;
        MemoryRegion *mr = memory_region_from_host(host, &offset);

        if (mr && memory_region_is_ram_device(mr)) {
            return store64b_ram_device(env, mr, host, data, deferrable,
                                       ra);
        }
    }
#else
    flags = probe_access_flags(env, dest, STORE64B_SIZE, MMU_DATA_STORE,
                               mmu_idx, false, &host, ra);
#endif

    if (deferrable) {
        return MEMTX_ERROR;
    }
    if (host && !(flags & TLB_WATCHPOINT)) {
        memcpy(host, data, STORE64B_SIZE);
        return MEMTX_OK;
    }
    /* RAM behind watchpoints, plugins or dirty tracking: the slow path. */
    for (int i = 0; i < STORE64B_SIZE; i += 8) {
        cpu_stq_le_mmuidx_ra(env, dest + i, ldq_le_p(data + i), mmu_idx, ra);
    }
    return MEMTX_OK;
}

void helper_movdir64b(CPUX86State *env, target_ulong dest, target_ulong src)
{
    uintptr_t ra = GETPC();
    int mmu_idx = cpu_mmu_index(env_cpu(env), false);
    uint8_t data[STORE64B_SIZE];
    MemTxResult r;

    store64b_check_dest(env, dest, ra);
    store64b_load_source(env, data, src, mmu_idx, ra);
    r = store64b(env, dest, data, false, mmu_idx, ra);
    trace_x86_movdir64b(dest, r);
}

/*
 * ENQCMD takes the PASID from IA32_PASID and marks the command as a user
 * one; ENQCMDS (CPL 0 only, checked at translation) takes PASID and
 * privilege from the source.  Bits 30:20 of the command are zero.
 * Returns the flags: ZF is set if the command was not accepted.
 */
target_ulong helper_enqcmd(CPUX86State *env, target_ulong dest,
                           target_ulong src, uint32_t supervisor)
{
    uintptr_t ra = GETPC();
    int mmu_idx = cpu_mmu_index(env_cpu(env), false);
    uint8_t cmd[STORE64B_SIZE];
    uint32_t dword0;
    MemTxResult r;

    if (!supervisor && !(env->pasid & MSR_IA32_PASID_VALID)) {
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    store64b_check_dest(env, dest, ra);
    store64b_load_source(env, cmd, src, mmu_idx, ra);

    if (supervisor) {
        dword0 = ldl_le_p(cmd) & (ENQCMD_PRIV | ENQCMD_PASID_MASK);
    } else {
        dword0 = env->pasid & ENQCMD_PASID_MASK;
    }
    stl_le_p(cmd, dword0);

    r = store64b(env, dest, cmd, true, mmu_idx, ra);
    trace_x86_enqcmd(dest, dword0, supervisor, r);
    return r == MEMTX_OK ? 0 : CC_Z;
}
