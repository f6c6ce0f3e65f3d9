// SPDX-License-Identifier: GPL-2.0
/*
 * vdsa_copy: copy memory through a vDSA, the way a VFIO program drives it.
 *
 * usage: vdsa_copy UUID
 *
 * Opens the mediated device UUID (a vDSA of idxd_vdcm, created through
 * sysfs) through its VFIO character device, binds it to a fresh iommufd,
 * maps two buffers into a fresh I/O address space (IOAS) and attaches the
 * vDSA to it, enables the device and its WQ through the emulated control
 * registers (BAR 0) as a DSA driver does, maps the vDSA's portal (BAR 2,
 * page 1) and submits one
 * MEMMOVE descriptor with MOVDIR64B, whose addresses are I/O virtual
 * addresses. The device's DMA, tagged with the vDSA's host PASID, is
 * translated through that IOAS. Every step is printed; the exit status is
 * 0 only if the copy arrived byte for byte.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "../../tools/testing/selftests/vdsa/dsa_desc.h"

#define PAGE		4096UL
#define IOVA		0x100000UL	/* where the buffers appear to the vDSA */
#define COPY_BYTES	PAGE

/* Offsets in BAR 0 and command codes of the DSA architecture. */
#define GENSTS		0x90
#define CMD		0xa0
#define CMDSTS		0xa8
#define WQCFG_STATE	0x518	/* WQ 0's WQCFG, dword 6 */
#define ENABLE_DEVICE	1
#define ENABLE_WQ	6

/* Region @index of the device file: pread/pwrite of @len bytes at @off. */
static int region_rw(int fd, int write, const struct vfio_region_info *r,
		     uint64_t off, void *buf, size_t len)
{
	ssize_t n = write ? pwrite(fd, buf, len, r->offset + off) :
			    pread(fd, buf, len, r->offset + off);

	return n == (ssize_t)len ? 0 : -1;
}

/* Runs an admin command through BAR 0; returns CMDSTS (0: success). */
static int command(int fd, const struct vfio_region_info *bar0, uint32_t code,
		   uint32_t operand)
{
	uint32_t cmd = code << 20 | operand, sts;

	if (region_rw(fd, 1, bar0, CMD, &cmd, 4) ||
	    region_rw(fd, 0, bar0, CMDSTS, &sts, 4))
		return -1;
	return sts;
}

static int fail(const char *what)
{
	fprintf(stderr, "vdsa_copy: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The VFIO character device of mdev @uuid, in @node. */
static int find_cdev(const char *uuid, char *node, size_t size)
{
	char path[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	d = opendir(path);
	if (!d)
		return -1;
	node[0] = 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(node, size, "/dev/vfio/devices/%s", de->d_name);
	closedir(d);
	if (!node[0])
		errno = ENOENT;
	return node[0] ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_region_info bar2 = {
		.argsz = sizeof(bar2),
		.index = VFIO_PCI_BAR2_REGION_INDEX,
	};
	struct vfio_region_info bar0 = {
		.argsz = sizeof(bar0),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.iova = IOVA,
		.length = 2 * PAGE,
	};
	struct dsa_completion_record *rec;
	struct dsa_hw_desc desc;
	unsigned char *mem, *src, *dst;
	int fd, iommufd;
	int status;
	uint32_t id, val;
	uint16_t pcicmd;
	char node[300];
	void *portal;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s UUID\n", argv[0]);
		return 2;
	}
	if (find_cdev(argv[1], node, sizeof(node)))
		return fail("no VFIO device for this UUID");
	fd = open(node, O_RDWR);
	if (fd < 0)
		return fail(node);
	printf("opened %s\n", node);

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		return fail("/dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail("VFIO_DEVICE_BIND_IOMMUFD");
	printf("bound to an iommufd: device id %u\n", bind.out_devid);

	/* Page 0: source and completion record; page 1: destination. */
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap of the buffers");
	src = mem;
	dst = mem + PAGE;
	rec = (void *)(mem + COPY_BYTES / 2);
	for (i = 0; i < COPY_BYTES / 2; i++)
		src[i] = (unsigned char)(i * 7 + 3);
	memset(dst, 0, PAGE);

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return fail("IOMMU_IOAS_ALLOC");
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)mem;
	if (ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		return fail("IOMMU_IOAS_MAP");
	printf("IOAS %u maps the buffers at IOVA %#lx\n", map.ioas_id, IOVA);
	attach.pt_id = alloc.out_ioas_id;
	if (ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	/* iommufd answers with the page table it made for the IOAS. */
	printf("vDSA attached to IOAS %u (page table %u): its DMA is translated there\n",
	       alloc.out_ioas_id, attach.pt_id);

	/* The slow path: the configuration space and BAR 0 are emulated. */
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &bar0))
		return fail("VFIO_DEVICE_GET_REGION_INFO (config, BAR 0)");
	if (region_rw(fd, 0, &cfg, PCI_VENDOR_ID, &id, 4))
		return fail("reading the configuration space");
	printf("config space: vendor %04x device %04x\n", id & 0xffff, id >> 16);
	pcicmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (region_rw(fd, 1, &cfg, PCI_COMMAND, &pcicmd, 2))
		return fail("writing the command register");
	status = command(fd, &bar0, ENABLE_DEVICE, 0);
	if (region_rw(fd, 0, &bar0, GENSTS, &val, 4))
		return fail("reading GENSTS");
	printf("enable device: CMDSTS %#x, GENSTS %#x\n", status, val);
	if (status)
		return 1;
	status = command(fd, &bar0, ENABLE_WQ, 0);
	if (region_rw(fd, 0, &bar0, WQCFG_STATE, &val, 4))
		return fail("reading WQCFG");
	printf("enable WQ 0: CMDSTS %#x, WQ state %u\n", status, val >> 30);
	if (status)
		return 1;

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &bar2))
		return fail("VFIO_DEVICE_GET_REGION_INFO (BAR 2)");
	printf("BAR 2: %llu bytes at offset %#llx, flags %#x\n",
	       (unsigned long long)bar2.size, (unsigned long long)bar2.offset,
	       bar2.flags);
	portal = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, fd, bar2.offset + PAGE);
	if (portal == MAP_FAILED)
		return fail("mmap of the portal");
	printf("portal mapped at %p\n", portal);

	/* Copy the first half of page 0 (the record lies in its second half). */
	dsa_desc_init(&desc, DSA_OPCODE_MEMMOVE, IOVA + COPY_BYTES / 2);
	desc.src_addr = IOVA;
	desc.dst_addr = IOVA + PAGE;
	desc.xfer_size = COPY_BYTES / 2;
	status = dsa_submit(portal, false, &desc, rec);
	printf("MEMMOVE of %lu bytes, IOVA %#lx -> %#lx: completion status %#x\n",
	       COPY_BYTES / 2, IOVA, IOVA + PAGE, status);
	if (status != DSA_COMP_SUCCESS)
		return 1;
	if (memcmp(src, dst, COPY_BYTES / 2)) {
		printf("the destination differs from the source\n");
		return 1;
	}
	printf("the destination matches the source byte for byte\n");

	munmap(portal, PAGE);
	close(fd);
	close(iommufd);
	return 0;
}
