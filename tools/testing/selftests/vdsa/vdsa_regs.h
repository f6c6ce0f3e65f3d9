/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slow path of a vDSA seen through its VFIO regions: configuration
 * space and BAR0 accesses, admin commands, as a DSA's guest driver does
 * them.
 */
#ifndef VDSA_REGS_H
#define VDSA_REGS_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define VDSA_REGION(i)		((uint64_t)(i) << 40)
#define VDSA_CFG		VDSA_REGION(VFIO_PCI_CONFIG_REGION_INDEX)
#define VDSA_BAR0		VDSA_REGION(VFIO_PCI_BAR0_REGION_INDEX)

/* BAR0 registers (DSA architecture). */
#define R_VERSION	0x00
#define R_GENCAP	0x10
#define R_WQCAP		0x20
#define R_GRPCAP	0x30
#define R_ENGCAP	0x38
#define R_OPCAP		0x40
#define R_TABLE_OFF	0x60
#define R_GENCFG	0x80
#define R_GENCTRL	0x88
#define R_GENSTS	0x90
#define R_INTCAUSE	0x98
#define R_CMD		0xa0
#define R_CMDSTS	0xa8
#define R_CMDCAP	0xb0
#define R_SWERR		0xc0
/* The vDSA's tables (TABLE_OFFSETS, units of 0x100). */
#define R_GRPCFG	0x400
#define R_WQCFG		0x500
#define R_MSIX_PERM	0x600

#define GENCTRL_SOFTERR		(1u << 0)
#define GENCTRL_HALT		(1u << 1)
#define INTCAUSE_ERROR		(1u << 0)
#define INTCAUSE_COMMAND	(1u << 1)
#define INTCAUSE_HALT		(1u << 4)
#define CMD_INT_REQ		(1u << 31)
#define CMDSTS_ACTIVE		(1u << 31)

enum {
	C_ENABLE_DEVICE = 1, C_DISABLE_DEVICE, C_DRAIN_ALL, C_ABORT_ALL,
	C_RESET_DEVICE, C_ENABLE_WQ, C_DISABLE_WQ, C_DRAIN_WQ, C_ABORT_WQ,
	C_RESET_WQ, C_DRAIN_PASID, C_ABORT_PASID, C_REQUEST_INT_HANDLE,
	C_RELEASE_INT_HANDLE,
};

/* CMDSTS error codes. */
enum {
	E_INVALID_CMD = 0x01, E_INVALID_WQ = 0x02, E_DEVICE_ENABLED = 0x10,
	E_BUS_MASTER = 0x12, E_DEVICE_NOT_ENABLED = 0x20, E_WQ_ENABLED = 0x21,
	E_DISABLE_NOT_ENABLED = 0x31, E_WQ_NOT_ENABLED = 0x32,
	E_INVALID_INT_IDX = 0x41,
};

static inline int vdsa_rw(int fd, int write, uint64_t region, uint64_t off,
			  void *buf, size_t len)
{
	ssize_t n = write ? pwrite(fd, buf, len, region + off) :
			    pread(fd, buf, len, region + off);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

static inline uint32_t bar0_read32(int fd, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	vdsa_rw(fd, 0, VDSA_BAR0, off, &v, 4);
	return v;
}

static inline uint64_t bar0_read64(int fd, uint64_t off)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	vdsa_rw(fd, 0, VDSA_BAR0, off, &v, 8);
	return v;
}

static inline int bar0_write32(int fd, uint64_t off, uint32_t v)
{
	return vdsa_rw(fd, 1, VDSA_BAR0, off, &v, 4);
}

static inline int bar0_write64(int fd, uint64_t off, uint64_t v)
{
	return vdsa_rw(fd, 1, VDSA_BAR0, off, &v, 8);
}

static inline uint16_t cfg_read16(int fd, uint64_t off)
{
	uint16_t v = 0xdead;

	vdsa_rw(fd, 0, VDSA_CFG, off, &v, 2);
	return v;
}

static inline uint32_t cfg_read32(int fd, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	vdsa_rw(fd, 0, VDSA_CFG, off, &v, 4);
	return v;
}

static inline int cfg_write16(int fd, uint64_t off, uint16_t v)
{
	return vdsa_rw(fd, 1, VDSA_CFG, off, &v, 2);
}

static inline int cfg_write32(int fd, uint64_t off, uint32_t v)
{
	return vdsa_rw(fd, 1, VDSA_CFG, off, &v, 4);
}

/* Runs an admin command; returns CMDSTS, or ~0 if the write failed. */
static inline uint32_t vdsa_cmd(int fd, uint32_t code, uint32_t operand, int int_req)
{
	if (bar0_write32(fd, R_CMD, code << 20 | (operand & 0xfffff) |
			 (int_req ? CMD_INT_REQ : 0)))
		return ~0u;
	return bar0_read32(fd, R_CMDSTS);
}

/*
 * What a DSA driver does before submitting: memory decoding and bus
 * mastering on, device enabled, WQ 0 enabled. Returns 0 or the failing
 * CMDSTS (or a negative errno).
 */
static inline int vdsa_enable(int fd)
{
	uint32_t sts;
	int ret;

	ret = cfg_write16(fd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (ret)
		return ret;
	sts = vdsa_cmd(fd, C_ENABLE_DEVICE, 0, 0);
	if (sts)
		return sts;
	return vdsa_cmd(fd, C_ENABLE_WQ, 0, 0);
}

#endif
