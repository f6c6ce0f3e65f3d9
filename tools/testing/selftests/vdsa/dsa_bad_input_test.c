// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated DSA given bad input, through vfio-pci and the VFIO
 * selftests' libvfio: admin commands in the wrong state, bad
 * configurations, malformed descriptors, unmapped addresses, bad
 * completion record addresses, stray writes to portals and random
 * descriptors, PASIDs the IOMMU has no entry for, privileged requests and
 * requests with PASID that the PASID capability does not allow,
 * completion interrupt handles (requested and released on 2.0, entries on
 * 1.0), IMS entries restricted to a PASID, and halts (injected through
 * the model's test-only register, intel-dsa's x-fault-inject) with their
 * resets, reset device or a function level reset. Each must give the
 * architected error (CMDSTS error code, completion status, SWERR) and
 * leave the device working; QEMU must not crash. A few good descriptors
 * of each kind check the results byte for byte, with and without a PASID
 * (a PASID attached through iommufd to its own IOAS), and completion
 * interrupts arrive on the MSI-X vector their handle names.
 *
 * usage: dsa_bad_input_test BDF (a DSA 1.0 or 2.0 bound to vfio-pci)
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include "dsa_desc.h"
#include "iommufd_util.h"
#include "ktap.h"

/* BAR0 registers (drivers/dma/idxd/registers.h) */
#define VER		0x00
#define GENCAP		0x10
#define WQCAP		0x20
#define TABLE_OFFSETS	0x60
#define GENSTS		0x90
#define CMD		0xa0
#define CMDSTS		0xa8
#define CMDCAP		0xb0
#define SWERR		0xc0
#define GENCTRL		0x88
#define INTCAUSE	0x98
/* The model's test-only fault injection (x-fault-inject=on) */
#define FAULT_INJECT	0xf000

#define GENSTS_HALTED	3
#define RESET_FLR	1
#define INTCAUSE_HALT	BIT(4)
#define GENCTRL_HALT_EN	BIT(1)

enum {
	CMD_ENABLE_DEVICE = 1, CMD_DISABLE_DEVICE, CMD_DRAIN_ALL, CMD_ABORT_ALL,
	CMD_RESET_DEVICE, CMD_ENABLE_WQ, CMD_DISABLE_WQ, CMD_DRAIN_WQ,
	CMD_ABORT_WQ, CMD_RESET_WQ, CMD_DRAIN_PASID, CMD_ABORT_PASID,
	CMD_REQUEST_INT_HANDLE, CMD_RELEASE_INT_HANDLE,
};

/* Operand of the interrupt handle commands: the IMS table, not MSI-X */
#define INT_HANDLE_IMS	BIT(16)

/* IMS entry control (the dword at 12): mask, PASID enable, PASID 31:12 */
#define IMS_MASK	BIT(0)
#define IMS_PASID_EN	BIT(3)
#define IMS_PASID_SHIFT	12

/* WQ 0's portals: the MSI-X one, then the IMS one (unlimited each) */
#define PORTAL_MSIX	0
#define PORTAL_IMS	(2 * 4096)

/* Checks of the version 1.0 and 2.0 devices (they differ in interrupts) */
#define NR_TESTS_V1	110
#define NR_TESTS_V2	116
#define NR_TESTS_HALT	13	/* halt_tests() */
#define NR_TESTS_CONFIG	18	/* config_tests() */

static struct vfio_pci_device *dev;
static uint8_t *bar0, *bar2;
static uint8_t *buf;		/* 1 MiB mapped for DMA at iova */
static bool v2;			/* the device has the 2.0 layout */
static uint64_t iova;
static uint64_t unmapped_iova;
static unsigned int grpcfg, wqcfg, wqcfg_size;

/* Register accesses: one load or store each, never merged or elided */
static uint32_t rd32(unsigned int off)
{
	return READ_ONCE(*(uint32_t *)(bar0 + off));
}

static uint64_t rd64(unsigned int off)
{
	return READ_ONCE(*(uint64_t *)(bar0 + off));
}

static void wr32(unsigned int off, uint32_t v)
{
	WRITE_ONCE(*(uint32_t *)(bar0 + off), v);
}

static void wr64(unsigned int off, uint64_t v)
{
	WRITE_ONCE(*(uint64_t *)(bar0 + off), v);
}

/* Run an admin command; returns CMDSTS (error in bits 7:0) */
static uint32_t command(uint32_t cmd, uint32_t operand)
{
	uint32_t st;
	int i;

	wr32(CMD, cmd << 20 | operand);
	for (i = 0; i < 5000; i++) {
		st = rd32(CMDSTS);
		if (!(st & 0x80000000u))
			return st;
		usleep(1000);
	}
	return 0xffffffffu;
}

static void check_cmd(uint32_t cmd, uint32_t operand, uint8_t want,
		      const char *name)
{
	uint32_t st = command(cmd, operand);

	if ((st & 0xff) != want)
		printf("# %s: CMDSTS 0x%x, want error 0x%x\n", name, st, want);
	result((st & 0xff) == want, "%s", name);
}

static void wqcfg_write(int wq, int idx, uint32_t v)
{
	wr32(wqcfg + wq * wqcfg_size + idx * 4, v);
}

static uint64_t to_dev(void *p)
{
	return iova + ((uint8_t *)p - buf);
}

/* A descriptor for @op with its completion record at @c */
static void desc_init(struct dsa_hw_desc *d, uint8_t op,
		      struct dsa_completion_record *c)
{
	dsa_desc_init(d, op, to_dev(c));
}

static uint64_t swerr_wait(void)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < DSA_WAIT_MS; i++) {
		v = rd64(SWERR);
		if (v & 1)
			break;
		usleep(1000);
	}
	return v;
}

static void swerr_clear(void)
{
	wr64(SWERR, 3);
}

/* Submit @d to WQ 0 (dedicated) and check the status of its record @c */
static void check_status(struct dsa_hw_desc *d,
			 struct dsa_completion_record *c, uint8_t want,
			 const char *name)
{
	uint8_t st = dsa_submit(bar2, false, d, c);

	if (st != want)
		printf("# %s: status 0x%x, want 0x%x\n", name, st, want);
	result(st == want, "%s", name);
}

static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1));
	}
	return ~crc;
}

static void config_tests(void)
{
	uint64_t off;

	check_cmd(CMD_RESET_DEVICE, 0, 0, "reset device");
	off = rd64(TABLE_OFFSETS);
	grpcfg = (off & 0xffff) * 0x100;
	wqcfg = ((off >> 16) & 0xffff) * 0x100;
	wqcfg_size = 1u << (((rd64(WQCAP) >> 24) & 0xf) + 5);

	check_cmd(0x1f, 0, 0x01, "unknown command: invalid command (0x01)");
	check_cmd(CMD_ENABLE_WQ, 200, 0x02,
		  "enable WQ 200: invalid WQ index (0x02)");
	check_cmd(CMD_ENABLE_WQ, 0, 0x20,
		  "enable WQ, device disabled: device not enabled (0x20)");
	check_cmd(CMD_DISABLE_DEVICE, 0, 0x31,
		  "disable a disabled device (0x31)");
	check_cmd(CMD_DRAIN_WQ, 1, 0x32,
		  "drain WQ, device disabled: device not enabled (0x32)");

	vfio_pci_cmd_clear(dev, PCI_COMMAND_MASTER);
	check_cmd(CMD_ENABLE_DEVICE, 0, 0x12,
		  "enable device without bus master: error 0x12");
	vfio_pci_cmd_set(dev, PCI_COMMAND_MASTER);

	/* WQ 0: dedicated, in group 0 with engine 0; more than the total */
	wqcfg_write(0, 0, (rd64(WQCAP) & 0xffff) + 1);
	wqcfg_write(0, 2, 1 | 1 << 4);		/* dedicated, priority 1 */
	wqcfg_write(0, 3, 12 | 5 << 5);		/* 4 KiB, batch 32 */
	wr64(grpcfg, 1);
	check_cmd(CMD_ENABLE_DEVICE, 0, 0x14,
		  "enable device, WQ sizes over the total: error 0x14");
	wqcfg_write(0, 0, 16);
	check_cmd(CMD_ENABLE_DEVICE, 0, 0x17,
		  "enable device, a group with a WQ and no engine: error 0x17");
	wr64(grpcfg + 32, 1);

	/* WQ 1: priority 0; WQ 2: configured, never enabled */
	wqcfg_write(1, 0, 8);
	wqcfg_write(1, 2, 1);
	wr64(grpcfg, 7);
	wqcfg_write(2, 0, 8);
	wqcfg_write(2, 2, 1 | 1 << 4);

	check_cmd(CMD_ENABLE_DEVICE, 0, 0, "enable device");
	result((rd32(GENSTS) & 3) == 1, "GENSTS says enabled");
	check_cmd(CMD_ENABLE_DEVICE, 0, 0x10,
		  "enable an enabled device: error 0x10");
	wr64(grpcfg + 32, 3);
	result(rd64(grpcfg + 32) == 1, "GRPCFG is locked while enabled");
	check_cmd(CMD_ENABLE_WQ, 1, 0x23, "enable WQ, priority 0: error 0x23");
	check_cmd(CMD_ENABLE_WQ, 0, 0, "enable WQ 0");
	check_cmd(CMD_ENABLE_WQ, 0, 0x21, "enable an enabled WQ: error 0x21");
	wqcfg_write(0, 0, 4);
	result((rd32(wqcfg) & 0xffff) == 16, "WQCFG is locked while enabled");
	result((rd32(wqcfg + 24) >> 30) == 1, "WQCFG says WQ 0 enabled");
}

static void descriptor_tests(void)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_hw_desc *list = (struct dsa_hw_desc *)(buf + 4096);
	struct dsa_completion_record *c = (struct dsa_completion_record *)(buf + 8192);
	uint8_t *src = buf + 65536, *dst = buf + 131072, *dst2 = buf + 196608;
	uint64_t sw;
	int i, ok;

	for (i = 0; i < 4096; i++)
		src[i] = i * 7 + 3;

	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->xfer_size = 4096;
	memset(dst, 0, 4096);
	check_status(d, c, 1, "MEMMOVE 4 KiB: success");
	result(!memcmp(src, dst, 4096) && c->bytes_completed == 4096,
	       "MEMMOVE: the bytes arrived, bytes completed 4096");

	desc_init(d, DSA_OPCODE_MEMFILL, c);
	d->pattern = 0x0102030405060708ull;
	d->dst_addr = to_dev(dst);
	d->xfer_size = 1000;
	check_status(d, c, 1, "FILL: success");
	for (ok = 1, i = 0; i < 1000; i++)
		ok &= dst[i] == (uint8_t)(0x08 - (i & 7));
	result(ok && dst[1000] == src[1000], "FILL: the pattern, nothing beyond");

	memcpy(dst, src, 4096);
	desc_init(d, DSA_OPCODE_COMPARE, c);
	d->src_addr = to_dev(src);
	d->src2_addr = to_dev(dst);
	d->xfer_size = 4096;
	check_status(d, c, 1, "COMPARE equal: success");
	result(c->result == 0, "COMPARE equal: result 0");
	dst[1234] ^= 1;
	check_status(d, c, 1, "COMPARE different: success");
	result(c->result == 1 && c->bytes_completed == 1234,
	       "COMPARE different: result 1 at offset 1234");

	desc_init(d, DSA_OPCODE_DUALCAST, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->dest2 = to_dev(dst2);
	d->xfer_size = 4096;
	memset(dst, 0, 4096);
	memset(dst2, 0, 4096);
	check_status(d, c, 1, "DUALCAST: success");
	result(!memcmp(src, dst, 4096) && !memcmp(src, dst2, 4096),
	       "DUALCAST: both destinations");

	memcpy(src, "123456789", 9);
	desc_init(d, DSA_OPCODE_CRCGEN, c);
	d->src_addr = to_dev(src);
	d->xfer_size = 9;
	check_status(d, c, 1, "CRCGEN: success");
	result((uint32_t)c->crc_val == crc32c(src, 9) &&
	       (uint32_t)c->crc_val == 0xe3069283u,
	       "CRCGEN: CRC-32C of \"123456789\" is 0xe3069283");

	/* a batch of two copies */
	for (i = 0; i < 2; i++) {
		memset(&list[i], 0, sizeof(list[i]));
		list[i].opcode = DSA_OPCODE_MEMMOVE;
		list[i].src_addr = to_dev(src);
		list[i].dst_addr = to_dev(i ? dst2 : dst);
		list[i].xfer_size = 4096;
	}
	memset(dst, 0, 4096);
	memset(dst2, 0, 4096);
	desc_init(d, DSA_OPCODE_BATCH, c);
	d->desc_list_addr = to_dev(list);
	d->desc_count = 2;
	check_status(d, c, 1, "BATCH of 2 MEMMOVE: success");
	result(!memcmp(src, dst, 4096) && !memcmp(src, dst2, 4096) &&
	       c->descs_completed == 2, "BATCH: both copies done, 2 descriptors");

	/* malformed descriptors */
	desc_init(d, 0x3f, c);
	check_status(d, c, 0x10, "unsupported opcode: status 0x10");
	desc_init(d, DSA_OPCODE_NOOP, c);
	d->flags |= 0x40;
	check_status(d, c, 0x11, "reserved flag: status 0x11");
	result(c->invalid_flags == 0x40, "invalid flags reported in the record");
	desc_init(d, DSA_OPCODE_NOOP, c);
	d->rsvd = 1 << 5;		/* bit 25 of the first dword */
	check_status(d, c, 0x12, "reserved descriptor bits: status 0x12");
	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->xfer_size = 0;
	check_status(d, c, 0x13, "transfer size 0: status 0x13");
	d->xfer_size = 8192;
	check_status(d, c, 0x13, "transfer over the WQ maximum: status 0x13");
	desc_init(d, DSA_OPCODE_BATCH, c);
	d->desc_list_addr = to_dev(list);
	d->desc_count = 1;
	check_status(d, c, 0x14, "batch of 1: status 0x14");
	d->desc_count = 2;
	d->desc_list_addr = to_dev(list) + 8;
	check_status(d, c, 0x18, "misaligned batch list: status 0x18");
	desc_init(d, DSA_OPCODE_DUALCAST, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->dest2 = to_dev(dst2) + 8;
	d->xfer_size = 64;
	check_status(d, c, 0x17, "dualcast, bits 11:0 differ: status 0x17");

	/* unmapped addresses */
	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->src_addr = unmapped_iova;
	d->dst_addr = to_dev(dst);
	d->xfer_size = 4096;
	check_status(d, c, 0x03, "unmapped source: page fault (0x03)");
	result(c->fault_addr == unmapped_iova && c->bytes_completed == 0,
	       "unmapped source: fault address, 0 bytes completed");
	d->src_addr = to_dev(src);
	d->dst_addr = unmapped_iova + 4096;
	check_status(d, c, 0x83, "unmapped destination: page fault on write (0x83)");
	result(c->fault_addr == unmapped_iova + 4096,
	       "unmapped destination: fault address");
	/* a copy that crosses from mapped into unmapped memory */
	d->src_addr = to_dev(src);
	d->dst_addr = iova + (1 << 20) - 2048;
	check_status(d, c, 0x83, "copy running off the mapping: page fault");
	result(c->bytes_completed == 2048 && c->fault_addr == iova + (1 << 20),
	       "partial copy: 2048 bytes completed, fault at the boundary");
	desc_init(d, DSA_OPCODE_BATCH, c);
	d->desc_list_addr = unmapped_iova;
	d->desc_count = 2;
	check_status(d, c, 0x06, "unmapped batch list: status 0x06");

	/* completion records that cannot be written: SWERR */
	swerr_clear();
	desc_init(d, 0x3f, c);
	d->completion_addr = to_dev(c) + 8;
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x1b,
	       "misaligned completion record: SWERR error 0x1b");
	swerr_clear();
	result(!(rd64(SWERR) & 1), "SWERR clears (write 1 to clear)");
	desc_init(d, 0x3f, c);
	d->completion_addr = unmapped_iova;
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x1a && rd64(SWERR + 16) ==
	       unmapped_iova, "unmapped completion record: SWERR 0x1a, address");
	swerr_clear();
	desc_init(d, 0x3f, c);
	d->flags &= ~(IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR);
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x10 && ((sw >> 32) & 0xff) == 0x3f,
	       "error without a completion record: SWERR with the opcode");
	swerr_clear();

	/* submissions the device does not take */
	desc_init(d, DSA_OPCODE_NOOP, c);
	dsa_movdir64b(bar2 + 2 * 4 * 4096, d);
	sw = swerr_wait();
	result((sw & 1) && (sw & 8) && ((sw >> 16) & 0xff) == 2,
	       "MOVDIR64B to a disabled WQ: SWERR names WQ 2");
	swerr_clear();
	for (i = 0; i < 64; i++)
		WRITE_ONCE(bar2[i], 0xff);
	WRITE_ONCE(*(uint64_t *)(bar2 + 8), ~0ull);
	WRITE_ONCE(*(uint64_t *)(bar2 + (1 << 16) + 4096 * 3), ~0ull);

	/* random descriptors */
	srand(4);
	for (i = 0; i < 300; i++) {
		uint32_t w[16];

		for (int k = 0; k < 16; k++)
			w[k] = rand() ^ rand() << 16;
		memcpy(d, w, sizeof(w));
		if (i & 1)
			d->completion_addr = to_dev(c);
		dsa_movdir64b(bar2 + (i % 4) * 4096, d);
	}
	swerr_clear();
	check_cmd(CMD_DRAIN_ALL, 0, 0, "drain all after 300 random descriptors");
	swerr_clear();

	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->xfer_size = 4096;
	memset(dst, 0, 4096);
	check_status(d, c, 1, "after all that, MEMMOVE still works");
	result(!memcmp(src, dst, 4096), "and its bytes are right");
}

/* Did MSI-X vector @v fire within @ms ms? Its eventfd is read empty. */
static bool msix_fired(unsigned int v, int ms)
{
	struct pollfd p = { .fd = dev->msi_eventfds[v], .events = POLLIN };
	uint64_t count;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(p.fd, &count, sizeof(count)) == sizeof(count) && count;
}

/* A NOOP that asks for the completion interrupt of @handle */
static void noop_rci(struct dsa_hw_desc *d, struct dsa_completion_record *c,
		     uint16_t handle)
{
	desc_init(d, DSA_OPCODE_NOOP, c);
	d->flags |= IDXD_OP_FLAG_RCI;
	d->int_handle = handle;
}

/*
 * Completion interrupt handles through WQ 0's MSI-X portal, with MSI-X
 * enabled through VFIO. On 2.0 a handle comes from Request Interrupt
 * Handle (the model gives the lowest free one) and stops working when
 * released; on 1.0 the handle is the MSI-X entry and the commands do not
 * exist.
 */
static void int_handle_tests(void)
{
	const uint32_t both = BIT(CMD_REQUEST_INT_HANDLE) |
			      BIT(CMD_RELEASE_INT_HANDLE);
	const unsigned int entry = 2, nvec = dev->msix_info.count;
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c =
		(struct dsa_completion_record *)(buf + 8192);
	uint32_t st, handle = entry;
	unsigned int i;
	uint8_t cs;
	bool ok;

	printf("# %u MSI-X vectors\n", nvec);
	vfio_pci_msix_enable(dev, 0, nvec);

	if (!v2) {
		result(!(rd32(CMDCAP) & both),
		       "1.0: CMDCAP offers no interrupt handle commands");
		check_cmd(CMD_REQUEST_INT_HANDLE, entry, 0x01,
			  "1.0: request interrupt handle: invalid command (0x01)");
		check_cmd(CMD_RELEASE_INT_HANDLE, 0, 0x01,
			  "1.0: release interrupt handle: invalid command (0x01)");
	} else {
		result((rd32(CMDCAP) & both) == both,
		       "2.0: CMDCAP offers request and release interrupt handle");
		check_cmd(CMD_REQUEST_INT_HANDLE, nvec, 0x41,
			  "request a handle beyond the MSI-X table: error 0x41");
		check_cmd(CMD_REQUEST_INT_HANDLE, entry | BIT(17), 0x41,
			  "request with reserved operand bits: error 0x41");
		check_cmd(CMD_RELEASE_INT_HANDLE, 3, 0x41,
			  "release a handle never given: error 0x41");
		st = command(CMD_REQUEST_INT_HANDLE, entry);
		handle = st >> 8 & 0xffff;
		printf("# MSI-X entry %u: CMDSTS 0x%x, handle %u\n", entry, st,
		       handle);
		result((st & 0xff) == 0 && handle == 0,
		       "request a handle for MSI-X entry 2: handle 0");
	}

	noop_rci(d, c, handle);
	check_status(d, c, 1, "NOOP with a completion interrupt: success");
	ok = msix_fired(entry, 1000);
	result(ok && !msix_fired(0, 0),
	       "the interrupt is MSI-X entry 2's, none on vector 0");

	if (!v2) {
		noop_rci(d, c, nvec);
		check_status(d, c, 0x19,
			     "1.0: handle beyond the MSI-X table: status 0x19");
		result(!msix_fired(entry, 200) && !msix_fired(0, 0),
		       "1.0: and no interrupt");
		vfio_pci_msix_disable(dev);
		return;
	}

	check_cmd(CMD_RELEASE_INT_HANDLE, handle, 0, "release handle 0");
	check_cmd(CMD_RELEASE_INT_HANDLE, handle, 0x41,
		  "release handle 0 again: error 0x41");
	noop_rci(d, c, handle);
	cs = dsa_submit(bar2 + PORTAL_MSIX, false, d, c);
	result(cs == 0x19 && !msix_fired(entry, 200) && !msix_fired(0, 0),
	       "a released handle: status 0x19, no interrupt");

	/* one handle per MSI-X entry's worth, then none is left */
	for (ok = true, i = 0; i < nvec; i++)
		ok &= command(CMD_REQUEST_INT_HANDLE, 1) == (i << 8);
	result(ok && (command(CMD_REQUEST_INT_HANDLE, 1) & 0xff) == 0x42,
	       "every handle given out: error 0x42 (no handle)");
	for (i = 0; i < nvec; i++)
		command(CMD_RELEASE_INT_HANDLE, i);
	vfio_pci_msix_disable(dev);
}

/*
 * The reference of the vDSA's interrupt benchmark: the mean time from
 * submitting a NOOP that asks for a completion interrupt on MSI-X vector 1
 * to that vector's eventfd, one descriptor at a time, through vfio-pci.
 */
static void bench_msix(long count)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c =
		(struct dsa_completion_record *)(buf + 8192);
	uint32_t handle = 1;
	struct timespec t0, t1;
	bool ok = true;
	long i;

	vfio_pci_msix_enable(dev, 0, dev->msix_info.count);
	if (v2)
		handle = command(CMD_REQUEST_INT_HANDLE, 1) >> 8 & 0xffff;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count && ok; i++) {
		noop_rci(d, c, handle);
		memset(c, 0, sizeof(*c));
		dsa_movdir64b(bar2, d);
		ok = msix_fired(1, 1000) && c->status == 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# msix_irq_us=%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e6 +
					 (t1.tv_nsec - t0.tv_nsec) / 1e3) / count);
	result(ok, "NOOPs with a completion interrupt on MSI-X vector 1, one at a time");
	vfio_pci_msix_disable(dev);
}

/* The device's config space through sysfs, behind vfio-pci's back */
static int cfg_fd = -1;
static unsigned int pasid_cap;

static uint32_t cfg_rd32(unsigned int off)
{
	uint32_t v = ~0u;

	if (pread(cfg_fd, &v, 4, off) != 4)
		return ~0u;
	return v;
}

static uint16_t cfg_rd16(unsigned int off)
{
	uint16_t v = 0xffff;

	if (pread(cfg_fd, &v, 2, off) != 2)
		return 0xffff;
	return v;
}

static void cfg_wr16(unsigned int off, uint16_t v)
{
	VFIO_ASSERT_EQ(pwrite(cfg_fd, &v, 2, off), 2);
}

/* The PASID extended capability, or 0 */
static unsigned int find_pasid_cap(void)
{
	unsigned int off = 0x100;
	int i;

	for (i = 0; off >= 0x100 && i < 64; i++) {
		uint32_t h = cfg_rd32(off);

		if ((h & 0xffff) == 0x1b)
			return off;
		off = h >> 20;
	}
	return 0;
}

/*
 * A page table for the device on @ioas that PASIDs may share. libvfio
 * keeps no iommufd device ID: the device is the only object of this
 * iommufd that IOMMU_HWPT_ALLOC takes as one.
 */
static int hwpt_alloc(uint32_t ioas, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc args = {
		.size = sizeof(args),
		.flags = IOMMU_HWPT_ALLOC_PASID,
		.pt_id = ioas,
	};
	uint32_t id;

	for (id = 1; id < 64; id++) {
		args.dev_id = id;
		if (!ioctl(dev->iommu->iommufd, IOMMU_HWPT_ALLOC, &args)) {
			*hwpt = args.out_hwpt_id;
			return 0;
		}
	}
	return -1;
}

static int attach(uint32_t hwpt, uint32_t flags, uint32_t pasid)
{
	struct vfio_device_attach_iommufd_pt args = {
		.argsz = sizeof(args),
		.flags = flags,
		.pt_id = hwpt,
		.pasid = pasid,
	};

	return ioctl(dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &args);
}

/*
 * Attach @pasid of the device to a new IOAS that maps buf at @at; the
 * requester ID moves to a page table of its IOAS that allows PASIDs
 * beside it (iommufd refuses a PASID next to an automatic one).
 */
static int attach_pasid(uint32_t pasid, uint64_t at)
{
	uint32_t hwpt, ioas = 0;

	if (hwpt_alloc(dev->iommu->ioas_id, &hwpt) || attach(hwpt, 0, 0))
		return -1;
	if (ioas_alloc(dev->iommu->iommufd, &ioas) ||
	    ioas_map(dev->iommu->iommufd, ioas, buf, at, 1 << 20))
		return -1;
	if (hwpt_alloc(ioas, &hwpt))
		return -1;
	return attach(hwpt, VFIO_DEVICE_ATTACH_PASID, pasid);
}

/* IMS entry 0, masked: the model delivers nothing, but checks the PASID */
static unsigned int ims_handle;

static void ims_ctrl(uint32_t ctrl)
{
	unsigned int ims = (rd64(TABLE_OFFSETS) >> 48 & 0xffff) * 0x100;

	wr32(ims + 12, ctrl | IMS_MASK);
}

static uint8_t ims_submit(uint64_t compl)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c =
		(struct dsa_completion_record *)(buf + 8192);

	noop_rci(d, c, ims_handle);
	d->completion_addr = compl;
	return dsa_submit(bar2 + PORTAL_IMS, false, d, c);
}

/*
 * The PASID check of IMS entries, WQ 0 running with @pasid, whose IOAS
 * maps buf at @at: an entry with PASID enable only takes the completion
 * interrupts of that PASID's descriptors (else status 0x19).
 */
static void ims_pasid_tests(uint32_t pasid, uint64_t at)
{
	uint32_t st;

	if (v2) {
		st = command(CMD_REQUEST_INT_HANDLE, INT_HANDLE_IMS); /* entry 0 */
		ims_handle = st >> 8 & 0xffff;
		result((st & 0xff) == 0 && ims_handle == 0,
		       "2.0: request a handle for IMS entry 0: handle 0");
	}
	ims_ctrl(pasid << IMS_PASID_SHIFT | IMS_PASID_EN);
	result(ims_submit(at + 8192) == 1,
	       "IMS entry with PASID 7, descriptor of PASID 7: success");
	ims_ctrl((pasid + 1) << IMS_PASID_SHIFT | IMS_PASID_EN);
	result(ims_submit(at + 8192) == 0x19,
	       "IMS entry with PASID 8, descriptor of PASID 7: status 0x19");
	ims_ctrl((pasid + 1) << IMS_PASID_SHIFT);
	result(ims_submit(at + 8192) == 1,
	       "IMS entry, PASID not enabled: any PASID's descriptor: success");
}

/* The same with WQ 0 back on the requester ID: no PASID cannot match */
static void ims_rid_tests(void)
{
	ims_ctrl(7 << IMS_PASID_SHIFT | IMS_PASID_EN);
	result(ims_submit(to_dev(buf + 8192)) == 0x19,
	       "IMS entry with PASID 7, descriptor without PASID: status 0x19");
	ims_ctrl(0);
	if (v2)
		check_cmd(CMD_RELEASE_INT_HANDLE, INT_HANDLE_IMS | ims_handle, 0,
			  "2.0: release the IMS handle");
}

/* Reconfigure WQ 0 (dedicated, priority 1) with a PASID and privilege */
static uint32_t wq0_pasid(uint32_t pasid, int pasid_en, int priv)
{
	command(CMD_DISABLE_WQ, 1);
	wqcfg_write(0, 2, 1 | 1 << 4 | (pasid & 0xfffff) << 8 |
		    (uint32_t)!!pasid_en << 28 | (uint32_t)!!priv << 29);
	return command(CMD_ENABLE_WQ, 0) & 0xff;
}

/*
 * PASID-tagged DMA: WQ 0 takes the PASID and privilege of WQCFG. The
 * device's requester ID is attached to the IOAS that maps buf at iova;
 * the PASID to a second one that maps buf at unmapped_iova only, so
 * each address reaches buf through one of them and faults in the other.
 */
static void pasid_tests(const char *bdf)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c = (struct dsa_completion_record *)(buf + 8192);
	uint8_t *src = buf + 65536, *dst = buf + 131072;
	uint64_t pasid_iova = unmapped_iova;
	const uint32_t pasid = 7, stranger = 9;
	uint16_t ctrl = 0;
	char path[128];
	uint64_t sw;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	cfg_fd = open(path, O_RDWR);
	if (cfg_fd >= 0)
		pasid_cap = find_pasid_cap();
	if (pasid_cap)
		ctrl = cfg_rd16(pasid_cap + 6);
	printf("# PASID capability at 0x%x, control 0x%x\n", pasid_cap, ctrl);
	result(pasid_cap && (ctrl & 5) == 5,
	       "the IOMMU driver enabled PASID and privileged mode");

	i = attach_pasid(pasid, pasid_iova);
	if (i)
		perror("# attach PASID");
	result(!i, "PASID 7 attached to a second IOAS");

	for (i = 0; i < 4096; i++)
		src[i] = i * 13 + 1;
	result(wq0_pasid(pasid, 1, 0) == 0, "enable WQ 0 with PASID 7");

	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->completion_addr = pasid_iova + 8192;
	d->src_addr = pasid_iova + 65536;
	d->dst_addr = pasid_iova + 131072;
	d->xfer_size = 4096;
	memset(dst, 0, 4096);
	check_status(d, c, 1, "PASID 7: MEMMOVE through its IOAS: success");
	result(!memcmp(src, dst, 4096), "PASID 7: the bytes arrived");

	desc_init(d, DSA_OPCODE_MEMFILL, c);
	d->completion_addr = pasid_iova + 8192;
	d->pattern = 0x1122334455667788ull;
	d->dst_addr = to_dev(dst);
	d->xfer_size = 4096;
	memset(dst, 0, 4096);
	check_status(d, c, 0x83,
		     "PASID 7: a destination mapped for the RID only: page fault");
	result(c->fault_addr == to_dev(dst) && !dst[0] && !dst[4095],
	       "PASID 7: fault address, nothing written through the RID");
	d->dst_addr = pasid_iova + 131072;
	check_status(d, c, 1, "PASID 7: FILL through its IOAS: success");
	result(dst[0] == 0x88 && dst[4095] == 0x11, "PASID 7: the pattern");

	/* a PASID the IOMMU has no entry for */
	result(wq0_pasid(stranger, 1, 0) == 0, "enable WQ 0 with PASID 9");
	swerr_clear();
	memset(dst, 0, 4096);
	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->completion_addr = pasid_iova + 8192;
	d->src_addr = pasid_iova + 65536;
	d->dst_addr = pasid_iova + 131072;
	d->xfer_size = 4096;
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x1a &&
	       ((sw >> 40) & 0xfffff) == stranger &&
	       rd64(SWERR + 16) == pasid_iova + 8192 && !dst[0],
	       "PASID 9, not attached: SWERR 0x1a with PASID 9, nothing written");
	swerr_clear();

	/* wider than the IOMMU's PASIDs (ECAP.PSS) */
	result(wq0_pasid(0xfedcb, 1, 0) == 0, "enable WQ 0 with PASID 0xfedcb");
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x1a && !dst[0],
	       "PASID 0xfedcb: SWERR 0x1a, nothing written");
	swerr_clear();

	/* privileged requests while privileged mode is disabled */
	result(wq0_pasid(pasid, 1, 1) == 0, "enable WQ 0 with PASID 7, priv");
	check_status(d, c, 1, "PASID 7, priv: MEMMOVE: success");
	if (pasid_cap)
		cfg_wr16(pasid_cap + 6, ctrl & ~4);
	check_status(d, c, 0x1d,
		     "priv with privileged mode disabled: status 0x1d");

	/* requests with PASID while the PASID capability is disabled */
	if (pasid_cap)
		cfg_wr16(pasid_cap + 6, ctrl & ~5);
	dsa_movdir64b(bar2, d);
	sw = swerr_wait();
	result((sw & 1) && ((sw >> 8) & 0xff) == 0x1a,
	       "PASID capability disabled: SWERR 0x1a");
	swerr_clear();
	result(wq0_pasid(pasid, 1, 0) == 0x26,
	       "enable a PASID WQ, PASID disabled: error 0x26");
	if (pasid_cap)
		cfg_wr16(pasid_cap + 6, ctrl);
	result(wq0_pasid(pasid, 1, 0) == 0, "PASID enabled again: WQ 0 enabled");
	memset(dst, 0, 4096);
	check_status(d, c, 1, "and PASID 7 works again");
	result(!memcmp(src, dst, 4096), "with the right bytes");

	ims_pasid_tests(pasid, pasid_iova);

	/* back to the requester ID */
	result(wq0_pasid(0, 0, 0) == 0, "WQ 0 without PASID again");
	ims_rid_tests();
	if (cfg_fd >= 0)
		close(cfg_fd);
}

static void teardown_tests(void)
{
	check_cmd(CMD_DRAIN_WQ, 1 << 5, 0,
		  "drain a configured but disabled WQ (no error)");
	check_cmd(CMD_DRAIN_WQ, 1 << 15 | 1 << 16, 0x02,
		  "drain WQ 31 (does not exist): invalid WQ index (0x02)");
	check_cmd(CMD_ABORT_WQ, 1, 0, "abort WQ 0");
	check_cmd(CMD_RESET_WQ, 1, 0, "reset WQ 0");
	result((rd32(wqcfg) & 0xffff) == 16 && !rd32(wqcfg + 8) &&
	       !(rd32(wqcfg + 24) >> 30),
	       "reset WQ clears its configuration but its size, and its state");
	check_cmd(CMD_DRAIN_PASID, 5, 0, "drain PASID 5");
	check_cmd(CMD_DISABLE_DEVICE, 0, 0, "disable device");
	check_cmd(CMD_RESET_DEVICE, 0, 0, "reset device");
}

/* WQ 0 dedicated (16 entries) in group 0 with engine 0, enabled */
static bool enable_wq0(void)
{
	wqcfg_write(0, 0, 16);
	wqcfg_write(0, 2, 1 | 1 << 4);
	wqcfg_write(0, 3, 12 | 5 << 5);
	wr64(grpcfg, 1);
	wr64(grpcfg + 32, 1);
	return !(command(CMD_ENABLE_DEVICE, 0) & 0xff) &&
	       !(command(CMD_ENABLE_WQ, 0) & 0xff);
}

/* A verified 4 KiB MEMMOVE through WQ 0 */
static bool copy_works(void)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c = (struct dsa_completion_record *)(buf + 8192);
	uint8_t *src = buf + 65536, *dst = buf + 131072;

	for (int i = 0; i < 4096; i++)
		src[i] = i * 13 + 5;
	memset(dst, 0, 4096);
	desc_init(d, DSA_OPCODE_MEMMOVE, c);
	d->src_addr = to_dev(src);
	d->dst_addr = to_dev(dst);
	d->xfer_size = 4096;
	return dsa_submit(bar2, false, d, c) == 1 && !memcmp(src, dst, 4096);
}

/*
 * Halts: the device stops until the reset GENSTS.reset_type names. Reset
 * device gets out of a halt that asks for it, and fails (0x03) as every
 * other command does otherwise; a function level reset (VFIO_DEVICE_RESET,
 * since the device advertises FLR) gets out of any, and resets the IMS
 * table too. The device starts disabled (after teardown_tests()).
 */
static void halt_tests(void)
{
	struct dsa_hw_desc *d = (struct dsa_hw_desc *)buf;
	struct dsa_completion_record *c = (struct dsa_completion_record *)(buf + 8192);
	unsigned int ims = (rd64(TABLE_OFFSETS) >> 48 & 0xffff) * 0x100;
	uint32_t sts, cause;
	int i;

	vfio_pci_msix_enable(dev, 0, dev->msix_info.count);
	wr32(FAULT_INJECT, 1);
	sts = rd32(GENSTS);
	if ((sts & 3) != GENSTS_HALTED) {
		for (i = 0; i < NR_TESTS_HALT; i++)
			printf("ok %d halt # SKIP intel-dsa's x-fault-inject is off\n", ++test_n);
		vfio_pci_msix_disable(dev);
		return;
	}
	cause = rd32(INTCAUSE);
	result(sts == GENSTS_HALTED && (cause & INTCAUSE_HALT) && !msix_fired(0, 200),
	       "a halt (software reset type), halt interrupt off: GENSTS and INTCAUSE say so, vector 0 stays quiet");
	check_cmd(CMD_ENABLE_DEVICE, 0, 0x03, "halted: enable device fails (0x03)");
	check_cmd(CMD_RESET_DEVICE, 0, 0, "halted: reset device, as the reset type asks");
	result(rd32(GENSTS) == 0 && !rd32(INTCAUSE), "and the device is disabled, INTCAUSE clear");
	result(enable_wq0() && copy_works(), "configured and enabled again, it copies");

	wr32(GENCTRL, GENCTRL_HALT_EN);
	wr32(FAULT_INJECT, 1 | RESET_FLR << 2);
	sts = rd32(GENSTS);
	result(sts == (GENSTS_HALTED | RESET_FLR << 2) && (rd32(INTCAUSE) & INTCAUSE_HALT) &&
	       msix_fired(0, 1000),
	       "a halt that asks for an FLR: GENSTS says so, INTCAUSE.halt and vector 0");
	desc_init(d, DSA_OPCODE_NOOP, c);
	memset(c, 0, sizeof(*c));
	dsa_movdir64b(bar2, d);
	usleep(200000);
	result(!c->status && !(rd64(SWERR) & 1),
	       "halted: a portal write is dropped, no completion, no software error");
	check_cmd(CMD_RESET_DEVICE, 0, 0x03, "halted for an FLR: reset device fails (0x03)");
	result((vfio_pci_config_readl(dev, 0x40 + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR) != 0,
	       "the PCIe capability advertises FLR");
	/* An IMS entry unmasked, with a PASID: the FLR resets it */
	wr32(ims + 12, IMS_PASID_EN | 5 << IMS_PASID_SHIFT);
	result(!ioctl(dev->fd, VFIO_DEVICE_RESET) && rd32(GENSTS) == 0,
	       "VFIO_DEVICE_RESET (an FLR): the device is disabled, no longer halted");
	result(rd32(ims + 12) == IMS_MASK, "the FLR reset the IMS table (the entry is masked)");
	vfio_pci_cmd_set(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	result(enable_wq0() && copy_works(), "after the FLR, configured and enabled again, it copies");
	check_cmd(CMD_RESET_DEVICE, 0, 0, "reset device");
	vfio_pci_msix_disable(dev);
}

int main(int argc, char *argv[])
{
	struct iova_allocator *alloc;
	struct dma_region region;
	struct iommu *iommu;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	iommu = iommu_init("iommufd");
	dev = vfio_pci_device_init(argv[1], iommu);
	alloc = iova_allocator_init(iommu);

	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	VFIO_ASSERT_NE(buf, MAP_FAILED);
	region.vaddr = buf;
	region.size = 1 << 20;
	region.iova = iova_allocator_alloc(alloc, 1 << 20);
	iommu_map(iommu, &region);
	iova = region.iova;
	/* allocated, never mapped */
	unmapped_iova = iova_allocator_alloc(alloc, 1 << 20);

	vfio_pci_cmd_set(dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	bar0 = dev->bars[0].vaddr;
	bar2 = dev->bars[2].vaddr;
	v2 = rd32(VER) >= 0x200;
	if (argc > 3 && !strcmp(argv[2], "bench")) {
		printf("KTAP version 1\n1..%d\n", NR_TESTS_CONFIG + 1);
		config_tests();
		bench_msix(atol(argv[3]));
	} else {
		printf("KTAP version 1\n1..%d\n", v2 ? NR_TESTS_V2 : NR_TESTS_V1);
		printf("# DSA version 0x%x\n", rd32(VER));
		config_tests();
		descriptor_tests();
		int_handle_tests();
		pasid_tests(argv[1]);
		teardown_tests();
		halt_tests();
	}

	iommu_unmap(iommu, &region);
	munmap(buf, 1 << 20);
	iova_allocator_cleanup(alloc);
	vfio_pci_device_cleanup(dev);
	iommu_cleanup(iommu);
	printf("# Totals: pass:%d fail:%d\n", test_n - test_failed, test_failed);
	return test_failed ? 1 : 0;
}
