// SPDX-License-Identifier: GPL-2.0
/*
 * The Rust mdev sample (samples/rust/rust_mdev.rs) driven through VFIO: type
 * attributes, creation through sysfs, the VFIO device cdev bound to iommufd
 * and the legacy group/container path, device/region/irq information, config
 * space and register accesses, the doorbell interrupt through an eventfd,
 * mmap of the page BAR, bad arguments, removal while open, instance limits,
 * create/open/close/remove cycles and module unload.
 *
 * Output: TAP, one line per check.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd_util.h"

#define MDEV_UUID_PREFIX	"5a6b7c8d"
#include "mdev_util.h"

#define PARENT		"/sys/class/mdev_bus/rust_mdev"
#define MAX_INSTANCES	4
#define CYCLES		100

#define REGION_SHIFT	40
#define REGION(i)	((uint64_t)(i) << REGION_SHIFT)
#define CFG		REGION(VFIO_PCI_CONFIG_REGION_INDEX)
#define BAR0		REGION(VFIO_PCI_BAR0_REGION_INDEX)
#define BAR1		REGION(VFIO_PCI_BAR1_REGION_INDEX)

#define BAR0_ID		0x00
#define BAR0_SCRATCH	0x04
#define BAR0_DOORBELL	0x08
#define BAR0_IRQ_COUNT	0x0c
#define BAR0_DMA_ADDR_LO	0x10
#define BAR0_DMA_ADDR_HI	0x14
#define BAR0_DMA_GO	0x18
#define BAR0_DMA_STATUS	0x1c
#define BAR0_PIN	0x20
#define BAR0_PINNED	0x24
#define BAR0_UNMAP_COUNT	0x28
#define DMA_IOVA	0x100000
#define BAR0_ID_VALUE	0x444d5352


static int type_attr(const char *attr, char *buf, size_t size)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", types_dir, attr);
	return read_str(path, buf, size);
}

static long available(void)
{
	char buf[32];

	if (type_attr("available_instances", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* A device opened through its cdev and bound to a fresh iommufd. */
struct cdev {
	int iommufd;
	int fd;
	uint32_t ioas;
};

static void cdev_close(struct cdev *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->iommufd >= 0)
		close(c->iommufd);
	c->fd = -1;
	c->iommufd = -1;
}

static int cdev_open(const char *uuid, struct cdev *c)
{
	int ret;

	ret = mdev_cdev_bind(uuid, &c->fd, &c->iommufd);
	if (!ret)
		ret = ioas_alloc(c->iommufd, &c->ioas);
	if (!ret)
		ret = attach_pt(c->fd, c->ioas);
	if (ret)
		cdev_close(c);
	return ret;
}

static int rd(int fd, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static int wr(int fd, uint64_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(fd, buf, len, off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

static uint32_t rd32(int fd, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	rd(fd, off, &v, 4);
	return v;
}

static int wr32(int fd, uint64_t off, uint32_t v)
{
	return wr(fd, off, &v, 4);
}

/* Whether the eventfd fires within ms milliseconds; consumes the count. */
/* VFIO_DEVICE_SET_IRQS on INTx with up to one element of data. */
static int set_irqs(int fd, uint32_t flags, uint32_t index, uint32_t start,
		    uint32_t count, const void *data, size_t size)
{
	char buf[sizeof(struct vfio_irq_set) + 16] = { 0 };
	struct vfio_irq_set *s = (void *)buf;

	s->argsz = sizeof(*s) + size;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (size)
		memcpy(s->data, data, size);
	return ioctl(fd, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

static int region_info(int fd, uint32_t index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

static void test_types(void)
{
	char buf[256];
	struct dirent *de;
	DIR *d;

	result(system("modprobe rust_mdev") == 0, "module loads");
	d = opendir(PARENT "/mdev_supported_types");
	types_dir[0] = 0;
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				snprintf(types_dir, sizeof(types_dir),
					 PARENT "/mdev_supported_types/%s", de->d_name);
		closedir(d);
	}
	result(!!strstr(types_dir, "-rust_mdev-1"),
	       "type rust_mdev-1 under mdev_supported_types (%s)", types_dir);
	result(!type_attr("name", buf, sizeof(buf)) && !strcmp(buf, "Rust sample device"),
	       "type name attribute");
	result(!type_attr("device_api", buf, sizeof(buf)) && !strcmp(buf, "vfio-pci"),
	       "type device_api attribute is vfio-pci");
	result(!type_attr("description", buf, sizeof(buf)) && strstr(buf, "emulated PCI device"),
	       "type description attribute");
	result(available() == MAX_INSTANCES, "available_instances is %d", MAX_INSTANCES);
}

static void test_info(int fd, const char *path)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_region_info r;
	struct {
		struct vfio_region_info info;
		char caps[256];
	} big;
	struct vfio_region_info_cap_sparse_mmap *sparse;
	int ret = ioctl(fd, VFIO_DEVICE_GET_INFO, &info);

	result(!ret && (info.flags & VFIO_DEVICE_FLAGS_PCI) &&
	       (info.flags & VFIO_DEVICE_FLAGS_RESET) &&
	       info.num_regions == VFIO_PCI_NUM_REGIONS && info.num_irqs == VFIO_PCI_NUM_IRQS,
	       "%s: GET_INFO: PCI, reset, %u regions, %u irqs", path, info.num_regions,
	       info.num_irqs);
	result(!region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &r) && r.size == 256 &&
	       r.offset == CFG &&
	       r.flags == (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	       "%s: GET_REGION_INFO config space: 256 bytes, read/write", path);
	result(!region_info(fd, VFIO_PCI_BAR0_REGION_INDEX, &r) && r.size == 4096 &&
	       r.offset == BAR0 && !(r.flags & VFIO_REGION_INFO_FLAG_MMAP),
	       "%s: GET_REGION_INFO BAR0: 4096 bytes, not mappable", path);
	result(!region_info(fd, VFIO_PCI_BAR1_REGION_INDEX, &r) &&
	       r.size == (uint64_t)getpagesize() && (r.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	       (r.flags & VFIO_REGION_INFO_FLAG_CAPS) && r.argsz > sizeof(r),
	       "%s: GET_REGION_INFO BAR1: one page, mappable, capabilities need %u bytes",
	       path, r.argsz);
	memset(&big, 0, sizeof(big));
	big.info.argsz = sizeof(big);
	big.info.index = VFIO_PCI_BAR1_REGION_INDEX;
	if (!ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &big) &&
	    big.info.cap_offset >= sizeof(big.info))
		sparse = (void *)((char *)&big + big.info.cap_offset);
	else
		sparse = NULL;
	result(sparse && sparse->header.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP &&
	       sparse->nr_areas == 1 && sparse->areas[0].offset == 0 &&
	       sparse->areas[0].size == (uint64_t)getpagesize(),
	       "%s: BAR1 sparse mmap capability: one area, the whole page", path);
	result(region_info(fd, VFIO_PCI_NUM_REGIONS, &r) == -EINVAL,
	       "%s: GET_REGION_INFO of a region past the last fails (EINVAL)", path);
	irq.index = VFIO_PCI_INTX_IRQ_INDEX;
	result(!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) && irq.count == 1 &&
	       (irq.flags & VFIO_IRQ_INFO_EVENTFD) && (irq.flags & VFIO_IRQ_INFO_MASKABLE),
	       "%s: GET_IRQ_INFO INTx: one eventfd-capable, maskable interrupt", path);
	irq.index = VFIO_PCI_MSI_IRQ_INDEX;
	result(!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) && irq.count == 0,
	       "%s: GET_IRQ_INFO MSI: none", path);
	irq.index = VFIO_PCI_REQ_IRQ_INDEX;
	result(!ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) && irq.count == 1 &&
	       (irq.flags & VFIO_IRQ_INFO_EVENTFD),
	       "%s: GET_IRQ_INFO request: one eventfd-capable interrupt", path);
	irq.index = VFIO_PCI_NUM_IRQS;
	result(ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) && errno == EINVAL,
	       "%s: GET_IRQ_INFO of an index past the last fails (EINVAL)", path);
}

static void test_config(int fd, const char *path)
{
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	uint8_t v8 = 0;

	result(!rd(fd, CFG + 0, &v16, 2) && v16 == 0x1b36, "%s: config vendor ID 0x1b36", path);
	result(!rd(fd, CFG + 2, &v16, 2) && v16 == 0x00ff, "%s: config device ID 0x00ff", path);
	result(!rd(fd, CFG + 0, &v32, 4) && v32 == 0x00ff1b36, "%s: config 32-bit ID read", path);
	result(!rd(fd, CFG + 0x3d, &v8, 1) && v8 == 1, "%s: config interrupt pin INTA", path);
	v32 = 0xffffffff;
	result(!wr(fd, CFG + 0x10, &v32, 4) && !rd(fd, CFG + 0x10, &v32, 4) && v32 == 0xfffff000,
	       "%s: config BAR0 sizing reads back 0xfffff000", path);
}

static void test_regs_irq(int fd)
{
	int efd = eventfd(0, EFD_NONBLOCK), nfd, one = 1;
	int32_t fd32;
	uint8_t yes = 1;

	result(rd32(fd, BAR0 + BAR0_ID) == BAR0_ID_VALUE, "BAR0 ID register");
	result(!wr32(fd, BAR0 + BAR0_SCRATCH, 0x12345678) &&
	       rd32(fd, BAR0 + BAR0_SCRATCH) == 0x12345678, "BAR0 scratch register write/read");

	fd32 = efd;
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4),
	       "SET_IRQS: INTx trigger through an eventfd");
	result(!wr32(fd, BAR0 + BAR0_DOORBELL, 1) && fired(efd, 1000),
	       "doorbell write signals the eventfd");
	result(rd32(fd, BAR0 + BAR0_IRQ_COUNT) == 1, "IRQ_COUNT register counts it");
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0) &&
	       !wr32(fd, BAR0 + BAR0_DOORBELL, 1) && !fired(efd, 100),
	       "SET_IRQS mask: a doorbell does not signal");
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_UNMASK,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &yes, 1) && fired(efd, 1000),
	       "SET_IRQS unmask (bool): the pending interrupt is signalled");
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0) && fired(efd, 1000),
	       "SET_IRQS trigger (none): a software interrupt is signalled");
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &yes, 1) && fired(efd, 1000),
	       "SET_IRQS trigger (bool): a software interrupt is signalled");
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 0, NULL, 0) &&
	       !wr32(fd, BAR0 + BAR0_DOORBELL, 1) && !fired(efd, 100),
	       "SET_IRQS trigger with count 0 disables signalling");
	result(rd32(fd, BAR0 + BAR0_IRQ_COUNT) == 5, "IRQ_COUNT register is 5");

	/* Bad SET_IRQS arguments. */
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_NUM_IRQS, 0, 1, NULL, 0) == -EINVAL,
	       "SET_IRQS on an index past the last fails (EINVAL)");
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0) == -EINVAL,
	       "SET_IRQS on an index without interrupts fails (EINVAL)");
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_INTX_IRQ_INDEX, 1, 1, NULL, 0) == -EINVAL,
	       "SET_IRQS past the index's interrupts fails (EINVAL)");
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER |
			VFIO_IRQ_SET_ACTION_MASK, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
			NULL, 0) == -EINVAL,
	       "SET_IRQS with two actions fails (EINVAL)");
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
			&yes, 1) == -EINVAL,
	       "SET_IRQS with two data types fails (EINVAL)");
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 2) == -EINVAL,
	       "SET_IRQS with argsz too small for the data fails (EINVAL)");
	nfd = open("/dev/null", O_RDONLY);
	fd32 = nfd;
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4) == -EINVAL,
	       "SET_IRQS with a file that is not an eventfd fails (EINVAL)");
	close(nfd);
	fd32 = 1000;
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4) == -EBADF,
	       "SET_IRQS with a closed file descriptor fails (EBADF)");
	fd32 = efd;
	result(set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
			VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4) == -EINVAL,
	       "SET_IRQS unmask through an eventfd is refused (EINVAL)");

	/* The eventfd stays usable after the reset; the registers do not. */
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4) &&
	       !ioctl(fd, VFIO_DEVICE_RESET) && rd32(fd, BAR0 + BAR0_SCRATCH) == 0 &&
	       rd32(fd, BAR0 + BAR0_IRQ_COUNT) == 0,
	       "RESET clears the registers");
	/* Closing the eventfd while it is set up: the device keeps its own reference. */
	close(efd);
	result(!wr32(fd, BAR0 + BAR0_DOORBELL, one), "doorbell after the eventfd was closed");
	fd32 = -1;
	result(!set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd32, 4),
	       "SET_IRQS with fd -1 tears the eventfd down");
}

static void test_mmap(int fd)
{
	long page = getpagesize();
	uint32_t *p;
	void *m;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, BAR1);
	result(p != MAP_FAILED, "mmap of BAR1 (one page)");
	if (p != MAP_FAILED) {
		p[0] = 0xcafef00d;
		p[page / 4 - 1] = 0x600df00d;
		munmap((void *)p, page);
	}
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, BAR1);
	result(p != MAP_FAILED && p[0] == 0xcafef00d && p[page / 4 - 1] == 0x600df00d,
	       "a second mapping sees what the first wrote");
	if (p != MAP_FAILED)
		munmap((void *)p, page);
	m = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, BAR1);
	result(m == MAP_FAILED && errno == EINVAL, "mmap of two pages of BAR1 fails (EINVAL)");
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, BAR1 + page);
	result(m == MAP_FAILED && errno == EINVAL, "mmap past BAR1 fails (EINVAL)");
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, BAR0);
	result(m == MAP_FAILED && errno == EINVAL, "mmap of BAR0 fails (EINVAL)");
}

static void test_dma(struct cdev *c)
{
	long page = getpagesize();
	uint32_t *buf;

	buf = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!result(buf != MAP_FAILED, "a buffer for DMA"))
		return;
	result(!ioas_map(c->iommufd, c->ioas, buf, DMA_IOVA, page),
	       "IOAS_MAP of the buffer at IOVA 0x%x", DMA_IOVA);
	wr32(c->fd, BAR0 + BAR0_SCRATCH, 0xfeedbeef);
	wr32(c->fd, BAR0 + BAR0_DMA_ADDR_LO, DMA_IOVA + 4);
	wr32(c->fd, BAR0 + BAR0_DMA_ADDR_HI, 0);
	result(!wr32(c->fd, BAR0 + BAR0_DMA_GO, 1) && rd32(c->fd, BAR0 + BAR0_DMA_STATUS) == 0 &&
	       buf[1] == 0xfeedbeef && buf[0] == 0 && buf[2] == 0,
	       "device DMA write through the emulated IOMMU lands in the buffer");
	wr32(c->fd, BAR0 + BAR0_DMA_ADDR_LO, DMA_IOVA + page);
	result(!wr32(c->fd, BAR0 + BAR0_DMA_GO, 1) && rd32(c->fd, BAR0 + BAR0_DMA_STATUS) != 0,
	       "device DMA to an unmapped IOVA fails");
	wr32(c->fd, BAR0 + BAR0_DMA_ADDR_LO, DMA_IOVA);
	result(!wr32(c->fd, BAR0 + BAR0_PIN, 1) && rd32(c->fd, BAR0 + BAR0_DMA_STATUS) == 0 &&
	       rd32(c->fd, BAR0 + BAR0_PINNED) == 1, "the device pins a page of the buffer");
	result(!ioas_unmap(c->iommufd, c->ioas, DMA_IOVA, page) &&
	       rd32(c->fd, BAR0 + BAR0_PINNED) == 0 && rd32(c->fd, BAR0 + BAR0_UNMAP_COUNT) == 1,
	       "IOAS_UNMAP makes the device give the pinned page back (dma_unmap)");
	result(!wr32(c->fd, BAR0 + BAR0_DMA_GO, 1) && rd32(c->fd, BAR0 + BAR0_DMA_STATUS) != 0 &&
	       buf[0] == 0, "device DMA after the unmap fails");
	result(!wr32(c->fd, BAR0 + BAR0_PIN, 1) && rd32(c->fd, BAR0 + BAR0_DMA_STATUS) != 0 &&
	       rd32(c->fd, BAR0 + BAR0_PINNED) == 0, "pinning an unmapped page fails");
	/* Left pinned: closing the device gives it back. */
	result(!ioas_map(c->iommufd, c->ioas, buf, DMA_IOVA, page) &&
	       !wr32(c->fd, BAR0 + BAR0_PIN, 1) &&
	       rd32(c->fd, BAR0 + BAR0_PINNED) == 1, "map and pin again, for close to release");
	munmap(buf, page);
}

static void test_bad_access(int fd)
{
	struct vfio_device_info info = { .argsz = 8 };
	uint32_t v = 0;

	result(rd(fd, CFG + 256, &v, 1) == -EINVAL, "config read past the end fails (EINVAL)");
	result(rd(fd, CFG + 254, &v, 4) == -EINVAL, "config read across the end fails (EINVAL)");
	result(rd(fd, CFG + 0, &v, 3) == -EINVAL, "config read of 3 bytes fails (EINVAL)");
	result(rd(fd, CFG + 1, &v, 2) == -EINVAL, "unaligned config read fails (EINVAL)");
	result(rd(fd, BAR0 + 0, &v, 2) == -EINVAL, "16-bit BAR0 read fails (EINVAL)");
	result(wr(fd, BAR0 + 4096, &v, 4) == -EINVAL, "BAR0 write past the end fails (EINVAL)");
	result(rd(fd, REGION(VFIO_PCI_NUM_REGIONS), &v, 4) == -EINVAL,
	       "read of a region past the last fails (EINVAL)");
	result(rd(fd, BAR1, &v, 4) == -EINVAL, "read(2) of the mmap-only BAR1 fails (EINVAL)");
	result(ioctl(fd, VFIO_DEVICE_GET_INFO, &info) && errno == EINVAL,
	       "GET_INFO with argsz too small fails (EINVAL)");
	result(ioctl(fd, _IO(VFIO_TYPE, VFIO_BASE + 60)) && errno == ENOTTY,
	       "unknown ioctl fails (ENOTTY)");
}

static int group_open(const char *uuid, int *container, int *group)
{
	int fd, ret;

	ret = mdev_group_container(uuid, group, container);
	if (ret)
		return ret;
	fd = ioctl(*group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return fd < 0 ? -errno : fd;
}

static void test_remove_while_open(const char *uuid)
{
	int status = -1, req = eventfd(0, EFD_NONBLOCK);
	int32_t fd32 = req;
	struct cdev c;
	pid_t pid;

	if (!result(!cdev_open(uuid, &c), "open again for the removal test"))
		return;
	result(!set_irqs(c.fd, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			 VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd32, 4),
	       "SET_IRQS: device request through an eventfd");
	result(set_irqs(c.fd, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0) == -EINVAL,
	       "SET_IRQS: the request cannot be masked (EINVAL)");
	pid = fork();
	if (pid == 0) {
		/* Only the parent keeps the device open. */
		cdev_close(&c);
		_exit(mdev_remove(uuid) ? 1 : 0);
	}
	result(fired(req, 5000), "removal while open signals the request eventfd");
	usleep(300000);
	result(waitpid(pid, &status, WNOHANG) == 0 &&
	       rd32(c.fd, BAR0 + BAR0_ID) == BAR0_ID_VALUE,
	       "remove while open waits, and the device keeps working");
	result(system("rmmod rust_mdev 2>/dev/null") != 0,
	       "module unload is refused while a device is open");
	cdev_close(&c);
	close(req);
	result(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status) &&
	       !mdev_exists(uuid), "the removal completes once the device is closed");
	result(available() == MAX_INSTANCES, "available_instances is back to %d", MAX_INSTANCES);
}

static void test_limits(void)
{
	char uuid[64];
	int i, ok = 1;

	for (i = 0; i < MAX_INSTANCES; i++) {
		make_uuid(uuid, 0x100 + i);
		ok &= !mdev_create(uuid);
	}
	result(ok && available() == 0, "%d instances can be created", MAX_INSTANCES);
	make_uuid(uuid, 0x100 + MAX_INSTANCES);
	result(mdev_create(uuid) == -EUSERS, "one more is refused (EUSERS)");
	make_uuid(uuid, 0x100);
	result(mdev_create(uuid) == -EEXIST, "a duplicate UUID is refused (EEXIST)");
	for (i = 0; i < MAX_INSTANCES; i++) {
		make_uuid(uuid, 0x100 + i);
		ok &= !mdev_remove(uuid);
	}
	result(ok && available() == MAX_INSTANCES, "they can all be removed");
}

static void test_cycles(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char uuid[64];
	struct cdev c;
	int i, err = 0;

	make_uuid(uuid, 0x200);
	for (i = 0; i < CYCLES && !err; i++) {
		err = mdev_create(uuid);
		if (err)
			break;
		err = cdev_open(uuid, &c);
		if (!err && ioctl(c.fd, VFIO_DEVICE_GET_INFO, &info))
			err = -errno;
		cdev_close(&c);
		if (!err)
			err = mdev_remove(uuid);
	}
	if (err)
		diag("cycle %d: %s", i, strerror(-err));
	result(!err && !mdev_exists(uuid), "%d create/open/close/remove cycles", CYCLES);
}

int main(void)
{
	int container, group, fd;
	char uuid[64];
	struct cdev c;

	printf("TAP version 13\n");
	test_types();
	if (!types_dir[0]) {
		printf("1..%d\n", test_n);
		return 1;
	}

	make_uuid(uuid, 1);
	result(!mdev_create(uuid) && mdev_exists(uuid), "create %s through sysfs", uuid);
	result(available() == MAX_INSTANCES - 1, "available_instances drops to %d",
	       MAX_INSTANCES - 1);

	if (result(!cdev_open(uuid, &c), "open the VFIO cdev and attach it to an iommufd IOAS")) {
		test_info(c.fd, "cdev");
		test_config(c.fd, "cdev");
		test_regs_irq(c.fd);
		test_mmap(c.fd);
		test_dma(&c);
		test_bad_access(c.fd);
		cdev_close(&c);
	}

	fd = group_open(uuid, &container, &group);
	if (result(fd >= 0, "open through the legacy group and type1 container (%d)", fd)) {
		test_info(fd, "group");
		test_config(fd, "group");
		close(fd);
	}
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);

	test_remove_while_open(uuid);
	test_limits();
	test_cycles();

	make_uuid(uuid, 0x300);
	result(!mdev_create(uuid) && system("rmmod rust_mdev") == 0 && !mdev_exists(uuid),
	       "module unload removes the remaining mdevs");

	printf("1..%d\n", test_n);
	printf("# Totals: pass:%d fail:%d\n", test_n - test_failed, test_failed);
	return test_failed ? 1 : 0;
}
