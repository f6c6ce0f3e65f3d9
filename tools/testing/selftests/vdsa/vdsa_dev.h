/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An open vDSA as the tests use it: created through sysfs, opened through
 * its VFIO cdev and a fresh iommufd and IOAS (or its group and the
 * container iommufd emulates), its memory mapped at IOVA_BASE, its portal
 * mapped and, as a DSA driver would, its device and WQ enabled through the
 * emulated BAR0.
 */
#ifndef VDSA_DEV_H
#define VDSA_DEV_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "dsa_desc.h"
#include "iommufd_util.h"

#define MDEV_UUID_PREFIX	"7d5a0000"
#include "mdev_util.h"
#include "vdsa_regs.h"

#define TYPE		"idxd_vdcm-1dwq-v1"

#define REGION(i)	((uint64_t)(i) << 40)
#define BAR2		REGION(VFIO_PCI_BAR2_REGION_INDEX)
#define PAGE		4096UL
#define BAR2_SIZE	(4 * PAGE)

/* Each vDSA's memory: NPAGES pages at IOVA_BASE in its IOAS. */
#define IOVA_BASE	0x40000000UL
#define NPAGES		48
#define COMPL_PAGE	0	/* up to 128 completion records */
#define SRC_PAGE	8	/* 16 source pages */
#define DST_PAGE	24	/* 16 destination pages */
#define IOVA(p)		(IOVA_BASE + (p) * PAGE)
/* An IOVA no IOAS maps */
#define IOVA_UNMAPPED	0x7f000000UL
/* A page mapped, then unmapped */
#define IOVA_EXTRA	0x50000000UL

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char bdf[64], debugfs[256];
/*
 * The vDSAs are of type idxd_vdcm-1swq-v1 (VDSA_TYPE=1swq-v1 in the
 * environment): their portals are never mapped, descriptors are written
 * with pwrite().
 */
static int vdsa_trapped_type;

/*
 * Test the DSA @pci_bdf: its BDF in bdf, the driver's debugfs config file
 * of it in debugfs, its vDSA type in types_dir (TYPE, or the one VDSA_TYPE
 * names).
 */
static inline void select_dsa(const char *pci_bdf)
{
	const char *type = getenv("VDSA_TYPE");

	vdsa_trapped_type = type && !strcmp(type, "1swq-v1");
	snprintf(bdf, sizeof(bdf), "%s", pci_bdf);
	snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/idxd_vdcm-%s/config", bdf);
	snprintf(types_dir, sizeof(types_dir),
		 "/sys/bus/pci/devices/%s/mdev_supported_types/%s", bdf,
		 vdsa_trapped_type ? "idxd_vdcm-1swq-v1" : TYPE);
}

/* A host job through the driver's debugfs submit file; 0 or -errno. */
static inline int host_job(const char *spec)
{
	char path[300];

	snprintf(path, sizeof(path), "/sys/kernel/debug/idxd_vdcm-%s/submit", bdf);
	return write_str(path, spec);
}

/* A number after @key in the driver's debugfs config file; -1 if absent. */
static inline long long config_value(const char *key)
{
	char buf[4096], *p;
	size_t klen = strlen(key);

	if (read_str(debugfs, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoll(p + klen + 1, NULL, 0);
	return -1;
}

/*
 * An open vDSA: its VFIO device, its iommufd and IOAS (or its container),
 * its memory and its mapped portal (page 1 of BAR 2, the limited portal).
 */
struct vdsa {
	int fd;
	int iommufd;
	uint32_t ioas;
	int container, group;
	uint8_t *mem;
	void *portal;
};

static inline void vdsa_init(struct vdsa *v)
{
	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->iommufd = -1;
	v->container = -1;
	v->group = -1;
	v->portal = MAP_FAILED;
	v->mem = MAP_FAILED;
}

static inline void vdsa_close(struct vdsa *v)
{
	if (v->portal != MAP_FAILED)
		munmap(v->portal, PAGE);
	if (v->fd >= 0)
		close(v->fd);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	if (v->iommufd >= 0)
		close(v->iommufd);
	if (v->mem != MAP_FAILED)
		munmap(v->mem, NPAGES * PAGE);
	vdsa_init(v);
}

static inline int alloc_mem(struct vdsa *v)
{
	v->mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return v->mem == MAP_FAILED ? -errno : 0;
}

static inline int map_portal(struct vdsa *v)
{
	v->portal = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, v->fd, BAR2 + PAGE);
	return v->portal == MAP_FAILED ? -errno : 0;
}

/*
 * Open the vDSA @uuid through its cdev, bind a fresh iommufd, attach a
 * fresh IOAS that maps its memory at IOVA_BASE; if @portal, map the portal
 * (unless the type's is trapped) and enable the device and its WQ.
 */
static inline int cdev_open(const char *uuid, struct vdsa *v, int portal)
{
	int ret;

	vdsa_init(v);
	ret = mdev_cdev_bind(uuid, &v->fd, &v->iommufd);
	if (!ret)
		ret = alloc_mem(v);
	if (!ret)
		ret = ioas_alloc(v->iommufd, &v->ioas);
	if (!ret)
		ret = ioas_map(v->iommufd, v->ioas, v->mem, IOVA_BASE, NPAGES * PAGE);
	if (!ret)
		ret = attach_pt(v->fd, v->ioas);
	if (!ret && portal && !vdsa_trapped_type)
		ret = map_portal(v);
	/* Enabled as the guest's driver would, through BAR0. */
	if (!ret && portal && vdsa_enable(v->fd))
		ret = -EIO;
	if (ret)
		vdsa_close(v);
	return ret;
}

/* The same through the legacy group and the container iommufd emulates. */
static inline int group_open(const char *uuid, struct vdsa *v)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	int ret;

	vdsa_init(v);
	ret = mdev_group_container(uuid, &v->group, &v->container);
	if (!ret)
		ret = alloc_mem(v);
	if (ret)
		goto err_ret;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)v->mem;
	map.iova = IOVA_BASE;
	map.size = NPAGES * PAGE;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map))
		goto err;
	v->fd = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->fd < 0)
		goto err;
	ret = map_portal(v);
	if (!ret && vdsa_enable(v->fd))
		ret = -EIO;
	if (ret)
		goto err_ret;
	return 0;
err:
	ret = -errno;
err_ret:
	vdsa_close(v);
	return ret;
}

/* Signals interrupts [start, start + n) of @index through the eventfds @fds. */
static inline int vfio_set_eventfds(int fd, unsigned int index, unsigned int start,
				    unsigned int n, const int *fds)
{
	char buf[sizeof(struct vfio_irq_set) + 4 * 8];
	struct vfio_irq_set *s = (void *)buf;

	if (n > 8)
		return -EINVAL;
	s->argsz = sizeof(*s) + 4 * n;
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = index;
	s->start = start;
	s->count = n;
	memcpy(s->data, fds, 4 * n);
	return ioctl(fd, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

/* VFIO_DEVICE_FEATURE with @flags and @len bytes of @data, read back. */
static inline int vfio_feature(int fd, uint32_t flags, void *data, size_t len)
{
	char buf[sizeof(struct vfio_device_feature) + 64];
	struct vfio_device_feature *f = (void *)buf;

	if (len > 64)
		return -EINVAL;
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	if (ioctl(fd, VFIO_DEVICE_FEATURE, f))
		return -errno;
	memcpy(data, f->data, len);
	return 0;
}

/* Sets the migration state; returns the data fd, -1 without one, or -errno. */
static inline int mig_set_state(int fd, uint32_t state)
{
	struct vfio_device_feature_mig_state s = { .device_state = state, .data_fd = -1 };
	int ret = vfio_feature(fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
			       &s, sizeof(s));

	return ret ? ret : s.data_fd;
}

/* The migration state, or -errno. */
static inline int mig_get_state(int fd)
{
	struct vfio_device_feature_mig_state s = {};
	int ret = vfio_feature(fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
			       &s, sizeof(s));

	return ret ? ret : (int)s.device_state;
}

static inline struct dsa_completion_record *compl(struct vdsa *v, int i)
{
	return (void *)(v->mem + COMPL_PAGE * PAGE + i * 32);
}

static inline uint64_t compl_iova(int i)
{
	return IOVA(COMPL_PAGE) + i * 32;
}

/*
 * Submit @d (its record is record 0) and wait for the record: through the
 * mapped portal, or written to page 1 of BAR 2 if it is not mapped.
 */
static inline uint8_t submit(struct vdsa *v, struct dsa_hw_desc *d)
{
	if (v->portal != MAP_FAILED)
		return dsa_submit(v->portal, false, d, compl(v, 0));
	memset(compl(v, 0), 0, sizeof(struct dsa_completion_record));
	if (pwrite(v->fd, d, sizeof(*d), BAR2 + PAGE) != sizeof(*d))
		return 0;
	return dsa_wait(compl(v, 0), DSA_WAIT_MS);
}

static inline uint8_t memmove_iova(struct vdsa *v, uint64_t src, uint64_t dst,
			    uint32_t len)
{
	struct dsa_hw_desc d;

	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(0));
	d.src_addr = src;
	d.dst_addr = dst;
	d.xfer_size = len;
	return submit(v, &d);
}

static inline void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static inline int all_bytes(const uint8_t *p, size_t len, uint8_t b)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != b)
			return 0;
	return 1;
}

static inline uint8_t *page(struct vdsa *v, int p)
{
	return v->mem + p * PAGE;
}

#endif
