/*
 * Intel Data Streaming Accelerator (DSA) PCIe endpoint
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A model of the DSA 1.0 device (8086:0b25; "version=2" gives the 2.0
 * register layout as 8086:11fb) written from the DSA architecture
 * specification and from what the Linux idxd driver reads.
 *
 * PCI: PCIe endpoint with MSI-X (one vector for device events and one per
 * WQ), and the extended capabilities ATS, PASID, PRI and the Intel
 * Scalable IOV DVSEC.
 *
 * BAR 0 (64 KiB) holds the control registers:
 *   0x0000 VER, GENCAP, WQCAP, GRPCAP, ENGCAP, OPCAP, TABLE_OFFSETS,
 *          GENCFG, GENCTRL, GENSTS, INTCAUSE, CMD, CMDSTS, CMDCAP, SWERR
 *   0x0400 GRPCFG   64 bytes per group
 *   0x0800 WQCFG    32 bytes (1.0) or 64 bytes (2.0) per WQ
 *   0x1000 MSIXPERM 8 bytes per MSI-X vector
 *   0x2000 MSI-X table, 0x3000 MSI-X PBA
 *   0x4000 IMS      16 bytes per entry
 * BAR 2 holds the portals, four 4 KiB pages per WQ: unlimited and limited
 * for MSI-X completion interrupts, then the same for IMS.  A 64-byte store
 * (MOVDIR64B, ENQCMD, ENQCMDS) reaches a portal whole through
 * MemoryRegionOps.write_block; an enqueue store that the WQ cannot take is
 * refused with MEMTX_RETRY so the CPU reports ZF=1.
 *
 * Descriptors are queued in the WQ and processed by the engines of the
 * WQ's group in a bottom half, a bounded number of bytes per run, never in
 * the MMIO write.  DMA goes through the IOMMU: the requester ID's address
 * space, or with a PASID the per-PASID address space of the Intel IOMMU.
 * A translation failure ends the descriptor with a page-fault completion
 * status; nothing is written elsewhere.
 *
 * A fatal error halts the device (GENSTS.state = halted, with the reset
 * that brings it back in GENSTS.reset_type): the engines stop, what the
 * WQs hold is abandoned, portals take nothing, and every command but a
 * Reset Device that the reset type allows fails; INTCAUSE.halt raises
 * vector 0 if GENCTRL enables it.  The device advertises Function Level
 * Reset, which resets it as a bus reset does.  The model has no fatal
 * error of its own: "x-fault-inject=on" adds a test-only register at
 * DSA_FAULT_INJECT that halts the device on demand.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/dma.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_INTEL_DSA "intel-dsa"
OBJECT_DECLARE_SIMPLE_TYPE(IntelDSAState, INTEL_DSA)

#define DSA_DEVICE_ID_1         0x0b25
#define DSA_DEVICE_ID_2         0x11fb

#define DSA_MAX_WQS             32
#define DSA_MAX_ENGINES         32
#define DSA_MAX_GROUPS          8
#define DSA_MAX_WQ_SIZE         1024
#define DSA_MAX_IMS             1024
#define DSA_MAX_VECTORS         (DSA_MAX_WQS + 1)
#define DSA_DESC_SIZE           64
#define DSA_COMPL_SIZE          32
#define DSA_PAGE_SIZE           4096

/* Bytes an engine moves in one run of the bottom half */
#define DSA_STEP_BYTES          (64 * KiB)
/* Bytes the whole device moves in one run of the bottom half */
#define DSA_RUN_BYTES           (512 * KiB)

/* BAR 0 layout */
#define DSA_BAR0_SIZE           (64 * KiB)
#define DSA_GRPCFG_BASE         0x0400
#define DSA_WQCFG_BASE          0x0800
#define DSA_MSIXPERM_BASE       0x1000
#define DSA_MSIX_TABLE          0x2000
#define DSA_MSIX_PBA            0x3000
#define DSA_IMS_BASE            0x4000
#define DSA_GRPCFG_SIZE         64
#define DSA_IMS_ENTRY_SIZE      16
/*
 * Test only (x-fault-inject=on), in a range of BAR 0 that the architecture
 * leaves to the implementation: writing FAULT_INJECT_HALT halts the device
 * with the reset type in bits 3:2, as GENSTS shows it.  Reads as 0.
 */
#define DSA_FAULT_INJECT        0xf000
#define FAULT_INJECT_HALT       BIT(0)

/* General registers */
enum {
    A_VER           = 0x00,
    A_GENCAP        = 0x10,
    A_WQCAP         = 0x20,
    A_GRPCAP        = 0x30,
    A_ENGCAP        = 0x38,
    A_OPCAP         = 0x40,
    A_TABLE_OFFSETS = 0x60,
    A_GENCFG        = 0x80,
    A_GENCTRL       = 0x88,
    A_GENSTS        = 0x90,
    A_INTCAUSE      = 0x98,
    A_CMD           = 0xa0,
    A_CMDSTS        = 0xa8,
    A_CMDCAP        = 0xb0,
    A_SWERR         = 0xc0,
};

/* GENCFG */
#define GENCFG_WMASK            0x000030ffu
/* GENCTRL */
#define GENCTRL_SOFTERR_INT_EN  BIT(0)
#define GENCTRL_HALT_INT_EN     BIT(1)
#define GENCTRL_WMASK           0x3u
/* GENSTS: the state, and the reset a halted device needs */
#define GENSTS_STATE_MASK       0x3u
#define GENSTS_RESET_TYPE_SHIFT 2
#define GENSTS_RESET_TYPE_MASK  0x3u
enum {
    DSA_RESET_SOFTWARE = 0,     /* the Reset Device command */
    DSA_RESET_FLR      = 1,
    DSA_RESET_WARM     = 2,
    DSA_RESET_COLD     = 3,
};
enum {
    DSA_DEV_DISABLED = 0,
    DSA_DEV_ENABLED  = 1,
    DSA_DEV_DRAIN    = 2,
    DSA_DEV_HALT     = 3,
};
/* INTCAUSE */
#define INTC_ERR                BIT(0)
#define INTC_CMD                BIT(1)
#define INTC_HALT               BIT(4)
#define INTC_MASK               0x3fu

/* CMD */
#define CMD_OPERAND_MASK        0xfffffu
#define CMD_CODE_SHIFT          20
#define CMD_CODE_MASK           0x1fu
#define CMD_INT_REQ             BIT(31)
enum {
    CMD_ENABLE_DEVICE = 1,
    CMD_DISABLE_DEVICE,
    CMD_DRAIN_ALL,
    CMD_ABORT_ALL,
    CMD_RESET_DEVICE,
    CMD_ENABLE_WQ,
    CMD_DISABLE_WQ,
    CMD_DRAIN_WQ,
    CMD_ABORT_WQ,
    CMD_RESET_WQ,
    CMD_DRAIN_PASID,
    CMD_ABORT_PASID,
    CMD_REQUEST_INT_HANDLE,
    CMD_RELEASE_INT_HANDLE,
};
/* The interrupt handle commands' operand: the entry or handle, the table */
#define CMD_INT_INDEX_MASK      0xffffu
#define CMD_INT_HANDLE_IMS      BIT(16)
#define CMDSTS_ACTIVE           BIT(31)

/* CMDSTS error codes */
enum {
    CMDSTS_SUCCESS              = 0x00,
    CMDSTS_INVAL_CMD            = 0x01,
    CMDSTS_INVAL_WQIDX          = 0x02,
    CMDSTS_HW_ERR               = 0x03,
    CMDSTS_ERR_DEV_ENABLED      = 0x10,
    CMDSTS_ERR_CONFIG           = 0x11,
    CMDSTS_ERR_BUSMASTER_EN     = 0x12,
    CMDSTS_ERR_PASID_INVAL      = 0x13,
    CMDSTS_ERR_WQ_SIZE_ERANGE   = 0x14,
    CMDSTS_ERR_GRP_CONFIG       = 0x15,
    CMDSTS_ERR_GRP_CONFIG2      = 0x16,
    CMDSTS_ERR_GRP_CONFIG3      = 0x17,
    CMDSTS_ERR_GRP_CONFIG4      = 0x18,
    CMDSTS_ERR_DEV_NOTEN        = 0x20,
    CMDSTS_ERR_WQ_ENABLED       = 0x21,
    CMDSTS_ERR_WQ_SIZE          = 0x22,
    CMDSTS_ERR_WQ_PRIOR         = 0x23,
    CMDSTS_ERR_WQ_MODE          = 0x24,
    CMDSTS_ERR_BOF_EN           = 0x25,
    CMDSTS_ERR_PASID_EN         = 0x26,
    CMDSTS_ERR_MAX_BATCH_SIZE   = 0x27,
    CMDSTS_ERR_MAX_XFER_SIZE    = 0x28,
    CMDSTS_ERR_DIS_DEV_EN       = 0x31,
    CMDSTS_ERR_DEV_NOT_EN       = 0x32,
    CMDSTS_ERR_INVAL_INT_IDX    = 0x41,
    CMDSTS_ERR_NO_HANDLE        = 0x42,
};

/* SWERR, first qword */
#define SWERR_VALID             BIT_ULL(0)
#define SWERR_OVERFLOW          BIT_ULL(1)
#define SWERR_DESC_VALID        BIT_ULL(2)
#define SWERR_WQ_IDX_VALID      BIT_ULL(3)
#define SWERR_BATCH             BIT_ULL(4)
#define SWERR_FAULT_RW          BIT_ULL(5)
#define SWERR_PRIV              BIT_ULL(6)
#define SWERR_RW1C              (SWERR_VALID | SWERR_OVERFLOW)

/* Software error codes for submission errors (not descriptor errors) */
enum {
    SWERR_WQ_NOT_ENABLED        = 0x31,
    SWERR_WQ_FULL               = 0x32,
    SWERR_WRONG_PORTAL          = 0x33,
};

/* WQCFG dwords and fields */
#define WQCFG_SIZE_IDX          0
#define WQCFG_THRESH_IDX        1
#define WQCFG_MODE_IDX          2
#define WQCFG_XFER_IDX          3
#define WQCFG_STATE_IDX         6
#define WQCFG_MODE_DEDICATED    BIT(0)
#define WQCFG_MODE_BOF          BIT(1)
#define WQCFG_PRIORITY(v)       extract32(v, 4, 4)
#define WQCFG_PASID(v)          extract32(v, 8, 20)
#define WQCFG_PASID_EN          BIT(28)
#define WQCFG_PRIV              BIT(29)
#define WQCFG_MODE_WMASK        0x3ffffff3u
#define WQCFG_MAX_XFER(v)       extract32(v, 0, 5)
#define WQCFG_MAX_BATCH(v)      extract32(v, 5, 4)
#define WQCFG_XFER_WMASK        0x1ffu
#define WQCFG_STATE_ENABLED     (1u << 30)
#define WQCFG_MODE_SUPPORT      BIT(29)

/* Descriptor */
enum {
    DSA_OP_NOOP         = 0x00,
    DSA_OP_BATCH        = 0x01,
    DSA_OP_DRAIN        = 0x02,
    DSA_OP_MEMMOVE      = 0x03,
    DSA_OP_MEMFILL      = 0x04,
    DSA_OP_COMPARE      = 0x05,
    DSA_OP_COMPVAL      = 0x06,
    DSA_OP_CR_DELTA     = 0x07,
    DSA_OP_AP_DELTA     = 0x08,
    DSA_OP_DUALCAST     = 0x09,
    DSA_OP_CRCGEN       = 0x10,
    DSA_OP_COPY_CRC     = 0x11,
    DSA_OP_CFLUSH       = 0x20,
};

#define DSA_OPCAP0 (BIT_ULL(DSA_OP_NOOP) | BIT_ULL(DSA_OP_BATCH) | \
                    BIT_ULL(DSA_OP_DRAIN) | BIT_ULL(DSA_OP_MEMMOVE) | \
                    BIT_ULL(DSA_OP_MEMFILL) | BIT_ULL(DSA_OP_COMPARE) | \
                    BIT_ULL(DSA_OP_COMPVAL) | BIT_ULL(DSA_OP_CR_DELTA) | \
                    BIT_ULL(DSA_OP_AP_DELTA) | BIT_ULL(DSA_OP_DUALCAST) | \
                    BIT_ULL(DSA_OP_CRCGEN) | BIT_ULL(DSA_OP_COPY_CRC) | \
                    BIT_ULL(DSA_OP_CFLUSH))

#define DF_FENCE        BIT(0)
#define DF_BOF          BIT(1)
#define DF_CRAV         BIT(2)
#define DF_RCR          BIT(3)
#define DF_RCI          BIT(4)
#define DF_CRSTS        BIT(5)
#define DF_CR           BIT(7)
#define DF_CC           BIT(8)
#define DF_TCS          (BIT(9) | BIT(10) | BIT(11) | BIT(12))
#define DF_STORD        BIT(13)
#define DF_DRDBK        BIT(14)
#define DF_DSTS         BIT(15)
/* Flags any descriptor may carry */
#define DF_COMMON       (DF_FENCE | DF_BOF | DF_CRAV | DF_RCR | DF_RCI | \
                         DF_CC | DF_TCS | DF_STORD)

/* Completion status */
enum {
    DSA_COMP_SUCCESS            = 0x01,
    DSA_COMP_SUCCESS_PRED       = 0x02,
    DSA_COMP_PAGE_FAULT_NOBOF   = 0x03,
    DSA_COMP_BATCH_FAIL         = 0x05,
    DSA_COMP_BATCH_PAGE_FAULT   = 0x06,
    DSA_COMP_DR_OFFSET_NOINC    = 0x07,
    DSA_COMP_DR_OFFSET_ERANGE   = 0x08,
    DSA_COMP_BAD_OPCODE         = 0x10,
    DSA_COMP_INVALID_FLAGS      = 0x11,
    DSA_COMP_NOZERO_RESERVE     = 0x12,
    DSA_COMP_XFER_ERANGE        = 0x13,
    DSA_COMP_DESC_CNT_ERANGE    = 0x14,
    DSA_COMP_DR_ERANGE          = 0x15,
    DSA_COMP_OVERLAP_BUFFERS    = 0x16,
    DSA_COMP_DCAST_ERR          = 0x17,
    DSA_COMP_DESCLIST_ALIGN     = 0x18,
    DSA_COMP_INT_HANDLE_INVAL   = 0x19,
    DSA_COMP_CRA_XLAT           = 0x1a,
    DSA_COMP_CRA_ALIGN          = 0x1b,
    DSA_COMP_ADDR_ALIGN         = 0x1c,
    DSA_COMP_PRIV_BAD           = 0x1d,
};
#define DSA_COMP_STATUS_WRITE   0x80

/* A descriptor as the WQ holds it, with the attributes of its submission */
typedef struct DSAQEntry {
    uint8_t desc[DSA_DESC_SIZE];
    uint32_t pasid;
    uint8_t pasid_en;
    uint8_t priv;
    uint8_t ims;
} DSAQEntry;

/* The descriptor an engine works on */
typedef struct DSAWork {
    DSAQEntry e;
    uint64_t done;      /* bytes processed so far */
    uint64_t acc;       /* CRC, delta record size or predicate state */
    uint8_t result;     /* compare result */
    uint8_t started;    /* checked, and set up */
} DSAWork;

typedef struct DSAEngine {
    uint8_t busy;
    uint8_t wq;
    uint8_t in_batch;
    uint32_t batch_idx;
    uint32_t batch_fail;
    DSAWork batch;      /* the batch descriptor, while in_batch */
    DSAWork cur;        /* the descriptor being processed */
} DSAEngine;

typedef struct DSAWQ {
    uint32_t cfg[16];
    uint16_t base;      /* first entry in IntelDSAState.queue */
    uint16_t head;
    uint16_t count;     /* occupancy */
    uint16_t inflight;  /* descriptors taken by engines, not completed */
    uint8_t rr_engine;
} DSAWQ;

typedef struct DSAGroup {
    uint64_t wqs[4];
    uint64_t engines;
    uint64_t flags;
} DSAGroup;

typedef struct DSAIMSEntry {
    uint64_t addr;
    uint32_t data;
    uint32_t ctrl;
} DSAIMSEntry;
/* IMS entry control: mask, PASID enable, PASID (31:12) */
#define IMS_CTRL_MASK           BIT(0)
#define IMS_CTRL_PASID_EN       BIT(3)
#define IMS_CTRL_WMASK          0xfffff009u

struct IntelDSAState {
    PCIDevice parent_obj;

    MemoryRegion bar0;
    MemoryRegion regs;
    MemoryRegion portals;
    QEMUBH *bh;

    uint32_t gencfg;
    uint32_t genctrl;
    uint32_t gensts;
    uint32_t intcause;
    uint32_t cmd;
    uint32_t cmdsts;
    uint64_t swerr[4];
    /* A command waiting for the engines to drain, 0 if none */
    uint32_t pending_cmd;

    DSAGroup group[DSA_MAX_GROUPS];
    DSAWQ wq[DSA_MAX_WQS];
    DSAEngine engine[DSA_MAX_ENGINES];
    uint32_t msix_perm[DSA_MAX_VECTORS];
    DSAIMSEntry ims[DSA_MAX_IMS];
    /*
     * Interrupt handles given by Request Interrupt Handle (version 2),
     * per table: handle h names entry msix_handle[h] - 1 (ims_handle[h] -
     * 1), 0 while h is free.
     */
    uint16_t msix_handle[DSA_MAX_VECTORS];
    uint16_t ims_handle[DSA_MAX_IMS];
    DSAQEntry queue[DSA_MAX_WQ_SIZE];
    uint32_t rr_wq;

    /* Properties */
    uint32_t version;
    uint32_t num_wqs;
    uint32_t num_engines;
    uint32_t num_groups;
    uint32_t total_wq_size;
    uint32_t ims_size;
    uint8_t max_xfer_shift;
    bool pri;
    bool siov;
    bool fault_inject;
    uint32_t msix_vectors;
};

static unsigned dsa_wqcfg_size(IntelDSAState *s)
{
    return s->version >= 2 ? 64 : 32;
}

/*
 * Vector 0 and one per WQ; test only (x-msix-vectors=N): a table of N
 * entries, as a platform short of vectors leaves a driver, whose missing
 * WQ vectors never fire.
 */
static unsigned dsa_num_vectors(IntelDSAState *s)
{
    if (s->msix_vectors) {
        return MIN(s->msix_vectors, s->num_wqs + 1);
    }
    return s->num_wqs + 1;
}

static uint64_t dsa_gencap(IntelDSAState *s)
{
    uint64_t v = 0;

    v |= BIT_ULL(1);                    /* overlapping copy */
    v |= BIT_ULL(2) | BIT_ULL(3);       /* cache control (memory, cache) */
    v |= BIT_ULL(4);                    /* command capabilities register */
    v = deposit64(v, 16, 5, s->max_xfer_shift);
    v = deposit64(v, 21, 4, 10);        /* max batch size 1024 */
    v = deposit64(v, 25, 6, s->ims_size / 256);
    v |= BIT_ULL(31);                   /* configuration support */
    return v;
}

static uint64_t dsa_wqcap(IntelDSAState *s)
{
    uint64_t v = 0;

    v = deposit64(v, 0, 16, s->total_wq_size);
    v = deposit64(v, 16, 8, s->num_wqs);
    v = deposit64(v, 24, 4, s->version >= 2 ? 1 : 0);
    v |= BIT_ULL(48);                   /* shared mode */
    v |= BIT_ULL(49);                   /* dedicated mode */
    v |= BIT_ULL(51);                   /* priority */
    if (s->version >= 2) {
        v |= BIT_ULL(52);               /* occupancy */
        v |= BIT_ULL(54);               /* per-WQ operation configuration */
    }
    return v;
}

static uint64_t dsa_grpcap(IntelDSAState *s)
{
    return deposit64(s->num_groups, 8, 8, 96);
}

/* Version 2 adds the interrupt handle commands */
static uint32_t dsa_cmdcap(IntelDSAState *s)
{
    if (s->version >= 2) {
        return MAKE_64BIT_MASK(CMD_ENABLE_DEVICE, CMD_RELEASE_INT_HANDLE);
    }
    return MAKE_64BIT_MASK(CMD_ENABLE_DEVICE, CMD_ABORT_PASID);
}

static uint64_t dsa_table_offsets(void)
{
    return (DSA_GRPCFG_BASE / 0x100) |
           ((uint64_t)(DSA_WQCFG_BASE / 0x100) << 16) |
           ((uint64_t)(DSA_MSIXPERM_BASE / 0x100) << 32) |
           ((uint64_t)(DSA_IMS_BASE / 0x100) << 48);
}

static bool dsa_enabled(IntelDSAState *s)
{
    return (s->gensts & GENSTS_STATE_MASK) == DSA_DEV_ENABLED;
}

static bool dsa_halted(IntelDSAState *s)
{
    return (s->gensts & GENSTS_STATE_MASK) == DSA_DEV_HALT;
}

static bool dsa_wq_enabled(IntelDSAState *s, unsigned wq)
{
    return s->wq[wq].cfg[WQCFG_STATE_IDX] & WQCFG_STATE_ENABLED;
}

static uint32_t dsa_wq_size(IntelDSAState *s, unsigned wq)
{
    return extract32(s->wq[wq].cfg[WQCFG_SIZE_IDX], 0, 16);
}

static bool dsa_wq_dedicated(IntelDSAState *s, unsigned wq)
{
    return s->wq[wq].cfg[WQCFG_MODE_IDX] & WQCFG_MODE_DEDICATED;
}

/* The group a WQ belongs to, or -1 */
static int dsa_wq_group(IntelDSAState *s, unsigned wq)
{
    for (unsigned g = 0; g < s->num_groups; g++) {
        if (s->group[g].wqs[wq / 64] & BIT_ULL(wq % 64)) {
            return g;
        }
    }
    return -1;
}

static int dsa_engine_group(IntelDSAState *s, unsigned eng)
{
    for (unsigned g = 0; g < s->num_groups; g++) {
        if (s->group[g].engines & BIT_ULL(eng)) {
            return g;
        }
    }
    return -1;
}

/* Interrupts */

static void dsa_msix_notify(IntelDSAState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (vector >= dsa_num_vectors(s) || !msix_enabled(pdev)) {
        return;
    }
    trace_dsa_irq(vector, false);
    msix_notify(pdev, vector);
}

/*
 * An IMS interrupt is a memory write of the PF like an MSI-X one: through
 * its bus-master address space, with its requester ID, so that an IOMMU
 * with interrupt remapping decodes a remappable message and checks its
 * source, and nothing is sent while bus mastering is off.
 */
static void dsa_ims_notify(IntelDSAState *s, unsigned idx)
{
    DSAIMSEntry *e;
    MSIMessage msg;

    if (idx >= s->ims_size) {
        return;
    }
    e = &s->ims[idx];
    if (e->ctrl & IMS_CTRL_MASK) {
        /* masked; IMS has no pending bit array here */
        return;
    }
    trace_dsa_irq(idx, true);
    msg.address = e->addr;
    msg.data = e->data;
    msi_send_message(PCI_DEVICE(s), msg);
}

static void dsa_set_intcause(IntelDSAState *s, uint32_t cause, bool notify)
{
    bool was = s->intcause & cause;

    s->intcause |= cause;
    if (notify && !was) {
        dsa_msix_notify(s, 0);
    }
}

static void dsa_report_swerr(IntelDSAState *s, uint8_t code, int wq,
                             const DSAQEntry *e, bool batch,
                             uint32_t batch_idx, uint64_t fault_addr,
                             bool fault_write)
{
    uint64_t v;

    trace_dsa_swerr(code, wq < 0 ? 0xff : wq);
    if (s->swerr[0] & SWERR_VALID) {
        s->swerr[0] |= SWERR_OVERFLOW;
        return;
    }
    v = SWERR_VALID | deposit64(0, 8, 8, code);
    if (wq >= 0) {
        v |= SWERR_WQ_IDX_VALID | deposit64(0, 16, 8, wq);
    }
    if (e) {
        v |= SWERR_DESC_VALID;
        v = deposit64(v, 32, 8, e->desc[7]);
        v = deposit64(v, 40, 20, e->pasid);
        if (e->priv) {
            v |= SWERR_PRIV;
        }
    }
    if (batch) {
        v |= SWERR_BATCH;
    }
    if (fault_write) {
        v |= SWERR_FAULT_RW;
    }
    s->swerr[0] = v;
    s->swerr[1] = batch_idx & 0xffff;
    s->swerr[2] = fault_addr;
    s->swerr[3] = 0;
    dsa_set_intcause(s, INTC_ERR, s->genctrl & GENCTRL_SOFTERR_INT_EN);
}

/* DMA */

/* PASID capability control (pcie_pasid_init() at DSA_PASID_CAP) */
#define DSA_PASID_CAP           0x110

static bool dsa_pasid_priv_enabled(IntelDSAState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pci_get_word(pdev->config + DSA_PASID_CAP + PCI_PASID_CTRL) &
           PCI_PASID_CTRL_PRIV;
}

/*
 * The address space of a descriptor's memory requests: the requester ID's
 * without a PASID; with one, the IOMMU's address space for that PASID.
 * NULL when a request with PASID cannot be issued (the PASID capability
 * or bus mastering disabled) or has nowhere to go (no IOMMU taking
 * requests with PASID, or a PASID wider than it takes): every access then
 * fails like an untranslatable one.
 */
static AddressSpace *dsa_as(IntelDSAState *s, const DSAQEntry *e)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (!e->pasid_en) {
        /* the bus master address space, off without bus mastering */
        return pci_get_address_space(pdev);
    }
    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return NULL;
    }
    return pci_device_iommu_address_space_pasid(pdev, e->pasid);
}

/*
 * Access guest memory a page at a time, so that a translation failure
 * stops at the page that failed.  Returns the number of bytes done before
 * a failure, or len.
 */
static uint64_t dsa_dma(IntelDSAState *s, const DSAQEntry *e, uint64_t addr,
                        void *buf, uint64_t len, bool write)
{
    AddressSpace *as = dsa_as(s, e);
    uint64_t done = 0;

    if (!as) {
        trace_dsa_dma_fault(e->pasid, addr, write);
        return 0;
    }
    while (done < len) {
        uint64_t a = addr + done;
        uint64_t n = MIN(len - done, DSA_PAGE_SIZE - (a & (DSA_PAGE_SIZE - 1)));
        MemTxResult r;

        r = dma_memory_rw(as, a, (uint8_t *)buf + done, n,
                          write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE,
                          MEMTXATTRS_UNSPECIFIED);
        if (r != MEMTX_OK) {
            trace_dsa_dma_fault(e->pasid_en ? e->pasid : 0, a, write);
            return done;
        }
        done += n;
    }
    return done;
}

/* Descriptor fields */

static uint32_t desc_flags(const uint8_t *d)
{
    return ldl_le_p(d + 4) & 0xffffff;
}

static uint8_t desc_opcode(const uint8_t *d)
{
    return d[7];
}

static uint64_t desc_compl(const uint8_t *d)
{
    return ldq_le_p(d + 8);
}

static uint64_t desc_src(const uint8_t *d)
{
    return ldq_le_p(d + 16);
}

static uint64_t desc_dst(const uint8_t *d)
{
    return ldq_le_p(d + 24);
}

static uint32_t desc_size(const uint8_t *d)
{
    return ldl_le_p(d + 32);
}

static uint16_t desc_int_handle(const uint8_t *d)
{
    return lduw_le_p(d + 36);
}

/* Completion */

/*
 * The interrupt table entry that a descriptor's completion interrupt
 * handle @h names, in the table of its portal (MSI-X or IMS); -1 if the
 * handle is invalid. On version 2 a handle is one that Request Interrupt
 * Handle gave and nothing released since; on 1.0 it is the entry's
 * index. An IMS entry with PASID enabled only takes the interrupts of
 * descriptors with its PASID.
 */
static int dsa_int_entry(IntelDSAState *s, const DSAQEntry *e, uint16_t h)
{
    unsigned n = e->ims ? s->ims_size : dsa_num_vectors(s);
    unsigned entry = h;
    uint32_t ctrl;

    if (h >= n) {
        return -1;
    }
    if (s->version >= 2) {
        entry = (e->ims ? s->ims_handle[h] : s->msix_handle[h]);
        if (!entry || --entry >= n) {
            return -1;
        }
    }
    if (e->ims) {
        ctrl = s->ims[entry].ctrl;
        if ((ctrl & IMS_CTRL_PASID_EN) &&
            (!e->pasid_en || e->pasid != extract32(ctrl, 12, 20))) {
            return -1;
        }
    }
    return entry;
}

typedef struct DSACompletion {
    uint8_t status;
    uint8_t result;
    uint32_t bytes;
    uint64_t fault_addr;
    uint64_t extra;     /* invalid flags, delta record size or CRC */
} DSACompletion;

/*
 * Write the completion record and raise the completion interrupt of a
 * descriptor.  Returns false if the descriptor is in error itself.
 */
static void dsa_complete(IntelDSAState *s, int wq, const DSAQEntry *e,
                         DSACompletion *c, bool in_batch, uint32_t batch_idx)
{
    const uint8_t *d = e->desc;
    uint32_t flags = desc_flags(d);
    uint64_t ca = desc_compl(d);
    bool ok = (c->status & 0x7f) == DSA_COMP_SUCCESS ||
              (c->status & 0x7f) == DSA_COMP_SUCCESS_PRED;
    bool want_rec = (flags & DF_RCR) || (!ok && (flags & DF_CRAV));
    int entry = -1;

    trace_dsa_desc_done(0, desc_opcode(d), c->status, c->bytes, ca);

    if (flags & DF_RCI) {
        entry = dsa_int_entry(s, e, desc_int_handle(d));
        if (entry < 0 && ok) {
            c->status = DSA_COMP_INT_HANDLE_INVAL;
            ok = false;
            want_rec = flags & DF_CRAV;
        }
    }

    if (want_rec && (flags & DF_CRAV)) {
        uint8_t rec[DSA_COMPL_SIZE] = { 0 };

        if (ca & (DSA_COMPL_SIZE - 1)) {
            dsa_report_swerr(s, DSA_COMP_CRA_ALIGN, wq, e, in_batch,
                             batch_idx, ca, true);
        } else {
            rec[1] = c->result;
            stl_le_p(rec + 4, c->bytes);
            stq_le_p(rec + 8, c->fault_addr);
            stq_le_p(rec + 16, c->extra);
            /* the record first, the status byte last */
            if (dsa_dma(s, e, ca + 1, rec + 1, DSA_COMPL_SIZE - 1, true) !=
                    DSA_COMPL_SIZE - 1 ||
                dsa_dma(s, e, ca, &c->status, 1, true) != 1) {
                dsa_report_swerr(s, DSA_COMP_CRA_XLAT, wq, e, in_batch,
                                 batch_idx, ca, true);
            }
        }
    } else if (!ok) {
        dsa_report_swerr(s, c->status & 0x7f, wq, e, in_batch, batch_idx,
                         c->fault_addr, c->status & DSA_COMP_STATUS_WRITE);
    }

    if (entry >= 0) {
        if (e->ims) {
            dsa_ims_notify(s, entry);
        } else if (!(s->msix_perm[entry] & BIT(2))) {
            dsa_msix_notify(s, entry);
        }
    }
}

/* Operations */

static uint32_t dsa_valid_flags(uint8_t op)
{
    switch (op) {
    case DSA_OP_NOOP:
    case DSA_OP_DRAIN:
    case DSA_OP_BATCH:
        return DF_COMMON;
    case DSA_OP_COMPARE:
    case DSA_OP_COMPVAL:
    case DSA_OP_CRCGEN:
        return DF_COMMON | DF_CR;
    default:
        return DF_COMMON;
    }
}

/*
 * Check a descriptor before it starts.  Returns 0 or the completion status
 * of the error; *inval gets the offending flags.
 */
static uint8_t dsa_check_desc(IntelDSAState *s, unsigned wq,
                              const DSAQEntry *e, bool in_batch,
                              uint32_t *inval)
{
    const uint8_t *d = e->desc;
    uint8_t op = desc_opcode(d);
    uint32_t flags = desc_flags(d);
    uint32_t xcfg = s->wq[wq].cfg[WQCFG_XFER_IDX];
    uint64_t max_xfer = 1ULL << WQCFG_MAX_XFER(xcfg);

    *inval = 0;
    if (e->pasid_en && e->priv && !dsa_pasid_priv_enabled(s)) {
        /* a privileged request the PASID capability does not allow */
        return DSA_COMP_PRIV_BAD;
    }
    if (op >= 64 || !(DSA_OPCAP0 & BIT_ULL(op))) {
        return DSA_COMP_BAD_OPCODE;
    }
    if (s->version >= 2 &&
        !((((uint64_t)s->wq[wq].cfg[9] << 32) | s->wq[wq].cfg[8]) &
          BIT_ULL(op))) {
        return DSA_COMP_BAD_OPCODE;
    }
    if (in_batch && (op == DSA_OP_BATCH || op == DSA_OP_DRAIN)) {
        return DSA_COMP_BAD_OPCODE;
    }
    if (flags & ~dsa_valid_flags(op)) {
        *inval = flags & ~dsa_valid_flags(op);
        return DSA_COMP_INVALID_FLAGS;
    }
    if ((flags & DF_RCR) && !(flags & DF_CRAV)) {
        *inval = DF_RCR;
        return DSA_COMP_INVALID_FLAGS;
    }
    if (extract32(ldl_le_p(d), 20, 11)) {
        return DSA_COMP_NOZERO_RESERVE;
    }

    switch (op) {
    case DSA_OP_NOOP:
    case DSA_OP_DRAIN:
        break;
    case DSA_OP_BATCH: {
        uint32_t n = desc_size(d);
        uint32_t max = 1u << WQCFG_MAX_BATCH(xcfg);

        if (n < 2 || n > max) {
            return DSA_COMP_DESC_CNT_ERANGE;
        }
        if (desc_src(d) & (DSA_DESC_SIZE - 1)) {
            return DSA_COMP_DESCLIST_ALIGN;
        }
        break;
    }
    case DSA_OP_CFLUSH:
        if (desc_size(d) == 0 || desc_size(d) > max_xfer) {
            return DSA_COMP_XFER_ERANGE;
        }
        break;
    case DSA_OP_CR_DELTA:
        if (desc_size(d) == 0 || desc_size(d) > max_xfer ||
            (desc_size(d) & 7) || desc_size(d) > 0x80000) {
            return DSA_COMP_XFER_ERANGE;
        }
        if ((desc_src(d) | desc_dst(d) | ldq_le_p(d + 40)) & 7) {
            return DSA_COMP_ADDR_ALIGN;
        }
        if (ldl_le_p(d + 48) == 0 || ldl_le_p(d + 48) % 10) {
            return DSA_COMP_DR_ERANGE;
        }
        break;
    case DSA_OP_AP_DELTA:
        if (desc_size(d) == 0 || desc_size(d) % 10 ||
            ldl_le_p(d + 48) > 0x80000 || (ldl_le_p(d + 48) & 7)) {
            return DSA_COMP_XFER_ERANGE;
        }
        if ((desc_dst(d) | desc_src(d)) & 7) {
            return DSA_COMP_ADDR_ALIGN;
        }
        break;
    case DSA_OP_DUALCAST:
        if ((desc_dst(d) ^ ldq_le_p(d + 40)) & 0xfff) {
            return DSA_COMP_DCAST_ERR;
        }
        /* fall through */
    default:
        if (desc_size(d) == 0 || desc_size(d) > max_xfer) {
            return DSA_COMP_XFER_ERANGE;
        }
        break;
    }
    return 0;
}

/* CRC-32C (Castagnoli), reflected, as DSA computes it */
static uint32_t dsa_crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1));
        }
    }
    return crc;
}

/*
 * Do at most @budget bytes of the work of @w.  Returns true when the
 * descriptor is finished, with the completion in @c.
 */
static bool dsa_step(IntelDSAState *s, DSAWork *w, DSACompletion *c,
                     uint64_t *budget)
{
    const DSAQEntry *e = &w->e;
    const uint8_t *d = e->desc;
    uint8_t op = desc_opcode(d);
    uint64_t size = desc_size(d);
    uint64_t n = MIN(MIN(size - w->done, *budget), DSA_STEP_BYTES);
    g_autofree uint8_t *a = NULL;
    g_autofree uint8_t *b = NULL;
    uint64_t got;

    memset(c, 0, sizeof(*c));
    c->status = DSA_COMP_SUCCESS;

    switch (op) {
    case DSA_OP_NOOP:
    case DSA_OP_DRAIN:
        return true;

    case DSA_OP_CFLUSH:
        /* Caches are coherent in the emulation: nothing to write back */
        c->bytes = size;
        return true;

    case DSA_OP_MEMMOVE:
    case DSA_OP_DUALCAST:
    case DSA_OP_COPY_CRC: {
        uint64_t src = desc_src(d), dst = desc_dst(d);
        uint64_t off = w->done;

        /* An overlapping move to a higher address goes backwards */
        if (op == DSA_OP_MEMMOVE && dst > src && dst < src + size) {
            off = size - w->done - n;
        }
        a = g_malloc(n);
        got = dsa_dma(s, e, src + off, a, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = src + off + got;
            /* what was read before the fault is written */
            if (op == DSA_OP_MEMMOVE && off == w->done &&
                dsa_dma(s, e, dst + off, a, got, true) == got) {
                w->done += got;
            }
            break;
        }
        got = dsa_dma(s, e, dst + off, a, n, true);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE;
            c->fault_addr = dst + off + got;
            if (op == DSA_OP_MEMMOVE && off == w->done) {
                w->done += got;
            }
            break;
        }
        if (op == DSA_OP_DUALCAST) {
            uint64_t dst2 = ldq_le_p(d + 40);

            got = dsa_dma(s, e, dst2 + off, a, n, true);
            if (got < n) {
                c->status = DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE;
                c->fault_addr = dst2 + off + got;
                break;
            }
        }
        if (op == DSA_OP_COPY_CRC) {
            w->acc = dsa_crc32c(w->acc, a, n);
        }
        w->done += n;
        *budget -= MIN(*budget, n);
        if (w->done < size) {
            return false;
        }
        if (op == DSA_OP_COPY_CRC) {
            c->extra = (uint32_t)~w->acc;
        }
        c->bytes = size;
        return true;
    }

    case DSA_OP_CRCGEN: {
        a = g_malloc(n);
        got = dsa_dma(s, e, desc_src(d) + w->done, a, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = desc_src(d) + w->done + got;
            break;
        }
        w->acc = dsa_crc32c(w->acc, a, n);
        w->done += n;
        *budget -= MIN(*budget, n);
        if (w->done < size) {
            return false;
        }
        c->extra = (uint32_t)~w->acc;
        c->bytes = size;
        return true;
    }

    case DSA_OP_MEMFILL: {
        uint64_t pat = ldq_le_p(d + 16);

        a = g_malloc(n);
        for (uint64_t i = 0; i < n; i++) {
            a[i] = pat >> (((w->done + i) & 7) * 8);
        }
        got = dsa_dma(s, e, desc_dst(d) + w->done, a, n, true);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE;
            c->fault_addr = desc_dst(d) + w->done + got;
            w->done += got;
            break;
        }
        w->done += n;
        *budget -= MIN(*budget, n);
        if (w->done < size) {
            return false;
        }
        c->bytes = size;
        return true;
    }

    case DSA_OP_COMPARE:
    case DSA_OP_COMPVAL: {
        uint64_t pat = ldq_le_p(d + 24);
        uint64_t diff = n;

        a = g_malloc(n);
        b = g_malloc(n);
        got = dsa_dma(s, e, desc_src(d) + w->done, a, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = desc_src(d) + w->done + got;
            break;
        }
        if (op == DSA_OP_COMPARE) {
            got = dsa_dma(s, e, desc_dst(d) + w->done, b, n, false);
            if (got < n) {
                c->status = DSA_COMP_PAGE_FAULT_NOBOF;
                c->fault_addr = desc_dst(d) + w->done + got;
                break;
            }
        } else {
            for (uint64_t i = 0; i < n; i++) {
                b[i] = pat >> (((w->done + i) & 7) * 8);
            }
        }
        for (uint64_t i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                diff = i;
                break;
            }
        }
        *budget -= MIN(*budget, n);
        if (diff < n) {
            /* bytes_completed is the offset of the first difference */
            w->result = 1;
            c->bytes = w->done + diff;
        } else {
            w->done += n;
            if (w->done < size) {
                return false;
            }
            w->result = 0;
            c->bytes = 0;
        }
        c->result = w->result;
        if ((desc_flags(d) & DF_CR) && c->result != d[40]) {
            /* the result is not the expected one */
            c->status = DSA_COMP_SUCCESS_PRED;
        }
        return true;
    }

    case DSA_OP_CR_DELTA: {
        /* Delta record entries: a 16-bit offset in 8-byte words, 8 bytes */
        uint64_t delta = ldq_le_p(d + 40);
        uint32_t max_delta = ldl_le_p(d + 48);

        n &= ~7ULL;
        a = g_malloc(n);
        b = g_malloc(n);
        got = dsa_dma(s, e, desc_src(d) + w->done, a, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = desc_src(d) + w->done + got;
            break;
        }
        got = dsa_dma(s, e, desc_dst(d) + w->done, b, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = desc_dst(d) + w->done + got;
            break;
        }
        for (uint64_t i = 0; i < n; i += 8) {
            uint8_t rec[10];

            if (!memcmp(a + i, b + i, 8)) {
                continue;
            }
            if (w->acc + 10 > max_delta) {
                /* the delta record is full */
                c->status = DSA_COMP_SUCCESS_PRED;
                c->result = 2;
                c->bytes = w->done + i;
                c->extra = w->acc;
                return true;
            }
            stw_le_p(rec, (w->done + i) / 8);
            memcpy(rec + 2, a + i, 8);
            if (dsa_dma(s, e, delta + w->acc, rec, 10, true) < 10) {
                c->status = DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE;
                c->fault_addr = delta + w->acc;
                c->bytes = w->done + i;
                return true;
            }
            w->acc += 10;
        }
        w->done += n;
        *budget -= MIN(*budget, n);
        if (w->done < size) {
            return false;
        }
        c->result = w->acc ? 1 : 0;
        c->bytes = size;
        c->extra = w->acc;
        if ((desc_flags(d) & DF_CR) && c->result != d[56]) {
            c->status = DSA_COMP_SUCCESS_PRED;
        }
        return true;
    }

    case DSA_OP_AP_DELTA: {
        /* src: the delta record (size bytes), dst: the buffer to patch */
        uint64_t buf_size = ldl_le_p(d + 48);

        n = MIN(size - w->done, 10 * 64);
        n -= n % 10;
        a = g_malloc(n);
        got = dsa_dma(s, e, desc_src(d) + w->done, a, n, false);
        if (got < n) {
            c->status = DSA_COMP_PAGE_FAULT_NOBOF;
            c->fault_addr = desc_src(d) + w->done + got;
            break;
        }
        for (uint64_t i = 0; i < n; i += 10) {
            uint64_t off = (uint64_t)lduw_le_p(a + i) * 8;

            if (off + 8 > buf_size) {
                c->status = DSA_COMP_DR_OFFSET_ERANGE;
                c->bytes = w->done + i;
                return true;
            }
            if (dsa_dma(s, e, desc_dst(d) + off, a + i + 2, 8, true) < 8) {
                c->status = DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE;
                c->fault_addr = desc_dst(d) + off;
                c->bytes = w->done + i;
                return true;
            }
        }
        w->done += n;
        *budget -= MIN(*budget, n);
        if (w->done < size) {
            return false;
        }
        c->bytes = size;
        return true;
    }

    default:
        c->status = DSA_COMP_BAD_OPCODE;
        return true;
    }

    /* a page fault: report the bytes completed so far */
    c->bytes = w->done;
    return true;
}

/* Engines */

static bool dsa_take(IntelDSAState *s, unsigned eng)
{
    DSAEngine *en = &s->engine[eng];
    int g = dsa_engine_group(s, eng);

    if (g < 0) {
        return false;
    }
    for (unsigned i = 0; i < s->num_wqs; i++) {
        unsigned wq = (s->rr_wq + i) % s->num_wqs;
        DSAWQ *q = &s->wq[wq];
        uint32_t size = dsa_wq_size(s, wq);

        if (!q->count || dsa_wq_group(s, wq) != g || !size) {
            continue;
        }
        memset(&en->cur, 0, sizeof(en->cur));
        en->cur.e = s->queue[(q->base + q->head) % DSA_MAX_WQ_SIZE];
        q->head = (q->head + 1) % size;
        q->count--;
        q->inflight++;
        en->busy = 1;
        en->wq = wq;
        en->in_batch = 0;
        s->rr_wq = (wq + 1) % s->num_wqs;
        trace_dsa_desc_start(eng, desc_opcode(en->cur.e.desc),
                             desc_flags(en->cur.e.desc), en->cur.e.pasid,
                             desc_src(en->cur.e.desc),
                             desc_dst(en->cur.e.desc),
                             desc_size(en->cur.e.desc));
        return true;
    }
    return false;
}

/* Fetch the next descriptor of the batch an engine works on */
static bool dsa_batch_fetch(IntelDSAState *s, DSAEngine *en)
{
    const DSAQEntry *be = &en->batch.e;
    uint64_t addr = desc_src(be->desc) + en->batch_idx * DSA_DESC_SIZE;

    memset(&en->cur, 0, sizeof(en->cur));
    en->cur.e = *be;
    return dsa_dma(s, be, addr, en->cur.e.desc, DSA_DESC_SIZE, false) ==
           DSA_DESC_SIZE;
}

static void dsa_engine_finish(IntelDSAState *s, DSAEngine *en)
{
    s->wq[en->wq].inflight--;
    en->busy = 0;
    en->in_batch = 0;
}

static void dsa_engine_run(IntelDSAState *s, unsigned eng, uint64_t *budget)
{
    DSAEngine *en = &s->engine[eng];
    DSACompletion c;
    uint32_t inval;
    uint8_t err;

    while (*budget) {
        if (!en->busy && !dsa_take(s, eng)) {
            return;
        }

        if (!en->cur.started) {
            en->cur.started = 1;
            /* CRC-32C continues from the seed, as from a previous CRC */
            en->cur.acc = (uint32_t)~ldl_le_p(en->cur.e.desc + 40);
            err = dsa_check_desc(s, en->wq, &en->cur.e, en->in_batch, &inval);
            if (!err && !en->in_batch &&
                desc_opcode(en->cur.e.desc) == DSA_OP_BATCH) {
                /* Start the batch: its descriptors run one after another */
                en->batch = en->cur;
                en->in_batch = 1;
                en->batch_idx = 0;
                en->batch_fail = 0;
                if (!dsa_batch_fetch(s, en)) {
                    memset(&c, 0, sizeof(c));
                    c.status = DSA_COMP_BATCH_PAGE_FAULT;
                    c.fault_addr = desc_src(en->batch.e.desc);
                    dsa_complete(s, en->wq, &en->batch.e, &c, false, 0);
                    dsa_engine_finish(s, en);
                }
                continue;
            }
            if (err) {
                memset(&c, 0, sizeof(c));
                c.status = err;
                c.extra = inval;
                goto done;
            }
            if (desc_opcode(en->cur.e.desc) != DSA_OP_CRCGEN &&
                desc_opcode(en->cur.e.desc) != DSA_OP_COPY_CRC) {
                en->cur.acc = 0;
            }
        }
        if (desc_opcode(en->cur.e.desc) == DSA_OP_DRAIN &&
            s->wq[en->wq].inflight > 1) {
            /* a drain completes after what the WQ took before it */
            return;
        }
        if (!dsa_step(s, &en->cur, &c, budget)) {
            continue;
        }
done:
        /* each descriptor costs something, even one that moves nothing */
        *budget -= MIN(*budget, DSA_DESC_SIZE);
        dsa_complete(s, en->wq, &en->cur.e, &c, en->in_batch, en->batch_idx);
        if (!en->in_batch) {
            dsa_engine_finish(s, en);
            continue;
        }
        if ((c.status & 0x7f) != DSA_COMP_SUCCESS &&
            (c.status & 0x7f) != DSA_COMP_SUCCESS_PRED) {
            en->batch_fail++;
        }
        en->batch_idx++;
        if (en->batch_idx < desc_size(en->batch.e.desc)) {
            if (dsa_batch_fetch(s, en)) {
                continue;
            }
            en->batch_fail++;
            en->batch_idx = desc_size(en->batch.e.desc);
        }
        memset(&c, 0, sizeof(c));
        c.status = en->batch_fail ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS;
        c.bytes = en->batch_idx;
        dsa_complete(s, en->wq, &en->batch.e, &c, false, 0);
        dsa_engine_finish(s, en);
    }
}

static bool dsa_wq_idle(IntelDSAState *s, unsigned wq)
{
    return !s->wq[wq].count && !s->wq[wq].inflight;
}

static void dsa_cmd_finish(IntelDSAState *s, uint32_t err, uint32_t result);
static void dsa_cmd_exec(IntelDSAState *s);

static void dsa_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    uint64_t budget = DSA_RUN_BYTES;
    bool more = false;

    if (dsa_enabled(s)) {
        for (unsigned eng = 0; eng < s->num_engines; eng++) {
            uint64_t b = budget / s->num_engines + 1;

            dsa_engine_run(s, eng, &b);
        }
        for (unsigned wq = 0; wq < s->num_wqs; wq++) {
            if (!dsa_wq_idle(s, wq)) {
                more = true;
            }
        }
    }
    if (s->pending_cmd) {
        dsa_cmd_exec(s);
        if (s->pending_cmd) {
            more = true;
        }
    }
    if (more) {
        qemu_bh_schedule(s->bh);
    }
}

/* Admin commands */

static void dsa_wq_reset_state(IntelDSAState *s, unsigned wq, bool cfg)
{
    DSAWQ *q = &s->wq[wq];

    q->head = 0;
    q->count = 0;
    q->cfg[WQCFG_STATE_IDX] &= ~WQCFG_STATE_ENABLED;
    if (cfg) {
        /*
         * The WQ sizes partition the device's WQ storage and are locked
         * while the device is enabled: a WQ reset keeps its size then, so
         * that the WQ can be configured and enabled again (idxd resets a
         * WQ, rewrites its WQCFG and enables it to change its PASID).
         */
        uint32_t size = dsa_enabled(s) ? q->cfg[WQCFG_SIZE_IDX] : 0;

        memset(q->cfg, 0, sizeof(q->cfg));
        q->cfg[WQCFG_SIZE_IDX] = size;
        if (s->version >= 2) {
            /* the operations a WQ allows: all of them, until configured */
            q->cfg[8] = (uint32_t)DSA_OPCAP0;
            q->cfg[9] = DSA_OPCAP0 >> 32;
        }
    }
    q->cfg[WQCFG_STATE_IDX] = (q->cfg[WQCFG_STATE_IDX] & ~0xffff) |
                              WQCFG_MODE_SUPPORT;
}

static void dsa_reset_state(IntelDSAState *s)
{
    s->gencfg = 0;
    s->genctrl = 0;
    s->gensts = DSA_DEV_DISABLED;
    s->intcause = 0;
    memset(s->swerr, 0, sizeof(s->swerr));
    memset(s->group, 0, sizeof(s->group));
    memset(s->engine, 0, sizeof(s->engine));
    memset(s->msix_perm, 0, sizeof(s->msix_perm));
    memset(s->ims, 0, sizeof(s->ims));
    for (unsigned i = 0; i < DSA_MAX_IMS; i++) {
        s->ims[i].ctrl = IMS_CTRL_MASK;
    }
    memset(s->msix_handle, 0, sizeof(s->msix_handle));
    memset(s->ims_handle, 0, sizeof(s->ims_handle));
    for (unsigned wq = 0; wq < DSA_MAX_WQS; wq++) {
        dsa_wq_reset_state(s, wq, true);
        s->wq[wq].inflight = 0;
    }
    s->rr_wq = 0;
}

static void dsa_cmd_finish(IntelDSAState *s, uint32_t err, uint32_t result)
{
    s->cmdsts = err | (result << 8);
    trace_dsa_cmd(extract32(s->cmd, CMD_CODE_SHIFT, 5),
                  s->cmd & CMD_OPERAND_MASK, s->cmdsts);
    s->pending_cmd = 0;
    if (s->cmd & CMD_INT_REQ) {
        dsa_set_intcause(s, INTC_CMD, true);
    }
}

/*
 * A fatal error: the device stops until the reset @reset_type names.  What
 * the WQs hold and what the engines work on is abandoned (no completion
 * record, no interrupt), and a command waiting for it fails.
 */
static void dsa_halt(IntelDSAState *s, uint32_t reset_type)
{
    if (dsa_halted(s)) {
        return;
    }
    trace_dsa_halt(reset_type);
    for (unsigned wq = 0; wq < DSA_MAX_WQS; wq++) {
        s->wq[wq].head = 0;
        s->wq[wq].count = 0;
        s->wq[wq].inflight = 0;
    }
    memset(s->engine, 0, sizeof(s->engine));
    s->gensts = DSA_DEV_HALT |
                ((reset_type & GENSTS_RESET_TYPE_MASK) <<
                 GENSTS_RESET_TYPE_SHIFT);
    if (s->pending_cmd) {
        dsa_cmd_finish(s, CMDSTS_HW_ERR, 0);
    }
    dsa_set_intcause(s, INTC_HALT, s->genctrl & GENCTRL_HALT_INT_EN);
}

static uint32_t dsa_reset_type(IntelDSAState *s)
{
    return extract32(s->gensts, GENSTS_RESET_TYPE_SHIFT, 2);
}

static uint32_t dsa_enable_device(IntelDSAState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t total = 0, base = 0;
    uint64_t engines_seen = 0;

    if (dsa_enabled(s)) {
        return CMDSTS_ERR_DEV_ENABLED;
    }
    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return CMDSTS_ERR_BUSMASTER_EN;
    }
    for (unsigned wq = 0; wq < s->num_wqs; wq++) {
        total += dsa_wq_size(s, wq);
    }
    if (total > s->total_wq_size) {
        return CMDSTS_ERR_WQ_SIZE_ERANGE;
    }
    for (unsigned g = 0; g < s->num_groups; g++) {
        DSAGroup *grp = &s->group[g];
        bool has_wq = false;

        for (unsigned wq = 0; wq < s->num_wqs; wq++) {
            if (!(grp->wqs[wq / 64] & BIT_ULL(wq % 64))) {
                continue;
            }
            has_wq = true;
            for (unsigned h = g + 1; h < s->num_groups; h++) {
                if (s->group[h].wqs[wq / 64] & BIT_ULL(wq % 64)) {
                    return CMDSTS_ERR_GRP_CONFIG;
                }
            }
        }
        if (grp->engines & engines_seen) {
            return CMDSTS_ERR_GRP_CONFIG2;
        }
        engines_seen |= grp->engines;
        if (has_wq && !grp->engines) {
            return CMDSTS_ERR_GRP_CONFIG3;
        }
        if (grp->engines && !has_wq) {
            return CMDSTS_ERR_GRP_CONFIG4;
        }
    }
    /* Carve the WQs' storage out of the device's */
    for (unsigned wq = 0; wq < s->num_wqs; wq++) {
        s->wq[wq].base = base;
        s->wq[wq].head = 0;
        s->wq[wq].count = 0;
        base += dsa_wq_size(s, wq);
    }
    s->gensts = DSA_DEV_ENABLED;
    return CMDSTS_SUCCESS;
}

static uint32_t dsa_enable_wq(IntelDSAState *s, uint32_t idx)
{
    uint32_t *cfg;
    uint32_t xcfg;

    if (idx >= s->num_wqs) {
        return CMDSTS_INVAL_WQIDX;
    }
    if (!dsa_enabled(s)) {
        return CMDSTS_ERR_DEV_NOTEN;
    }
    if (dsa_wq_enabled(s, idx)) {
        return CMDSTS_ERR_WQ_ENABLED;
    }
    cfg = s->wq[idx].cfg;
    xcfg = cfg[WQCFG_XFER_IDX];
    if (!dsa_wq_size(s, idx) || dsa_wq_group(s, idx) < 0) {
        return CMDSTS_ERR_WQ_SIZE;
    }
    if (!WQCFG_PRIORITY(cfg[WQCFG_MODE_IDX])) {
        return CMDSTS_ERR_WQ_PRIOR;
    }
    if (cfg[WQCFG_MODE_IDX] & WQCFG_MODE_BOF) {
        return CMDSTS_ERR_BOF_EN;
    }
    if ((cfg[WQCFG_MODE_IDX] & WQCFG_PASID_EN) &&
        !pcie_pasid_enabled(PCI_DEVICE(s))) {
        return CMDSTS_ERR_PASID_EN;
    }
    if (!(cfg[WQCFG_MODE_IDX] & WQCFG_MODE_DEDICATED) &&
        !(cfg[WQCFG_MODE_IDX] & WQCFG_PASID_EN)) {
        /* a shared WQ takes the PASID of each submission */
        return CMDSTS_ERR_PASID_EN;
    }
    if (WQCFG_MAX_BATCH(xcfg) > 10) {
        return CMDSTS_ERR_MAX_BATCH_SIZE;
    }
    if (WQCFG_MAX_XFER(xcfg) > s->max_xfer_shift) {
        return CMDSTS_ERR_MAX_XFER_SIZE;
    }
    s->wq[idx].head = 0;
    s->wq[idx].count = 0;
    cfg[WQCFG_STATE_IDX] |= WQCFG_STATE_ENABLED;
    return CMDSTS_SUCCESS;
}

/* The WQs named by a mask-form operand */
static uint32_t dsa_wq_mask(IntelDSAState *s, uint32_t operand,
                            uint64_t *mask)
{
    unsigned blk = extract32(operand, 16, 4);

    *mask = 0;
    for (unsigned i = 0; i < 16; i++) {
        unsigned wq = blk * 16 + i;

        if (!(operand & BIT(i))) {
            continue;
        }
        if (wq >= s->num_wqs) {
            return CMDSTS_INVAL_WQIDX;
        }
        *mask |= BIT_ULL(wq);
    }
    return CMDSTS_SUCCESS;
}

/* Drop the descriptors a WQ holds that match @pasid (or all, if < 0) */
static void dsa_wq_abort(IntelDSAState *s, unsigned wq, int64_t pasid)
{
    DSAWQ *q = &s->wq[wq];
    uint32_t size = dsa_wq_size(s, wq);
    uint16_t keep = 0;

    if (!size) {
        q->count = 0;
        return;
    }
    for (unsigned i = 0; i < q->count; i++) {
        DSAQEntry *e = &s->queue[(q->base + (q->head + i) % size) %
                                 DSA_MAX_WQ_SIZE];

        if (pasid >= 0 && (!e->pasid_en || e->pasid != pasid)) {
            s->queue[(q->base + (q->head + keep) % size) % DSA_MAX_WQ_SIZE] =
                *e;
            keep++;
        }
    }
    q->count = keep;
}

static bool dsa_wqs_idle(IntelDSAState *s, uint64_t mask)
{
    for (unsigned wq = 0; wq < s->num_wqs; wq++) {
        if ((mask & BIT_ULL(wq)) && !dsa_wq_idle(s, wq)) {
            return false;
        }
    }
    return true;
}

/*
 * Request Interrupt Handle: the lowest free handle of the table, for the
 * entry of the operand (more than one handle may name an entry), in
 * CMDSTS.result. Release Interrupt Handle: frees the handle of the
 * operand. An entry outside the table, a handle outside it or not given
 * out, and reserved operand bits are error 0x41; no free handle is 0x42.
 */
static void dsa_int_handle_cmd(IntelDSAState *s, uint32_t code,
                               uint32_t operand)
{
    bool ims = operand & CMD_INT_HANDLE_IMS;
    unsigned n = ims ? s->ims_size : dsa_num_vectors(s);
    uint16_t *map = ims ? s->ims_handle : s->msix_handle;
    unsigned idx = operand & CMD_INT_INDEX_MASK;

    if ((operand & ~(CMD_INT_INDEX_MASK | CMD_INT_HANDLE_IMS)) || idx >= n) {
        dsa_cmd_finish(s, CMDSTS_ERR_INVAL_INT_IDX, 0);
        return;
    }
    if (code == CMD_RELEASE_INT_HANDLE) {
        if (!map[idx]) {
            dsa_cmd_finish(s, CMDSTS_ERR_INVAL_INT_IDX, 0);
            return;
        }
        map[idx] = 0;
        dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        return;
    }
    for (unsigned h = 0; h < n; h++) {
        if (!map[h]) {
            map[h] = idx + 1;
            dsa_cmd_finish(s, CMDSTS_SUCCESS, h);
            return;
        }
    }
    dsa_cmd_finish(s, CMDSTS_ERR_NO_HANDLE, 0);
}

/*
 * Execute the command in CMD.  Commands that wait for descriptors to
 * complete stay pending (CMDSTS.active) until the engines are done.
 */
static void dsa_cmd_exec(IntelDSAState *s)
{
    uint32_t code = extract32(s->cmd, CMD_CODE_SHIFT, 5);
    uint32_t operand = s->cmd & CMD_OPERAND_MASK;
    uint64_t all = MAKE_64BIT_MASK(0, s->num_wqs);
    uint64_t mask = 0;
    uint32_t err;

    if (dsa_halted(s)) {
        /* Only the reset the halt asks for, if it is this one, gets out */
        if (code == CMD_RESET_DEVICE &&
            dsa_reset_type(s) == DSA_RESET_SOFTWARE) {
            dsa_reset_state(s);
            dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        } else {
            dsa_cmd_finish(s, CMDSTS_HW_ERR, 0);
        }
        return;
    }

    switch (code) {
    case CMD_ENABLE_DEVICE:
        dsa_cmd_finish(s, dsa_enable_device(s), 0);
        return;
    case CMD_DISABLE_DEVICE:
        if (!dsa_enabled(s)) {
            dsa_cmd_finish(s, CMDSTS_ERR_DIS_DEV_EN, 0);
            return;
        }
        if (!dsa_wqs_idle(s, all)) {
            return;
        }
        for (unsigned wq = 0; wq < s->num_wqs; wq++) {
            dsa_wq_reset_state(s, wq, false);
        }
        s->gensts = DSA_DEV_DISABLED;
        dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        return;
    case CMD_ABORT_ALL:
        for (unsigned wq = 0; wq < s->num_wqs; wq++) {
            dsa_wq_abort(s, wq, -1);
        }
        /* fall through */
    case CMD_DRAIN_ALL:
        if (!dsa_enabled(s)) {
            dsa_cmd_finish(s, CMDSTS_ERR_DEV_NOT_EN, 0);
            return;
        }
        if (dsa_wqs_idle(s, all)) {
            dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        }
        return;
    case CMD_RESET_DEVICE:
        /* in-flight descriptors are abandoned */
        dsa_reset_state(s);
        dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        return;
    case CMD_ENABLE_WQ:
        dsa_cmd_finish(s, dsa_enable_wq(s, operand), 0);
        return;
    case CMD_DISABLE_WQ:
    case CMD_DRAIN_WQ:
    case CMD_ABORT_WQ:
    case CMD_RESET_WQ:
        err = dsa_wq_mask(s, operand, &mask);
        if (err) {
            dsa_cmd_finish(s, err, 0);
            return;
        }
        if (!dsa_enabled(s) && code != CMD_RESET_WQ) {
            dsa_cmd_finish(s, CMDSTS_ERR_DEV_NOT_EN, 0);
            return;
        }
        if (code == CMD_ABORT_WQ) {
            for (unsigned wq = 0; wq < s->num_wqs; wq++) {
                if (mask & BIT_ULL(wq)) {
                    dsa_wq_abort(s, wq, -1);
                }
            }
        }
        if (!dsa_wqs_idle(s, mask)) {
            /* new submissions are refused while the WQ drains */
            return;
        }
        for (unsigned wq = 0; wq < s->num_wqs; wq++) {
            if (!(mask & BIT_ULL(wq))) {
                continue;
            }
            if (code == CMD_DISABLE_WQ) {
                dsa_wq_reset_state(s, wq, false);
            } else if (code == CMD_RESET_WQ) {
                dsa_wq_reset_state(s, wq, true);
            }
        }
        dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        return;
    case CMD_ABORT_PASID:
    case CMD_DRAIN_PASID:
        if (!dsa_enabled(s)) {
            dsa_cmd_finish(s, CMDSTS_ERR_DEV_NOT_EN, 0);
            return;
        }
        if (code == CMD_ABORT_PASID) {
            for (unsigned wq = 0; wq < s->num_wqs; wq++) {
                dsa_wq_abort(s, wq, operand);
            }
        }
        /* Waits for the whole device: a superset of the PASID's work */
        if (dsa_wqs_idle(s, all)) {
            dsa_cmd_finish(s, CMDSTS_SUCCESS, 0);
        }
        return;
    case CMD_REQUEST_INT_HANDLE:
    case CMD_RELEASE_INT_HANDLE:
        if (s->version < 2) {
            dsa_cmd_finish(s, CMDSTS_INVAL_CMD, 0);
            return;
        }
        dsa_int_handle_cmd(s, code, operand);
        return;
    default:
        dsa_cmd_finish(s, CMDSTS_INVAL_CMD, 0);
        return;
    }
}

static void dsa_cmd_write(IntelDSAState *s, uint32_t val)
{
    if (s->cmdsts & CMDSTS_ACTIVE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "intel-dsa: command written while one is active\n");
        return;
    }
    s->cmd = val;
    s->cmdsts = CMDSTS_ACTIVE;
    s->pending_cmd = 1;
    dsa_cmd_exec(s);
    if (s->pending_cmd) {
        qemu_bh_schedule(s->bh);
    }
}

/* Is a WQ being disabled, drained or reset by the pending command? */
static bool dsa_wq_quiescing(IntelDSAState *s, unsigned wq)
{
    uint32_t code = extract32(s->cmd, CMD_CODE_SHIFT, 5);
    uint64_t mask;

    if (!s->pending_cmd) {
        return false;
    }
    switch (code) {
    case CMD_DISABLE_DEVICE:
        return true;
    case CMD_DISABLE_WQ:
    case CMD_RESET_WQ:
        return !dsa_wq_mask(s, s->cmd & CMD_OPERAND_MASK, &mask) &&
               (mask & BIT_ULL(wq));
    default:
        return false;
    }
}

/* Register access */

static uint64_t dsa_reg_read(IntelDSAState *s, hwaddr addr)
{
    uint64_t v = 0;

    /* 32-bit halves of 64-bit registers */
    hwaddr q = addr & ~7ULL;
    unsigned sh = (addr & 4) * 8;

    if (addr < DSA_GRPCFG_BASE) {
        switch (q) {
        case A_VER:
            v = s->version >= 2 ? 0x200 : 0x100;
            break;
        case A_GENCAP:
            v = dsa_gencap(s);
            break;
        case A_WQCAP:
            v = dsa_wqcap(s);
            break;
        case A_GRPCAP:
            v = dsa_grpcap(s);
            break;
        case A_ENGCAP:
            v = s->num_engines;
            break;
        case A_OPCAP:
            v = DSA_OPCAP0;
            break;
        case A_TABLE_OFFSETS:
            v = dsa_table_offsets();
            break;
        case A_GENCFG:
            v = s->gencfg;
            break;
        case A_GENCTRL:
            v = s->genctrl;
            break;
        case A_GENSTS:
            v = s->gensts;
            break;
        case A_INTCAUSE:
            v = s->intcause;
            break;
        case A_CMD:
            v = s->cmd;
            break;
        case A_CMDSTS:
            v = s->cmdsts;
            break;
        case A_CMDCAP:
            v = dsa_cmdcap(s);
            break;
        case A_SWERR ... A_SWERR + 0x18:
            v = s->swerr[(q - A_SWERR) / 8];
            break;
        }
        return (uint32_t)(v >> sh);
    }
    if (addr < DSA_GRPCFG_BASE + s->num_groups * DSA_GRPCFG_SIZE) {
        hwaddr off = addr - DSA_GRPCFG_BASE;
        DSAGroup *g = &s->group[off / DSA_GRPCFG_SIZE];
        unsigned r = (off % DSA_GRPCFG_SIZE) / 8;

        v = r < 4 ? g->wqs[r] : r == 4 ? g->engines : r == 5 ? g->flags : 0;
        return (uint32_t)(v >> sh);
    }
    if (addr >= DSA_WQCFG_BASE &&
        addr < DSA_WQCFG_BASE + s->num_wqs * dsa_wqcfg_size(s)) {
        hwaddr off = addr - DSA_WQCFG_BASE;
        DSAWQ *wq = &s->wq[off / dsa_wqcfg_size(s)];
        unsigned idx = (off % dsa_wqcfg_size(s)) / 4;

        if (idx == WQCFG_STATE_IDX) {
            return deposit32(wq->cfg[idx], 0, 16, wq->count);
        }
        return wq->cfg[idx];
    }
    if (addr >= DSA_MSIXPERM_BASE &&
        addr < DSA_MSIXPERM_BASE + dsa_num_vectors(s) * 8) {
        return (addr & 4) ? 0 : s->msix_perm[(addr - DSA_MSIXPERM_BASE) / 8];
    }
    if (addr >= DSA_IMS_BASE &&
        addr < DSA_IMS_BASE + s->ims_size * DSA_IMS_ENTRY_SIZE) {
        DSAIMSEntry *e = &s->ims[(addr - DSA_IMS_BASE) / DSA_IMS_ENTRY_SIZE];

        switch (addr & 0xc) {
        case 0:
            return (uint32_t)e->addr;
        case 4:
            return e->addr >> 32;
        case 8:
            return e->data;
        default:
            return e->ctrl;
        }
    }
    return 0;
}

static void dsa_grpcfg_write(IntelDSAState *s, hwaddr off, uint32_t val)
{
    DSAGroup *g = &s->group[off / DSA_GRPCFG_SIZE];
    unsigned r = (off % DSA_GRPCFG_SIZE) / 8;
    unsigned sh = (off & 4) * 8;
    uint64_t *p, wmask;

    if (dsa_enabled(s)) {
        /* locked while the device is enabled */
        return;
    }
    if (r < 4) {
        p = &g->wqs[r];
        wmask = r * 64 >= s->num_wqs ? 0 :
                MAKE_64BIT_MASK(0, MIN(64, s->num_wqs - r * 64));
    } else if (r == 4) {
        p = &g->engines;
        wmask = MAKE_64BIT_MASK(0, s->num_engines);
    } else if (r == 5) {
        p = &g->flags;
        wmask = 0;      /* traffic classes and read buffers: not modelled */
    } else {
        return;
    }
    wmask &= 0xffffffffULL << sh;
    *p = (*p & ~wmask) | (((uint64_t)val << sh) & wmask);
}

static void dsa_wqcfg_write(IntelDSAState *s, unsigned wq, unsigned idx,
                            uint32_t val)
{
    uint32_t *cfg = s->wq[wq].cfg;

    if (dsa_wq_enabled(s, wq)) {
        /* locked while the WQ is enabled */
        return;
    }
    switch (idx) {
    case WQCFG_SIZE_IDX:
        if (!dsa_enabled(s)) {
            cfg[idx] = val & 0xffff;
        }
        break;
    case WQCFG_THRESH_IDX:
        cfg[idx] = val & 0xffff;
        break;
    case WQCFG_MODE_IDX:
        cfg[idx] = val & WQCFG_MODE_WMASK;
        break;
    case WQCFG_XFER_IDX:
        cfg[idx] = val & WQCFG_XFER_WMASK;
        break;
    case 8 ... 15:
        if (s->version >= 2) {
            cfg[idx] = val;
        }
        break;
    default:
        /* occupancy and state are read-only; interrupts: not modelled */
        break;
    }
}

static void dsa_reg_write(IntelDSAState *s, hwaddr addr, uint32_t val)
{
    if (addr == DSA_FAULT_INJECT && s->fault_inject) {
        if (val & FAULT_INJECT_HALT) {
            dsa_halt(s, extract32(val, GENSTS_RESET_TYPE_SHIFT, 2));
        }
        return;
    }
    if (addr < DSA_GRPCFG_BASE) {
        switch (addr) {
        case A_GENCFG:
            if (!dsa_enabled(s)) {
                s->gencfg = val & GENCFG_WMASK;
            }
            break;
        case A_GENCTRL:
            s->genctrl = val & GENCTRL_WMASK;
            break;
        case A_INTCAUSE:
            s->intcause &= ~(val & INTC_MASK);
            break;
        case A_CMD:
            dsa_cmd_write(s, val);
            break;
        case A_SWERR:
            s->swerr[0] &= ~(val & SWERR_RW1C);
            if (!(s->swerr[0] & SWERR_VALID)) {
                memset(s->swerr, 0, sizeof(s->swerr));
            }
            break;
        default:
            /* read-only or reserved */
            break;
        }
        return;
    }
    if (addr < DSA_GRPCFG_BASE + s->num_groups * DSA_GRPCFG_SIZE) {
        dsa_grpcfg_write(s, addr - DSA_GRPCFG_BASE, val);
        return;
    }
    if (addr >= DSA_WQCFG_BASE &&
        addr < DSA_WQCFG_BASE + s->num_wqs * dsa_wqcfg_size(s)) {
        hwaddr off = addr - DSA_WQCFG_BASE;

        dsa_wqcfg_write(s, off / dsa_wqcfg_size(s),
                        (off % dsa_wqcfg_size(s)) / 4, val);
        return;
    }
    if (addr >= DSA_MSIXPERM_BASE &&
        addr < DSA_MSIXPERM_BASE + dsa_num_vectors(s) * 8) {
        if (!(addr & 4)) {
            s->msix_perm[(addr - DSA_MSIXPERM_BASE) / 8] = val & 0xfffff00c;
        }
        return;
    }
    if (addr >= DSA_IMS_BASE &&
        addr < DSA_IMS_BASE + s->ims_size * DSA_IMS_ENTRY_SIZE) {
        DSAIMSEntry *e = &s->ims[(addr - DSA_IMS_BASE) / DSA_IMS_ENTRY_SIZE];

        switch (addr & 0xc) {
        case 0:
            e->addr = deposit64(e->addr, 0, 32, val);
            break;
        case 4:
            e->addr = deposit64(e->addr, 32, 32, val);
            break;
        case 8:
            e->data = val;
            break;
        default:
            e->ctrl = val & IMS_CTRL_WMASK;
            break;
        }
    }
}

static uint64_t dsa_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAState *s = opaque;
    uint64_t v = dsa_reg_read(s, addr);

    trace_dsa_mmio_read(addr, v, size);
    return v;
}

static void dsa_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    IntelDSAState *s = opaque;

    trace_dsa_mmio_write(addr, val, size);
    dsa_reg_write(s, addr, val);
}

static const MemoryRegionOps dsa_mmio_ops = {
    .read = dsa_mmio_read,
    .write = dsa_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* Portals */

static uint64_t dsa_portal_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void dsa_portal_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    /* A portal takes 64-byte stores only */
    trace_dsa_portal_bad_write(addr, size);
}

static MemTxResult dsa_portal_write_block(void *opaque, hwaddr addr,
                                          const void *data, unsigned size,
                                          bool deferrable, MemTxAttrs attrs)
{
    IntelDSAState *s = opaque;
    unsigned wq = addr >> 14;
    unsigned page = (addr >> 12) & 3;
    bool limited = page & 1;
    MemTxResult refuse = deferrable ? MEMTX_RETRY : MEMTX_OK;
    DSAQEntry e = { 0 };
    DSAWQ *q;
    uint32_t wsize, mode;

    if (size != DSA_DESC_SIZE || wq >= s->num_wqs) {
        trace_dsa_portal_bad_write(addr, size);
        return refuse;
    }
    if (dsa_halted(s)) {
        /* a halted device takes nothing and reports nothing */
        trace_dsa_portal_store(wq, addr, deferrable,
                               ((const uint8_t *)data)[7], -3);
        return refuse;
    }
    q = &s->wq[wq];
    memcpy(e.desc, data, DSA_DESC_SIZE);
    e.ims = page >> 1;
    mode = q->cfg[WQCFG_MODE_IDX];
    wsize = dsa_wq_size(s, wq);

    if (!dsa_enabled(s) || !dsa_wq_enabled(s, wq) ||
        dsa_wq_quiescing(s, wq)) {
        trace_dsa_portal_store(wq, addr, deferrable, e.desc[7], -1);
        if (!deferrable) {
            dsa_report_swerr(s, SWERR_WQ_NOT_ENABLED, wq, NULL, false, 0, 0,
                             false);
        }
        return refuse;
    }
    if (dsa_wq_dedicated(s, wq)) {
        if (deferrable) {
            /* ENQCMD(S) to a dedicated WQ is not taken */
            dsa_report_swerr(s, SWERR_WRONG_PORTAL, wq, NULL, false, 0, 0,
                             false);
            return MEMTX_RETRY;
        }
        e.pasid_en = !!(mode & WQCFG_PASID_EN);
        e.pasid = WQCFG_PASID(mode);
        e.priv = !!(mode & WQCFG_PRIV);
        if (q->count >= wsize) {
            dsa_report_swerr(s, SWERR_WQ_FULL, wq, &e, false, 0, 0, false);
            trace_dsa_portal_store(wq, addr, deferrable, e.desc[7], -2);
            return MEMTX_OK;
        }
    } else {
        uint32_t dw0 = ldl_le_p(data);

        if (!deferrable) {
            /* a direct store to a shared WQ is dropped */
            dsa_report_swerr(s, SWERR_WRONG_PORTAL, wq, NULL, false, 0, 0,
                             false);
            return MEMTX_OK;
        }
        e.pasid_en = 1;
        e.pasid = extract32(dw0, 0, 20);
        e.priv = extract32(dw0, 31, 1);
        if (q->count >= wsize ||
            (limited && q->count >= extract32(q->cfg[WQCFG_THRESH_IDX], 0,
                                              16))) {
            trace_dsa_portal_store(wq, addr, deferrable, e.desc[7], -2);
            return MEMTX_RETRY;
        }
    }
    s->queue[(q->base + (q->head + q->count) % wsize) % DSA_MAX_WQ_SIZE] = e;
    q->count++;
    trace_dsa_portal_store(wq, addr, deferrable, e.desc[7], 0);
    qemu_bh_schedule(s->bh);
    return MEMTX_OK;
}

static const MemoryRegionOps dsa_portal_ops = {
    .read = dsa_portal_read,
    .write = dsa_portal_write,
    .write_block = dsa_portal_write_block,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

/* Device */

static void dsa_add_siov_dvsec(PCIDevice *pdev, uint16_t off)
{
    pcie_add_capability(pdev, PCI_EXT_CAP_ID_DVSEC, 1, off, 0x18);
    /* DVSEC header 1: vendor, revision 0, length; header 2: SIOV (5) */
    pci_set_long(pdev->config + off + 4, PCI_VENDOR_ID_INTEL | (0x18 << 20));
    pci_set_word(pdev->config + off + 8, 5);
    /* function dependency link 0, flags 0 */
    pci_set_long(pdev->config + off + 0xc, 0x1);  /* supported: 4 KiB */
    pci_set_long(pdev->config + off + 0x10, 0x1); /* system page size */
    pci_set_long(pdev->wmask + off + 0x10, 0xffffffff);
    pci_set_long(pdev->config + off + 0x14, 0x1); /* IMS supported */
}

static void dsa_realize(PCIDevice *pdev, Error **errp)
{
    IntelDSAState *s = INTEL_DSA(pdev);
    uint64_t portal_size;

    if (s->version < 1 || s->version > 2) {
        error_setg(errp, "version must be 1 or 2");
        return;
    }
    if (!s->num_wqs || s->num_wqs > DSA_MAX_WQS ||
        (s->version < 2 && s->num_wqs > 32)) {
        error_setg(errp, "wqs must be 1 to %d", DSA_MAX_WQS);
        return;
    }
    if (!s->num_engines || s->num_engines > DSA_MAX_ENGINES) {
        error_setg(errp, "engines must be 1 to %d", DSA_MAX_ENGINES);
        return;
    }
    if (!s->num_groups || s->num_groups > DSA_MAX_GROUPS) {
        error_setg(errp, "groups must be 1 to %d", DSA_MAX_GROUPS);
        return;
    }
    if (s->total_wq_size < s->num_wqs ||
        s->total_wq_size > DSA_MAX_WQ_SIZE) {
        error_setg(errp, "wq-size must be wqs to %d", DSA_MAX_WQ_SIZE);
        return;
    }
    if (s->max_xfer_shift < 12 || s->max_xfer_shift > 31) {
        error_setg(errp, "max-xfer-shift must be 12 to 31");
        return;
    }
    if (s->ims_size % 256 || s->ims_size > DSA_MAX_IMS) {
        error_setg(errp, "ims-size must be a multiple of 256 up to %d",
                   DSA_MAX_IMS);
        return;
    }

    pci_config_set_device_id(pdev->config,
                             s->version >= 2 ? DSA_DEVICE_ID_2 :
                                               DSA_DEVICE_ID_1);
    pci_config_set_interrupt_pin(pdev->config, 0);

    memory_region_init(&s->bar0, OBJECT(s), "intel-dsa-bar0", DSA_BAR0_SIZE);
    /* The registers span the BAR; the MSI-X table and PBA sit above them */
    memory_region_init_io(&s->regs, OBJECT(s), &dsa_mmio_ops, s,
                          "intel-dsa-regs", DSA_BAR0_SIZE);
    memory_region_add_subregion_overlap(&s->bar0, 0, &s->regs, -1);
    portal_size = pow2ceil(s->num_wqs * 4 * 4 * KiB);
    memory_region_init_io(&s->portals, OBJECT(s), &dsa_portal_ops, s,
                          "intel-dsa-portals", portal_size);

    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar0);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->portals);

    if (pcie_endpoint_cap_init(pdev, 0x40) < 0) {
        error_setg(errp, "cannot add the PCIe capability");
        return;
    }
    pcie_cap_flr_init(pdev);
    if (msix_init(pdev, dsa_num_vectors(s), &s->bar0, 0, DSA_MSIX_TABLE,
                  &s->bar0, 0, DSA_MSIX_PBA, 0x80, errp)) {
        return;
    }
    for (unsigned v = 0; v < dsa_num_vectors(s); v++) {
        msix_vector_use(pdev, v);
    }
    pcie_ats_init(pdev, 0x100, true);
    pcie_pasid_init(pdev, DSA_PASID_CAP, 20, false, true);
    if (s->pri) {
        pcie_pri_init(pdev, 0x120, 512, true);
    }
    if (s->siov) {
        dsa_add_siov_dvsec(pdev, 0x140);
    }

    s->bh = aio_bh_new_guarded(qemu_get_aio_context(), dsa_bh, s,
                               &DEVICE(s)->mem_reentrancy_guard);
}

static void dsa_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                             int len)
{
    pci_default_write_config(pdev, addr, val, len);
    /* Function Level Reset: the same reset as the bus's */
    pcie_cap_flr_write_config(pdev, addr, val, len);
}

static void dsa_exit(PCIDevice *pdev)
{
    IntelDSAState *s = INTEL_DSA(pdev);

    qemu_bh_delete(s->bh);
    msix_uninit(pdev, &s->bar0, &s->bar0);
}

static void dsa_reset_hold(Object *obj, ResetType type)
{
    IntelDSAState *s = INTEL_DSA(obj);

    dsa_reset_state(s);
    s->cmd = 0;
    s->cmdsts = 0;
    s->pending_cmd = 0;
}

static const VMStateDescription vmstate_dsa_qentry = {
    .name = "intel-dsa/qentry",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(desc, DSAQEntry, DSA_DESC_SIZE),
        VMSTATE_UINT32(pasid, DSAQEntry),
        VMSTATE_UINT8(pasid_en, DSAQEntry),
        VMSTATE_UINT8(priv, DSAQEntry),
        VMSTATE_UINT8(ims, DSAQEntry),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa_work = {
    .name = "intel-dsa/work",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(e, DSAWork, 1, vmstate_dsa_qentry, DSAQEntry),
        VMSTATE_UINT64(done, DSAWork),
        VMSTATE_UINT64(acc, DSAWork),
        VMSTATE_UINT8(result, DSAWork),
        VMSTATE_UINT8(started, DSAWork),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa_engine = {
    .name = "intel-dsa/engine",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(busy, DSAEngine),
        VMSTATE_UINT8(wq, DSAEngine),
        VMSTATE_UINT8(in_batch, DSAEngine),
        VMSTATE_UINT32(batch_idx, DSAEngine),
        VMSTATE_UINT32(batch_fail, DSAEngine),
        VMSTATE_STRUCT(batch, DSAEngine, 1, vmstate_dsa_work, DSAWork),
        VMSTATE_STRUCT(cur, DSAEngine, 1, vmstate_dsa_work, DSAWork),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa_wq = {
    .name = "intel-dsa/wq",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_ARRAY(cfg, DSAWQ, 16),
        VMSTATE_UINT16(base, DSAWQ),
        VMSTATE_UINT16(head, DSAWQ),
        VMSTATE_UINT16(count, DSAWQ),
        VMSTATE_UINT16(inflight, DSAWQ),
        VMSTATE_UINT8(rr_engine, DSAWQ),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa_group = {
    .name = "intel-dsa/group",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(wqs, DSAGroup, 4),
        VMSTATE_UINT64(engines, DSAGroup),
        VMSTATE_UINT64(flags, DSAGroup),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa_ims = {
    .name = "intel-dsa/ims",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(addr, DSAIMSEntry),
        VMSTATE_UINT32(data, DSAIMSEntry),
        VMSTATE_UINT32(ctrl, DSAIMSEntry),
        VMSTATE_END_OF_LIST()
    },
};

static int dsa_post_load(void *opaque, int version_id)
{
    IntelDSAState *s = opaque;

    /* Bound what indexes arrays before the engines run again */
    for (unsigned wq = 0; wq < DSA_MAX_WQS; wq++) {
        DSAWQ *q = &s->wq[wq];

        if (q->base >= DSA_MAX_WQ_SIZE || q->count > dsa_wq_size(s, wq) ||
            (dsa_wq_size(s, wq) && q->head >= dsa_wq_size(s, wq))) {
            return -EINVAL;
        }
    }
    for (unsigned eng = 0; eng < DSA_MAX_ENGINES; eng++) {
        if (s->engine[eng].wq >= DSA_MAX_WQS) {
            return -EINVAL;
        }
    }
    qemu_bh_schedule(s->bh);
    return 0;
}

static bool dsa_int_handles_needed(void *opaque)
{
    IntelDSAState *s = opaque;

    return s->version >= 2;
}

static const VMStateDescription vmstate_dsa_int_handles = {
    .name = "intel-dsa/int-handles",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = dsa_int_handles_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16_ARRAY(msix_handle, IntelDSAState, DSA_MAX_VECTORS),
        VMSTATE_UINT16_ARRAY(ims_handle, IntelDSAState, DSA_MAX_IMS),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dsa = {
    .name = TYPE_INTEL_DSA,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = dsa_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, IntelDSAState),
        VMSTATE_MSIX(parent_obj, IntelDSAState),
        VMSTATE_UINT32(gencfg, IntelDSAState),
        VMSTATE_UINT32(genctrl, IntelDSAState),
        VMSTATE_UINT32(gensts, IntelDSAState),
        VMSTATE_UINT32(intcause, IntelDSAState),
        VMSTATE_UINT32(cmd, IntelDSAState),
        VMSTATE_UINT32(cmdsts, IntelDSAState),
        VMSTATE_UINT64_ARRAY(swerr, IntelDSAState, 4),
        VMSTATE_UINT32(pending_cmd, IntelDSAState),
        VMSTATE_STRUCT_ARRAY(group, IntelDSAState, DSA_MAX_GROUPS, 1,
                             vmstate_dsa_group, DSAGroup),
        VMSTATE_STRUCT_ARRAY(wq, IntelDSAState, DSA_MAX_WQS, 1,
                             vmstate_dsa_wq, DSAWQ),
        VMSTATE_STRUCT_ARRAY(engine, IntelDSAState, DSA_MAX_ENGINES, 1,
                             vmstate_dsa_engine, DSAEngine),
        VMSTATE_UINT32_ARRAY(msix_perm, IntelDSAState, DSA_MAX_VECTORS),
        VMSTATE_STRUCT_ARRAY(ims, IntelDSAState, DSA_MAX_IMS, 1,
                             vmstate_dsa_ims, DSAIMSEntry),
        VMSTATE_STRUCT_ARRAY(queue, IntelDSAState, DSA_MAX_WQ_SIZE, 1,
                             vmstate_dsa_qentry, DSAQEntry),
        VMSTATE_UINT32(rr_wq, IntelDSAState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dsa_int_handles,
        NULL
    },
};

static const Property dsa_properties[] = {
    DEFINE_PROP_UINT32("version", IntelDSAState, version, 1),
    DEFINE_PROP_UINT32("wqs", IntelDSAState, num_wqs, 8),
    DEFINE_PROP_UINT32("engines", IntelDSAState, num_engines, 4),
    DEFINE_PROP_UINT32("groups", IntelDSAState, num_groups, 4),
    DEFINE_PROP_UINT32("wq-size", IntelDSAState, total_wq_size, 128),
    DEFINE_PROP_UINT32("ims-size", IntelDSAState, ims_size, 256),
    DEFINE_PROP_UINT8("max-xfer-shift", IntelDSAState, max_xfer_shift, 31),
    DEFINE_PROP_BOOL("pri", IntelDSAState, pri, true),
    DEFINE_PROP_BOOL("siov", IntelDSAState, siov, true),
    /* Test only: the fatal error injection register (DSA_FAULT_INJECT) */
    DEFINE_PROP_BOOL("x-fault-inject", IntelDSAState, fault_inject, false),
    DEFINE_PROP_UINT32("x-msix-vectors", IntelDSAState, msix_vectors, 0),
};

static void dsa_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = dsa_realize;
    k->exit = dsa_exit;
    k->config_write = dsa_write_config;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    k->device_id = DSA_DEVICE_ID_1;
    k->revision = 1;
    k->class_id = PCI_CLASS_SYSTEM_OTHER;
    rc->phases.hold = dsa_reset_hold;
    dc->desc = "Intel Data Streaming Accelerator";
    dc->vmsd = &vmstate_dsa;
    device_class_set_props(dc, dsa_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo dsa_info = {
    .name = TYPE_INTEL_DSA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(IntelDSAState),
    .class_init = dsa_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void dsa_register_types(void)
{
    type_register_static(&dsa_info);
}

type_init(dsa_register_types)
