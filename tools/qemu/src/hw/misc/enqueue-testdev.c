/*
 * PCI test device for 64-byte stores (x86 MOVDIR64B, ENQCMD, ENQCMDS)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * BAR 0 has two 4 KiB pages.  The second is a portal: a 64-byte store to
 * it (MemoryRegionOps.write_block) is recorded whole.  A direct store
 * (MOVDIR64B) is always taken.  An enqueue store (ENQCMD, ENQCMDS) is
 * taken while fewer than QUEUE_DEPTH commands are queued, and refused
 * (the CPU reports retry) when the queue is full; the guest empties the
 * queue by writing QUEUED.  Ordinary writes to the portal are counted as
 * partial writes and otherwise ignored.
 *
 * The first page holds 64-bit registers (4- or 8-byte accesses):
 *   0x00 ID           RO  ENQUEUE_TESTDEV_ID
 *   0x08 QUEUE_DEPTH  RW  enqueue commands the queue holds
 *   0x10 QUEUED       RW  enqueue commands queued now
 *   0x18 DIRECT       RO  direct stores received
 *   0x20 ENQUEUED     RO  enqueue stores taken
 *   0x28 RETRIED      RO  enqueue stores refused
 *   0x30 PARTIAL      RO  ordinary writes to the portal
 *   0x40 LAST         RO  64 bytes: the last 64-byte store that reached
 *                         the portal, taken or not
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "hw/pci/pci_device.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_ENQUEUE_TESTDEV "enqueue-testdev"
OBJECT_DECLARE_SIMPLE_TYPE(EnqueueTestDevState, ENQUEUE_TESTDEV)

#define ENQUEUE_TESTDEV_ID          0x4454534554514e45ULL /* "ENQTESTD" */
#define ENQUEUE_TESTDEV_STORE_SIZE  64

enum {
    REG_ID          = 0x00,
    REG_QUEUE_DEPTH = 0x08,
    REG_QUEUED      = 0x10,
    REG_DIRECT      = 0x18,
    REG_ENQUEUED    = 0x20,
    REG_RETRIED     = 0x28,
    REG_PARTIAL     = 0x30,
    REG_LAST        = 0x40,
    REG_LAST_END    = REG_LAST + ENQUEUE_TESTDEV_STORE_SIZE,
};

struct EnqueueTestDevState {
    PCIDevice parent_obj;

    MemoryRegion bar;
    MemoryRegion regs;
    MemoryRegion portal;

    uint64_t queue_depth;
    uint64_t queued;
    uint64_t direct;
    uint64_t enqueued;
    uint64_t retried;
    uint64_t partial;
    uint8_t last[ENQUEUE_TESTDEV_STORE_SIZE];

    /* Properties */
    uint32_t default_queue_depth;
};

static uint64_t enqueue_testdev_regs_read(void *opaque, hwaddr addr,
                                          unsigned size)
{
    EnqueueTestDevState *s = opaque;
    hwaddr reg = addr & ~7ULL;
    uint64_t val;

    switch (reg) {
    case REG_ID:
        val = ENQUEUE_TESTDEV_ID;
        break;
    case REG_QUEUE_DEPTH:
        val = s->queue_depth;
        break;
    case REG_QUEUED:
        val = s->queued;
        break;
    case REG_DIRECT:
        val = s->direct;
        break;
    case REG_ENQUEUED:
        val = s->enqueued;
        break;
    case REG_RETRIED:
        val = s->retried;
        break;
    case REG_PARTIAL:
        val = s->partial;
        break;
    case REG_LAST ... REG_LAST_END - 1:
        val = ldq_le_p(&s->last[reg - REG_LAST]);
        break;
    default:
        val = 0;
        break;
    }
    val >>= (addr & 7) * 8;
    if (size < 8) {
        val &= MAKE_64BIT_MASK(0, size * 8);
    }
    trace_enqueue_testdev_reg_read(addr, val, size);
    return val;
}

static void enqueue_testdev_regs_write(void *opaque, hwaddr addr,
                                       uint64_t val, unsigned size)
{
    EnqueueTestDevState *s = opaque;

    trace_enqueue_testdev_reg_write(addr, val, size);
    switch (addr) {
    case REG_QUEUE_DEPTH:
        s->queue_depth = val;
        break;
    case REG_QUEUED:
        s->queued = val;
        break;
    default:
        break;
    }
}

static const MemoryRegionOps enqueue_testdev_regs_ops = {
    .read = enqueue_testdev_regs_read,
    .write = enqueue_testdev_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

static uint64_t enqueue_testdev_portal_read(void *opaque, hwaddr addr,
                                            unsigned size)
{
    return 0;
}

static void enqueue_testdev_portal_write(void *opaque, hwaddr addr,
                                         uint64_t val, unsigned size)
{
    EnqueueTestDevState *s = opaque;

    trace_enqueue_testdev_portal_write(addr, val, size);
    s->partial++;
}

static MemTxResult enqueue_testdev_portal_write_block(void *opaque,
                                                      hwaddr addr,
                                                      const void *data,
                                                      unsigned size,
                                                      bool deferrable,
                                                      MemTxAttrs attrs)
{
    EnqueueTestDevState *s = opaque;
    MemTxResult r = MEMTX_OK;

    if (size != ENQUEUE_TESTDEV_STORE_SIZE) {
        return MEMTX_ERROR;
    }
    memcpy(s->last, data, size);
    if (!deferrable) {
        s->direct++;
    } else if (s->queued < s->queue_depth) {
        s->queued++;
        s->enqueued++;
    } else {
        s->retried++;
        r = MEMTX_RETRY;
    }
    trace_enqueue_testdev_portal_store(addr, deferrable, ldl_le_p(data), r);
    return r;
}

static const MemoryRegionOps enqueue_testdev_portal_ops = {
    .read = enqueue_testdev_portal_read,
    .write = enqueue_testdev_portal_write,
    .write_block = enqueue_testdev_portal_write_block,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void enqueue_testdev_realize(PCIDevice *pdev, Error **errp)
{
    EnqueueTestDevState *s = ENQUEUE_TESTDEV(pdev);

    memory_region_init(&s->bar, OBJECT(s), "enqueue-testdev", 8 * KiB);
    memory_region_init_io(&s->regs, OBJECT(s), &enqueue_testdev_regs_ops, s,
                          "enqueue-testdev-regs", 4 * KiB);
    memory_region_init_io(&s->portal, OBJECT(s), &enqueue_testdev_portal_ops,
                          s, "enqueue-testdev-portal", 4 * KiB);
    memory_region_add_subregion(&s->bar, 0, &s->regs);
    memory_region_add_subregion(&s->bar, 4 * KiB, &s->portal);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->bar);
}

static void enqueue_testdev_reset(DeviceState *dev)
{
    EnqueueTestDevState *s = ENQUEUE_TESTDEV(dev);

    s->queue_depth = s->default_queue_depth;
    s->queued = 0;
    s->direct = 0;
    s->enqueued = 0;
    s->retried = 0;
    s->partial = 0;
    memset(s->last, 0, sizeof(s->last));
}

static const VMStateDescription vmstate_enqueue_testdev = {
    .name = TYPE_ENQUEUE_TESTDEV,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, EnqueueTestDevState),
        VMSTATE_UINT64(queue_depth, EnqueueTestDevState),
        VMSTATE_UINT64(queued, EnqueueTestDevState),
        VMSTATE_UINT64(direct, EnqueueTestDevState),
        VMSTATE_UINT64(enqueued, EnqueueTestDevState),
        VMSTATE_UINT64(retried, EnqueueTestDevState),
        VMSTATE_UINT64(partial, EnqueueTestDevState),
        VMSTATE_UINT8_ARRAY(last, EnqueueTestDevState,
                            ENQUEUE_TESTDEV_STORE_SIZE),
        VMSTATE_END_OF_LIST()
    }
};

static const Property enqueue_testdev_properties[] = {
    DEFINE_PROP_UINT32("queue-depth", EnqueueTestDevState,
                       default_queue_depth, 2),
};

static void enqueue_testdev_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = enqueue_testdev_realize;
    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_ENQUEUE_TEST;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "PCI test device for 64-byte direct and enqueue stores";
    dc->vmsd = &vmstate_enqueue_testdev;
    device_class_set_legacy_reset(dc, enqueue_testdev_reset);
    device_class_set_props(dc, enqueue_testdev_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo enqueue_testdev_types[] = {
    {
        .name          = TYPE_ENQUEUE_TESTDEV,
        .parent        = TYPE_PCI_DEVICE,
        .instance_size = sizeof(EnqueueTestDevState),
        .class_init    = enqueue_testdev_class_init,
        .interfaces    = (const InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(enqueue_testdev_types)
