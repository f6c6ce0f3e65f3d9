// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSA fast path: vDSAs of type idxd_vdcm-1dwq-v1 on one DSA, each
 * opened through its VFIO cdev bound to its own iommufd and IOAS, their
 * portals mapped, and descriptors submitted with MOVDIR64B using IOVAs: the
 * device's DMA is tagged with the vDSA's host PASID and translated by the
 * IOAS. Copies, fills and compares are checked byte for byte; addresses an
 * IOAS does not map fault (completion status) and write nothing; one vDSA
 * cannot reach memory mapped only for another; an IOAS unmap takes effect
 * at once and an IOAS replace is hitless; the legacy group/container API
 * (iommufd's emulation of it) works the same. Also: close with descriptors
 * in flight, removal while open, create/open/close/remove cycles, the
 * host's own jobs while vDSAs run, bad mmap arguments, the instance limit,
 * and the portal mmap refused to an opener without CAP_SYS_RAWIO. The
 * portal written through VFIO instead (trapped): whole descriptors are
 * checked and submitted, other writes and bad descriptors refused.
 *
 * usage: vdsa_test BDF            the tests above
 *        vdsa_test BDF unsafe     the module was loaded with
 *                                 unsafe_user_portals=1: an opener without
 *                                 CAP_SYS_RAWIO may map and submit
 *        vdsa_test BDF bench N [trapped]
 *                                 N 4 KiB MEMMOVEs through a vDSA's portal,
 *                                 8 in flight (the depth of the host's own
 *                                 jobs), checked byte for byte; prints the
 *                                 rate and the driver's VFIO calls meanwhile;
 *                                 "trapped": written by pwrite, not mapped
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "dsa_desc.h"
#include "vdsa_dev.h"

#define CYCLES		100

/* MEMMOVE, FILL and COMPARE on an open vDSA, checked byte for byte. */
static void test_ops(struct vdsa *v, const char *name, unsigned int seed)
{
	struct dsa_hw_desc d;
	uint8_t st;

	pattern(page(v, SRC_PAGE), PAGE, seed);
	memset(page(v, DST_PAGE), 0, PAGE);
	st = memmove_iova(v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE);
	result(st == DSA_COMP_SUCCESS &&
	       !memcmp(page(v, SRC_PAGE), page(v, DST_PAGE), PAGE),
	       "%s: MEMMOVE 4 KiB by IOVA, byte for byte (status %#x)", name, st);

	dsa_desc_init(&d, DSA_OPCODE_MEMFILL, compl_iova(0));
	d.pattern = 0x5a5a5a5a5a5a5a5aULL;
	d.dst_addr = IOVA(DST_PAGE + 1);
	d.xfer_size = PAGE;
	memset(page(v, DST_PAGE + 1), 0, PAGE);
	st = submit(v, &d);
	result(st == DSA_COMP_SUCCESS && all_bytes(page(v, DST_PAGE + 1), PAGE, 0x5a),
	       "%s: FILL 4 KiB, byte for byte (status %#x)", name, st);

	dsa_desc_init(&d, DSA_OPCODE_COMPARE, compl_iova(0));
	d.src_addr = IOVA(SRC_PAGE);
	d.src2_addr = IOVA(DST_PAGE);
	d.xfer_size = PAGE;
	st = submit(v, &d);
	result(st == DSA_COMP_SUCCESS && compl(v, 0)->result == 0,
	       "%s: COMPARE of equal buffers: result 0", name);
	page(v, DST_PAGE)[1000] ^= 1;
	st = submit(v, &d);
	result(st == DSA_COMP_SUCCESS && compl(v, 0)->result == 1 &&
	       compl(v, 0)->bytes_completed == 1000,
	       "%s: COMPARE of differing buffers: result 1 at byte %u", name,
	       compl(v, 0)->bytes_completed);
}

/* A MEMMOVE whose source or destination @iova faults, writing nothing. */
static int faults(struct vdsa *v, uint64_t src, uint64_t dst)
{
	uint8_t st;

	memset(page(v, DST_PAGE), 0xee, PAGE);
	st = memmove_iova(v, src, dst, PAGE);
	/* Bit 7 says the faulting access was a write */
	if ((st & 0x7f) != DSA_COMP_PAGE_FAULT_NOBOF) {
		diag("status %#x, expected a page fault", st);
		return 0;
	}
	return all_bytes(page(v, DST_PAGE), PAGE, 0xee);
}

/* Whether the DSA under test is a DSA 1.0 (device ID 0b25). */
static int dsa_version_1(void)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	return !read_str(path, buf, sizeof(buf)) && !strcmp(buf, "0x0b25");
}

static void test_types(long *avail)
{
	char path[600], buf[512];
	struct stat st;

	result(stat(types_dir, &st) == 0, "type " TYPE " on %s", bdf);
	snprintf(path, sizeof(path), "%s/description", types_dir);
	result(!read_str(path, buf, sizeof(buf)) && strstr(buf, "dedicated WQ"),
	       "description: %s", buf);
	snprintf(path, sizeof(path), "%s/device_api", types_dir);
	result(!read_str(path, buf, sizeof(buf)) && !strcmp(buf, "vfio-pci"),
	       "device_api is vfio-pci");
	*avail = type_long("available_instances");
	result(*avail >= 2, "available_instances %ld: the WQs the host left", *avail);
}

static void test_region(struct vdsa *v)
{
	struct {
		struct vfio_region_info info;
		char caps[256];
	} big;
	struct vfio_region_info_cap_sparse_mmap *sparse = NULL;

	memset(&big, 0, sizeof(big));
	big.info.argsz = sizeof(big);
	big.info.index = VFIO_PCI_BAR2_REGION_INDEX;
	if (!ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &big) &&
	    big.info.cap_offset >= sizeof(big.info))
		sparse = (void *)((char *)&big + big.info.cap_offset);
	result(big.info.size == BAR2_SIZE && (big.info.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	       big.info.offset == BAR2 && sparse &&
	       sparse->header.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP &&
	       sparse->nr_areas == 1 && sparse->areas[0].offset == 0 &&
	       sparse->areas[0].size == 2 * PAGE,
	       "BAR2: 16 KiB, its two portal pages mappable (sparse mmap)");
}

/*
 * Writes @d through VFIO at @off of BAR 2 (the trapped portal) with record
 * @i cleared first; the write's result, -errno on failure.
 */
static int trapped_write(struct vdsa *v, const void *d, size_t len, uint64_t off, int i)
{
	memset(compl(v, i), 0, 32);
	return pwrite(v->fd, d, len, BAR2 + off) == (ssize_t)len ? 0 : -errno;
}

/*
 * A descriptor @d the trapped portal must refuse: EINVAL, and the device
 * writes no completion record for it.
 */
static int trapped_refuses(struct vdsa *v, struct dsa_hw_desc *d)
{
	int ret = trapped_write(v, d, sizeof(*d), PAGE, 1);

	if (ret != -EINVAL) {
		diag("the write returned %d", ret);
		return 0;
	}
	return !dsa_wait(compl(v, 1), 50);
}

/*
 * The portal pages written through VFIO instead of mapped: one pwrite of a
 * whole descriptor is checked and submitted; anything else is refused.
 */
static void test_trapped(struct vdsa *v, int dsa1)
{
	uint64_t slots[] = { PAGE, PAGE + 63 * 64, 3 * 64 };
	struct dsa_hw_desc d;
	char junk[128] = {};
	unsigned int i;
	int ok = 1;
	uint8_t st;

	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		pattern(page(v, SRC_PAGE), PAGE, 40 + i);
		memset(page(v, DST_PAGE), 0, PAGE);
		dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(1));
		d.src_addr = IOVA(SRC_PAGE);
		d.dst_addr = IOVA(DST_PAGE);
		d.xfer_size = PAGE;
		if (trapped_write(v, &d, sizeof(d), slots[i], 1)) {
			diag("slot %#llx: %s", (unsigned long long)slots[i], strerror(errno));
			ok = 0;
			continue;
		}
		st = dsa_wait(compl(v, 1), DSA_WAIT_MS);
		ok &= st == DSA_COMP_SUCCESS &&
		      !memcmp(page(v, SRC_PAGE), page(v, DST_PAGE), PAGE);
	}
	result(ok, "trapped portal: a MEMMOVE written by pwrite at 3 slots of both pages, byte for byte");

	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(1));
	d.src_addr = IOVA(SRC_PAGE);
	d.dst_addr = IOVA(DST_PAGE);
	d.xfer_size = PAGE;
	result(trapped_write(v, &d, 8, PAGE, 1) == -EINVAL &&
	       trapped_write(v, junk, sizeof(junk), PAGE, 1) == -EINVAL &&
	       trapped_write(v, &d, sizeof(d), PAGE + 32, 1) == -EINVAL &&
	       trapped_write(v, &d, sizeof(d), 2 * PAGE, 1) == -EINVAL &&
	       trapped_write(v, &d, sizeof(d), 4 * PAGE, 1) == -EINVAL &&
	       !dsa_wait(compl(v, 1), 50),
	       "trapped portal: writes of 8 or 128 bytes, a misaligned slot, pages 2 and 4 refused (EINVAL)");

	dsa_desc_init(&d, 0x40, compl_iova(1));
	ok = trapped_refuses(v, &d);
	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(1) + 8);
	d.xfer_size = PAGE;
	ok &= trapped_refuses(v, &d);
	dsa_desc_init(&d, DSA_OPCODE_NOOP, compl_iova(1));
	d.flags |= IDXD_OP_FLAG_RCI;
	d.int_handle = 0xffff;
	ok &= trapped_refuses(v, &d);
	result(ok, "trapped portal: an operation the vDSA does not show, a misaligned completion record, another interrupt handle refused");
	if (dsa1) {
		dsa_desc_init(&d, DSA_OPCODE_BATCH, compl_iova(1));
		result(trapped_refuses(v, &d), "trapped portal: a batch refused on DSA 1.0");
	}
	st = memmove_iova(v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE);
	result(st == DSA_COMP_SUCCESS, "the mapped portal still works (status %#x)", st);
}

static void test_bad_mmap(struct vdsa *v)
{
	struct { const char *what; size_t len; int prot, flags; uint64_t off; } bad[] = {
		{ "BAR0", PAGE, PROT_WRITE, MAP_SHARED, REGION(VFIO_PCI_BAR0_REGION_INDEX) },
		{ "config space", PAGE, PROT_WRITE, MAP_SHARED,
		  REGION(VFIO_PCI_CONFIG_REGION_INDEX) },
		{ "BAR2 page 2", PAGE, PROT_WRITE, MAP_SHARED, BAR2 + 2 * PAGE },
		{ "BAR2 beyond its end", PAGE, PROT_WRITE, MAP_SHARED, BAR2 + 4 * PAGE },
		{ "3 pages of BAR2", 3 * PAGE, PROT_WRITE, MAP_SHARED, BAR2 },
		{ "BAR2 page 1 and 2", 2 * PAGE, PROT_WRITE, MAP_SHARED, BAR2 + PAGE },
		{ "a private mapping", PAGE, PROT_WRITE, MAP_PRIVATE, BAR2 },
		{ "an executable mapping", PAGE, PROT_WRITE | PROT_EXEC, MAP_SHARED, BAR2 },
		{ "a region past the last", PAGE, PROT_WRITE, MAP_SHARED,
		  REGION(VFIO_PCI_NUM_REGIONS + 3) },
	};
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = mmap(NULL, bad[i].len, bad[i].prot, bad[i].flags, v->fd, bad[i].off);
		result(p == MAP_FAILED && errno == EINVAL, "mmap of %s fails (EINVAL)",
		       bad[i].what);
		if (p != MAP_FAILED)
			munmap(p, bad[i].len);
	}
	p = mmap(NULL, 2 * PAGE, PROT_WRITE, MAP_SHARED, v->fd, BAR2);
	result(p != MAP_FAILED, "mmap of both portal pages works");
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
}

static void test_isolation(struct vdsa *a, struct vdsa *b)
{
	uint8_t *secret;

	/* B's IOAS maps a page at IOVA_UNMAPPED that A's does not map. */
	secret = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!result(secret != MAP_FAILED &&
		    !ioas_map(b->iommufd, b->ioas, secret, IOVA_UNMAPPED, PAGE),
		    "B's IOAS maps a page that A's does not"))
		return;
	memset(secret, 0x77, PAGE);
	result(faults(a, IOVA_UNMAPPED, IOVA(DST_PAGE)),
	       "A cannot read memory mapped only in B's IOAS (page fault, nothing written)");
	pattern(page(a, SRC_PAGE), PAGE, 9);
	result((memmove_iova(a, IOVA(SRC_PAGE), IOVA_UNMAPPED, PAGE) & 0x7f) ==
	       DSA_COMP_PAGE_FAULT_NOBOF && all_bytes(secret, PAGE, 0x77),
	       "A cannot write memory mapped only in B's IOAS");
	memset(page(b, DST_PAGE), 0, PAGE);
	result(memmove_iova(b, IOVA_UNMAPPED, IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS &&
	       all_bytes(page(b, DST_PAGE), PAGE, 0x77),
	       "B reads it through its own IOAS");
	ioas_unmap(b->iommufd, b->ioas, IOVA_UNMAPPED, PAGE);
	munmap(secret, PAGE);
}

static void test_unmap_replace(struct vdsa *v)
{
	struct dsa_completion_record *old_rec, *new_rec;
	struct dsa_hw_desc d;
	uint32_t ioas2 = 0;
	uint8_t *mem2, *extra;
	int ok = 0, ms;
	uint8_t st;

	result(faults(v, IOVA_UNMAPPED, IOVA(DST_PAGE)),
	       "a source address the IOAS does not map: page fault, nothing written");
	result(faults(v, IOVA(SRC_PAGE), IOVA_UNMAPPED),
	       "a destination address the IOAS does not map: page fault");

	/*
	 * Unmap a page while attached (an area of its own: iommufd unmaps
	 * whole areas): the next descriptor on it faults.
	 */
	extra = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (extra != MAP_FAILED) {
		pattern(extra, PAGE, 11);
		memset(page(v, DST_PAGE), 0, PAGE);
		ok = !ioas_map(v->iommufd, v->ioas, extra, IOVA_EXTRA, PAGE) &&
		     memmove_iova(v, IOVA_EXTRA, IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS &&
		     !memcmp(extra, page(v, DST_PAGE), PAGE);
		ok &= !ioas_unmap(v->iommufd, v->ioas, IOVA_EXTRA, PAGE) &&
		      faults(v, IOVA_EXTRA, IOVA(DST_PAGE));
		munmap(extra, PAGE);
	}
	result(extra != MAP_FAILED && ok,
	       "IOAS unmap while attached: the next descriptor on it faults");

	/*
	 * Replace: a second IOAS maps other memory at the same IOVAs; after
	 * the replace, descriptors reach the new memory, and none is lost
	 * across it.
	 */
	mem2 = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!result(mem2 != MAP_FAILED && !ioas_alloc(v->iommufd, &ioas2) &&
		    !ioas_map(v->iommufd, ioas2, mem2, IOVA_BASE, NPAGES * PAGE),
		    "a second IOAS"))
		return;
	pattern(page(v, SRC_PAGE), PAGE, 3);
	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(1));
	d.src_addr = IOVA(SRC_PAGE);
	d.dst_addr = IOVA(DST_PAGE + 2);
	d.xfer_size = PAGE;
	memset(compl(v, 1), 0, 32);
	dsa_movdir64b(v->portal, &d);
	result(!attach_pt(v->fd, ioas2), "replace the attached IOAS with the second");
	/*
	 * The record of the descriptor in flight is in one of the two, written
	 * before or after the replace: both are watched the whole time.
	 */
	old_rec = compl(v, 1);
	new_rec = (void *)(mem2 + COMPL_PAGE * PAGE + 32);
	for (ms = 0; ms < DSA_WAIT_MS; ms++) {
		st = __atomic_load_n(&old_rec->status, __ATOMIC_ACQUIRE);
		if (!st)
			st = __atomic_load_n(&new_rec->status, __ATOMIC_ACQUIRE);
		if (st)
			break;
		usleep(1000);
	}
	if (st != DSA_COMP_SUCCESS)
		diag("old IOAS's record %#x, new IOAS's %#x", old_rec->status, new_rec->status);
	result(st == DSA_COMP_SUCCESS, "the descriptor in flight across the replace completes");
	pattern(mem2 + SRC_PAGE * PAGE, PAGE, 4);
	memset(mem2 + DST_PAGE * PAGE, 0, PAGE);
	memset(mem2 + COMPL_PAGE * PAGE, 0, 32);
	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(0));
	d.src_addr = IOVA(SRC_PAGE);
	d.dst_addr = IOVA(DST_PAGE);
	d.xfer_size = PAGE;
	memset(compl(v, 0), 0, 32);
	dsa_movdir64b(v->portal, &d);
	st = dsa_wait((void *)(mem2 + COMPL_PAGE * PAGE), DSA_WAIT_MS);
	/* Should it fail: whether the old IOAS got the record instead. */
	result(st == DSA_COMP_SUCCESS &&
	       !memcmp(mem2 + SRC_PAGE * PAGE, mem2 + DST_PAGE * PAGE, PAGE),
	       "after the replace, descriptors use the new IOAS (record %#x, old IOAS's %#x)",
	       st, compl(v, 0)->status);
	result(!attach_pt(v->fd, v->ioas) &&
	       memmove_iova(v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS,
	       "replace back to the first IOAS");
	munmap(mem2, NPAGES * PAGE);
}

/* Close with 16 descriptors in flight: closing waits for them. */
static void test_close_in_flight(const char *uuid)
{
	struct dsa_hw_desc d;
	struct vdsa v;
	uint8_t *mem;
	int i, done = 0, same = 0;

	if (!result(!cdev_open(uuid, &v, 1), "open for the close test"))
		return;
	for (i = 0; i < 16; i++) {
		pattern(page(&v, SRC_PAGE + i), PAGE, i);
		memset(page(&v, DST_PAGE + i), 0, PAGE);
		memset(compl(&v, i), 0, 32);
		dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(i));
		d.src_addr = IOVA(SRC_PAGE + i);
		d.dst_addr = IOVA(DST_PAGE + i);
		d.xfer_size = PAGE;
		dsa_movdir64b(v.portal, &d);
	}
	/* Keep the memory; close everything else at once. */
	mem = v.mem;
	v.mem = MAP_FAILED;
	vdsa_close(&v);
	for (i = 0; i < 16; i++) {
		done += ((struct dsa_completion_record *)(mem + i * 32))->status ==
			DSA_COMP_SUCCESS;
		same += !memcmp(mem + (SRC_PAGE + i) * PAGE, mem + (DST_PAGE + i) * PAGE, PAGE);
	}
	result(done == 16 && same == 16,
	       "close with 16 descriptors in flight: all completed before it returned (%d, %d)",
	       done, same);
	munmap(mem, NPAGES * PAGE);
}

static void test_remove_while_open(const char *uuid)
{
	int req = eventfd(0, EFD_NONBLOCK), status = -1;
	struct vdsa v;
	pid_t pid;

	if (!result(!cdev_open(uuid, &v, 1), "open for the removal test"))
		return;
	result(!vfio_set_eventfds(v.fd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &req),
	       "request interrupt through an eventfd");
	pid = fork();
	if (pid == 0) {
		vdsa_close(&v);
		_exit(mdev_remove(uuid) ? 1 : 0);
	}
	result(fired(req, 5000), "removal while open signals the request eventfd");
	usleep(200000);
	result(waitpid(pid, &status, WNOHANG) == 0 &&
	       memmove_iova(&v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS,
	       "the removal waits, and the vDSA keeps working");
	vdsa_close(&v);
	close(req);
	result(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status) &&
	       !mdev_exists(uuid), "the removal completes once the vDSA is closed");
}

static void test_cycles(long avail)
{
	char uuid[64];
	struct vdsa v;
	int i, ok = 1;

	for (i = 0; i < CYCLES && ok; i++) {
		make_uuid(uuid, 0x1000 + i);
		ok = !mdev_create(uuid) && !cdev_open(uuid, &v, 1) &&
		     memmove_iova(&v, IOVA(SRC_PAGE), IOVA(DST_PAGE), 64) == DSA_COMP_SUCCESS;
		vdsa_close(&v);
		ok &= !mdev_remove(uuid);
		if (!ok)
			diag("cycle %d failed", i);
	}
	result(ok && type_long("available_instances") == avail,
	       "%d create/open/submit/close/remove cycles", CYCLES);
}

static void test_limit(long avail)
{
	char uuid[64];
	long i;
	int ok = 1;

	for (i = 0; i < avail; i++) {
		make_uuid(uuid, 0x2000 + i);
		ok &= !mdev_create(uuid);
	}
	result(ok && type_long("available_instances") == 0,
	       "%ld vDSAs, one per WQ left, can be created", avail);
	make_uuid(uuid, 0x2000 + avail);
	result(mdev_create(uuid) == -EUSERS, "one more is refused (EUSERS)");
	for (i = 0; i < avail; i++) {
		make_uuid(uuid, 0x2000 + i);
		mdev_remove(uuid);
	}
	result(type_long("available_instances") == avail, "all removed");
}

/* Drop CAP_SYS_RAWIO from the effective, permitted and bounding sets. */
static int drop_rawio(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective &= ~(1u << CAP_SYS_RAWIO);
	d[0].permitted &= ~(1u << CAP_SYS_RAWIO);
	d[0].inheritable &= ~(1u << CAP_SYS_RAWIO);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/*
 * In a child without CAP_SYS_RAWIO: open the vDSA and map its portal;
 * returns 0 if the mmap worked and a MEMMOVE through it completed, the
 * mmap's errno otherwise.
 */
static int unprivileged_mmap(const char *uuid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct vdsa v;
		int ret;

		if (drop_rawio())
			_exit(100);
		ret = cdev_open(uuid, &v, 0);
		if (ret)
			_exit(101);
		ret = map_portal(&v);
		if (ret)
			_exit(-ret);
		if (vdsa_enable(v.fd))
			_exit(103);
		ret = memmove_iova(&v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) ==
		      DSA_COMP_SUCCESS ? 0 : 102;
		vdsa_close(&v);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void run(void)
{
	char ua[64], ub[64], uc[64];
	struct vdsa a, b, g;
	long long calls;
	long avail;
	int i, ok;
	uint8_t st;

	test_types(&avail);
	make_uuid(ua, 1);
	make_uuid(ub, 2);
	make_uuid(uc, 3);
	result(!mdev_create(ua) && !mdev_create(ub) &&
	       type_long("available_instances") == avail - 2,
	       "create vDSAs A and B on %s: available_instances %ld", bdf, avail - 2);
	result(!cdev_open(ua, &a, 1),
	       "A: VFIO cdev, iommufd, its own IOAS attached, portal mapped");
	result(!cdev_open(ub, &b, 1), "B: the same, another iommufd and IOAS");
	if (a.fd < 0 || b.fd < 0)
		return;
	test_region(&a);
	test_ops(&a, "A", 1);
	test_ops(&b, "B", 2);
	test_trapped(&a, dsa_version_1());

	/* The fast path never calls the driver. */
	calls = config_value("vdsa_vfio_calls");
	ok = 1;
	for (i = 0; i < 200; i++)
		ok &= memmove_iova(i & 1 ? &a : &b, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) ==
		      DSA_COMP_SUCCESS;
	result(ok && calls >= 0 && config_value("vdsa_vfio_calls") == calls,
	       "200 MEMMOVEs on A and B: no VFIO read, write or ioctl reached the driver (%lld)",
	       calls);

	result(!host_job("memmove dwq 4096 100") && !host_job("compare swq 4096 100"),
	       "the host's own WQs work while vDSAs are open (RID and kernel PASID DMA)");
	test_isolation(&a, &b);
	test_unmap_replace(&a);
	test_bad_mmap(&b);
	st = memmove_iova(&b, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE);
	result(st == DSA_COMP_SUCCESS && !host_job("memmove dwq 4096 100"),
	       "B and the host still work after A's faults");
	vdsa_close(&a);
	vdsa_close(&b);

	result(!mdev_create(uc), "create vDSA C");
	result(!group_open(uc, &g), "C: legacy group and container (iommufd's), DMA map, portal");
	if (g.fd >= 0) {
		test_ops(&g, "C (container)", 5);
		result(faults(&g, IOVA_UNMAPPED, IOVA(DST_PAGE)),
		       "C: an address the container does not map faults");
	}
	vdsa_close(&g);

	test_close_in_flight(ua);
	i = unprivileged_mmap(ub);
	result(i == EPERM, "an opener without CAP_SYS_RAWIO cannot map the portal (EPERM: %d)",
	       i);
	test_remove_while_open(ua);
	result(!mdev_remove(ub) && !mdev_remove(uc) &&
	       type_long("available_instances") == avail, "remove B and C");
	test_limit(avail);
	test_cycles(avail);
	result(!host_job("memmove dwq 4096 100") && !host_job("fill swq 4096 100"),
	       "the host's own WQs still work");
}

static void run_unsafe(void)
{
	char uuid[64];
	int ret;

	make_uuid(uuid, 9);
	result(!mdev_create(uuid), "create a vDSA");
	ret = unprivileged_mmap(uuid);
	result(ret == 0,
	       "unsafe_user_portals=1: an opener without CAP_SYS_RAWIO maps and submits (%d)",
	       ret);
	result(!mdev_remove(uuid), "remove it");
}

#define BENCH_DEPTH	8

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void run_bench(long count, int trapped)
{
	long submitted = 0, completed = 0, bad = 0;
	int slot_busy[BENCH_DEPTH] = { 0 };
	long long calls_before, calls_after;
	struct dsa_hw_desc d;
	char uuid[64];
	struct vdsa v;
	double t0, t;
	int i;

	make_uuid(uuid, 0xbe);
	if (!result(!mdev_create(uuid) && !cdev_open(uuid, &v, 1), "bench: vDSA open"))
		return;
	for (i = 0; i < BENCH_DEPTH; i++)
		pattern(page(&v, SRC_PAGE + i), PAGE, i);
	calls_before = config_value("vdsa_vfio_calls");
	t0 = now();
	while (completed < count) {
		for (i = 0; i < BENCH_DEPTH; i++) {
			struct dsa_completion_record *c = compl(&v, i);

			if (slot_busy[i]) {
				uint8_t st = __atomic_load_n(&c->status, __ATOMIC_ACQUIRE);

				if (!st)
					continue;
				if (st != DSA_COMP_SUCCESS ||
				    memcmp(page(&v, SRC_PAGE + i), page(&v, DST_PAGE + i), PAGE))
					bad++;
				slot_busy[i] = 0;
				completed++;
			}
			if (submitted < count) {
				memset(c, 0, sizeof(*c));
				memset(page(&v, DST_PAGE + i), 0, 64);
				dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(i));
				d.src_addr = IOVA(SRC_PAGE + i);
				d.dst_addr = IOVA(DST_PAGE + i);
				d.xfer_size = PAGE;
				if (!trapped)
					dsa_movdir64b(v.portal, &d);
				else if (pwrite(v.fd, &d, sizeof(d), BAR2 + PAGE + i * 64) !=
					 sizeof(d))
					break;
				slot_busy[i] = 1;
				submitted++;
			}
		}
		if (now() - t0 > 600)
			break;
	}
	t = now() - t0;
	calls_after = config_value("vdsa_vfio_calls");
	vdsa_close(&v);
	mdev_remove(uuid);
	result(completed == count && !bad,
	       "bench: %ld x 4 KiB MEMMOVE through the %s portal, %ld wrong", completed,
	       trapped ? "trapped" : "mapped", bad);
	/* The trapped portal calls the driver once per descriptor. */
	result(calls_before >= 0 && calls_after - calls_before == (trapped ? count : 0),
	       "bench: VFIO read/write/ioctl calls of the driver during the run: %lld",
	       calls_after - calls_before);
	printf("# vdsa%s desc_per_s=%.0f vfio_calls=%lld\n", trapped ? "_trapped" : "",
	       completed / t, calls_after - calls_before);
}

int main(int argc, char **argv)
{
	int unsafe = argc > 2 && !strcmp(argv[2], "unsafe");
	int bench = argc > 3 && !strcmp(argv[2], "bench");

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [unsafe]\n", argv[0]);
		return 2;
	}
	select_dsa(argv[1]);
	printf("TAP version 13\n");
	if (bench)
		run_bench(atol(argv[3]), argc > 4 && !strcmp(argv[4], "trapped"));
	else if (unsafe)
		run_unsafe();
	else
		run();
	return ktap_finish();
}
