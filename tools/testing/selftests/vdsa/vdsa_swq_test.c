// SPDX-License-Identifier: GPL-2.0
/*
 * vDSAs of type idxd_vdcm-1swq-v1: many vDSAs on one shared WQ of the DSA,
 * with idxd_vdcm loaded with swq_vdsas=N. Each vDSA shows a dedicated WQ of
 * its share of the shared WQ's entries; its portal is not mappable, and
 * each descriptor written to it (one 64-byte pwrite) is checked, given the
 * vDSA's host PASID, unprivileged, and submitted with ENQCMDS.
 *
 * Checked: the type and its instance limit; every vDSA open at once, each
 * with its own iommufd and IOAS, copying byte for byte with descriptors of
 * all of them in the shared WQ together; a descriptor naming another
 * vDSA's PASID, privileged, still reaches only its own vDSA's memory; an
 * address only another vDSA maps faults; a descriptor that blocks on
 * faults, names another vDSA's interrupt handle or is not whole is
 * refused (EINVAL); a descriptor to a WQ the guest did not enable is
 * dropped with the architected software error; completion interrupts on
 * each vDSA's own vector; disable (Drain PASID), reset (Abort PASID),
 * close and reopen; the host's own WQs working meanwhile.
 *
 * usage: vdsa_swq_test BDF N     N: the module's swq_vdsas
 *        vdsa_swq_test BDF bench SECONDS
 *                                 fairness: two vDSAs (swq_vdsas=2), A
 *                                 flooding the shared WQ, B keeping its WQ
 *                                 full; prints the descriptors per second
 *                                 each got
 *        vdsa_swq_test BDF tenant STOPFILE
 *                                 another user of the shared WQ: a vDSA
 *                                 created, opened, copying 4 KiB buffers
 *                                 in its own IOAS, each checked byte for
 *                                 byte, until STOPFILE exists; then removed
 *
 * Output: TAP, one line per check.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#define TYPE_NAME	"idxd_vdcm-1swq-v1"
#include "dsa_desc.h"
#include "vdsa_dev.h"

#define MAX_VDSAS	64
/* The software errors of a descriptor to a WQ not enabled, or full. */
#define SWERR_WQ_NOT_ENABLED	0x31

/* Writes @d at @off of the vDSA's BAR 2; 0 or -errno. */
static int put(struct vdsa *v, const struct dsa_hw_desc *d, uint64_t off)
{
	return pwrite(v->fd, d, sizeof(*d), BAR2 + off) == sizeof(*d) ? 0 : -errno;
}

/* A MEMMOVE of @len bytes from SRC_PAGE to DST_PAGE, record @i. */
static void memmove_desc(struct dsa_hw_desc *d, int i, uint32_t len)
{
	dsa_desc_init(d, DSA_OPCODE_MEMMOVE, compl_iova(i));
	d->src_addr = IOVA(SRC_PAGE);
	d->dst_addr = IOVA(DST_PAGE);
	d->xfer_size = len;
}

/*
 * The number after @field in the line of the driver's debugfs that starts
 * with @start; -1 if none.
 */
static long debugfs_field(const char *start, const char *field)
{
	char line[256];
	long value = -1;
	FILE *f = fopen(debugfs, "r");
	char *p;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, start, strlen(start)))
			continue;
		p = strstr(line, field);
		if (p)
			value = strtol(p + strlen(field), NULL, 0);
	}
	fclose(f);
	return value;
}

/* The host PASID of shared-WQ slot @i; -1 if none. */
static long slot_pasid(int i)
{
	char start[64];

	snprintf(start, sizeof(start), "vdsa_swq_slot %d ", i);
	return debugfs_field(start, " pasid ");
}

static int open_all(char uuids[][64], struct vdsa *v, int n)
{
	int i, ok = 1;

	for (i = 0; i < n; i++) {
		ok &= !cdev_open(uuids[i], &v[i], 0);
		ok &= v[i].fd >= 0 && !vdsa_enable(v[i].fd);
	}
	return ok;
}

/* All @n vDSAs copy at once: one MEMMOVE each in the WQ, then all checked. */
static int copy_all(struct vdsa *v, int n, unsigned int seed)
{
	struct dsa_hw_desc d;
	int i, ok = 1;

	for (i = 0; i < n; i++) {
		pattern(page(&v[i], SRC_PAGE), PAGE, seed + i);
		memset(page(&v[i], DST_PAGE), 0, PAGE);
		memset(compl(&v[i], 0), 0, 32);
		memmove_desc(&d, 0, PAGE);
		ok &= !put(&v[i], &d, (i & 1) * PAGE + (i % 64) * 64);
	}
	for (i = 0; i < n; i++) {
		uint8_t st = dsa_wait(compl(&v[i], 0), DSA_WAIT_MS);

		if (st != DSA_COMP_SUCCESS ||
		    memcmp(page(&v[i], SRC_PAGE), page(&v[i], DST_PAGE), PAGE)) {
			diag("vDSA %d: status %#x", i, st);
			ok = 0;
		}
	}
	return ok;
}

static void test_region(struct vdsa *v)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR2_REGION_INDEX,
	};
	void *p;

	result(!ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &info) &&
	       info.size == BAR2_SIZE && !(info.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	       !(info.flags & VFIO_REGION_INFO_FLAG_CAPS),
	       "BAR2: 16 KiB, readable and writable, not mappable");
	p = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, v->fd, BAR2 + PAGE);
	result(p == MAP_FAILED && errno == EINVAL, "mmap of the portal refused (EINVAL)");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
}

/* The vDSA's WQ size, from WQCAP and its WQCFG. */
static void test_size(struct vdsa *v, long wq_size)
{
	uint64_t wqcap = bar0_read64(v->fd, R_WQCAP);
	uint32_t size = bar0_read32(v->fd, R_WQCFG);

	result((long)(wqcap & 0xffff) == wq_size && (long)size == wq_size,
	       "the vDSA shows a dedicated WQ of its share: %ld entries (WQCAP %#llx, WQCFG size %u)",
	       wq_size, (unsigned long long)wqcap, size);
}

/* Checks of what is written, on vDSA @a; @handle_b is another vDSA's handle. */
static void test_checks(struct vdsa *a, uint16_t handle_b)
{
	struct dsa_hw_desc d;
	int ret;

	memmove_desc(&d, 1, PAGE);
	d.flags |= IDXD_OP_FLAG_BOF;
	memset(compl(a, 1), 0, 32);
	ret = put(a, &d, PAGE);
	result(ret == -EINVAL && !dsa_wait(compl(a, 1), 50),
	       "a descriptor that blocks on faults is refused (%d)", ret);
	memmove_desc(&d, 1, PAGE);
	d.flags |= IDXD_OP_FLAG_RCI;
	d.int_handle = handle_b;
	ret = put(a, &d, PAGE);
	result(ret == -EINVAL && !dsa_wait(compl(a, 1), 50),
	       "a descriptor naming another vDSA's interrupt handle is refused (%d)", ret);
	ret = pwrite(a->fd, &d, 32, BAR2 + PAGE) < 0 ? -errno : 0;
	result(ret == -EINVAL, "half a descriptor is refused (%d)", ret);
}

/*
 * A descriptor of @a that names @b's host PASID, privileged: the driver
 * writes @a's own PASID in, so it copies within @a's memory, and @b's
 * memory at the same IOVAs is untouched.
 */
static void test_pasid_rewrite(struct vdsa *a, struct vdsa *b, long pasid_b)
{
	struct dsa_hw_desc d;
	uint8_t st;

	pattern(page(a, SRC_PAGE), PAGE, 77);
	memset(page(a, DST_PAGE), 0, PAGE);
	pattern(page(b, SRC_PAGE), PAGE, 78);
	memset(page(b, DST_PAGE), 0xee, PAGE);
	memset(compl(b, 0), 0, 32);
	memmove_desc(&d, 0, PAGE);
	d.pasid = pasid_b;
	d.priv = 1;
	memset(compl(a, 0), 0, 32);
	st = put(a, &d, 0) ? 0 : dsa_wait(compl(a, 0), DSA_WAIT_MS);
	result(pasid_b > 0 && st == DSA_COMP_SUCCESS &&
	       !memcmp(page(a, SRC_PAGE), page(a, DST_PAGE), PAGE) &&
	       all_bytes(page(b, DST_PAGE), PAGE, 0xee) && !compl(b, 0)->status,
	       "a descriptor naming another vDSA's PASID (%ld), privileged, copies in its own memory only (status %#x)",
	       pasid_b, st);
}

/* An address only @b maps faults for @a; @b's page is untouched. */
static void test_isolation(struct vdsa *a, struct vdsa *b)
{
	struct dsa_hw_desc d;
	uint8_t *extra;
	uint8_t st;

	extra = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (extra == MAP_FAILED || ioas_map(b->iommufd, b->ioas, extra, IOVA_EXTRA, PAGE)) {
		result(0, "map a page for B only");
		return;
	}
	memset(extra, 0x5a, PAGE);
	pattern(page(a, SRC_PAGE), PAGE, 3);
	memmove_desc(&d, 0, PAGE);
	d.dst_addr = IOVA_EXTRA;
	memset(compl(a, 0), 0, 32);
	st = put(a, &d, PAGE) ? 0 : dsa_wait(compl(a, 0), DSA_WAIT_MS);
	result((st & 0x3f) == DSA_COMP_PAGE_FAULT_NOBOF && all_bytes(extra, PAGE, 0x5a),
	       "A's copy to an address only B maps faults (status %#x), B's page untouched", st);
	ioas_unmap(b->iommufd, b->ioas, IOVA_EXTRA, PAGE);
	munmap(extra, PAGE);
}

/* Completion interrupts on each vDSA's own vector 1. */
static void test_interrupts(struct vdsa *v, int n, uint16_t *handles)
{
	struct dsa_hw_desc d;
	int efd[MAX_VDSAS][2];
	int i, ok = 1, distinct = 1;

	for (i = 0; i < n; i++) {
		uint32_t sts = vdsa_cmd(v[i].fd, C_REQUEST_INT_HANDLE, 1, 0);

		efd[i][0] = eventfd(0, EFD_NONBLOCK);
		efd[i][1] = eventfd(0, EFD_NONBLOCK);
		ok &= (sts & 0xff) == 0 && !vfio_set_eventfds(v[i].fd, VFIO_PCI_MSIX_IRQ_INDEX,
							      0, 2, efd[i]);
		handles[i] = sts >> 8 & 0xffff;
		if (i && handles[i] == handles[0])
			distinct = 0;
	}
	result(ok && distinct, "each vDSA gets its own interrupt handle");
	for (i = 0; i < n && ok; i++) {
		dsa_desc_init(&d, DSA_OPCODE_NOOP, compl_iova(0));
		d.flags |= IDXD_OP_FLAG_RCI;
		d.int_handle = handles[i];
		memset(compl(&v[i], 0), 0, 32);
		ok &= !put(&v[i], &d, PAGE);
	}
	for (i = 0; i < n && ok; i++) {
		ok &= fired(efd[i][1], 2000) && compl(&v[i], 0)->status == DSA_COMP_SUCCESS &&
		      !fired(efd[i][0], 0);
	}
	/* Nothing else fired on the others' vectors. */
	for (i = 0; i < n && ok; i++)
		ok &= !fired(efd[i][1], 0);
	result(ok, "a completion interrupt of each of the %d vDSAs raises its vector 1, once", n);
	for (i = 0; i < n; i++) {
		vfio_set_eventfds(v[i].fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL);
		close(efd[i][0]);
		close(efd[i][1]);
	}
}

/* The software error of vDSA @v: SWERR's first quadword, cleared after. */
static uint64_t swerr_take(struct vdsa *v)
{
	uint64_t e = bar0_read64(v->fd, R_SWERR);

	bar0_write64(v->fd, R_SWERR, e & 3);
	return e;
}

/* Disable (Drain PASID), a descriptor dropped, reset (Abort PASID). */
static void test_commands(struct vdsa *v, struct vdsa *other)
{
	struct dsa_hw_desc d;
	uint32_t sts;
	uint64_t e;
	int ret;

	swerr_take(v);
	sts = vdsa_cmd(v->fd, C_DISABLE_WQ, 1, 0);
	result(sts == 0, "disable the vDSA's WQ (the driver drains its PASID): CMDSTS %#x", sts);
	memmove_desc(&d, 0, PAGE);
	memset(compl(v, 0), 0, 32);
	ret = put(v, &d, PAGE);
	e = swerr_take(v);
	result(!ret && !dsa_wait(compl(v, 0), 100) && (e & 1) &&
	       (e >> 8 & 0xff) == SWERR_WQ_NOT_ENABLED && (e & (1 << 3)) && !(e >> 16 & 0xff),
	       "a descriptor to the disabled WQ is dropped: SWERR %#llx (WQ 0 not enabled)",
	       (unsigned long long)e);
	result(copy_all(other, 1, 9), "another vDSA copies meanwhile");
	sts = vdsa_cmd(v->fd, C_ENABLE_WQ, 0, 0);
	result(sts == 0 && copy_all(v, 1, 11), "enabled again, it copies");
	result(!ioctl(v->fd, VFIO_DEVICE_RESET) && !vdsa_enable(v->fd) && copy_all(v, 1, 12),
	       "VFIO_DEVICE_RESET (the driver aborts its PASID), enabled again, it copies");
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The flooder's descriptors so far, shared with its parent. */
static long *flooded;

/*
 * In a child: MEMMOVEs written to @a's portal as fast as it goes, never
 * waiting for one, for @secs seconds; each write must be taken.
 */
static void flood(struct vdsa *a, double secs)
{
	double end = now_s() + secs;
	struct dsa_hw_desc d;
	long i = 0;

	while (now_s() < end) {
		memmove_desc(&d, 2 + i % 64, PAGE);
		if (put(a, &d, (i % 64) * 64))
			_exit(1);
		__atomic_store_n(flooded, ++i, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/*
 * The status of record @c once the device wrote it, polled without
 * sleeping (a sleep between polls would bound the rate, not the WQ); 0
 * after DSA_WAIT_MS.
 */
static uint8_t spin_wait(const struct dsa_completion_record *c)
{
	double end = now_s() + DSA_WAIT_MS / 1000.0;
	uint8_t status;

	while (!(status = __atomic_load_n(&c->status, __ATOMIC_ACQUIRE)) && now_s() < end)
		;
	return status;
}

/* Starts copy @k of @v: source page k to destination page k, record k. */
static int start_copy(struct vdsa *v, int k)
{
	struct dsa_hw_desc d;

	memset(page(v, DST_PAGE + k), 0, PAGE);
	memset(compl(v, k), 0, 32);
	dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(k));
	d.src_addr = IOVA(SRC_PAGE + k);
	d.dst_addr = IOVA(DST_PAGE + k);
	d.xfer_size = PAGE;
	return put(v, &d, PAGE + k * 64);
}

/*
 * Copies of @v for @secs seconds, @depth in flight (at most 16) as a
 * driver keeps its WQ, each checked byte for byte; the count, -1 if one was
 * wrong or failed.
 */
static long pipelined(struct vdsa *v, int depth, double secs)
{
	double end = now_s() + secs;
	long n = 0, started = 0;
	int k;

	depth = depth < 1 ? 1 : depth > 16 ? 16 : depth;
	for (k = 0; k < depth; k++) {
		pattern(page(v, SRC_PAGE + k), PAGE, k);
		if (start_copy(v, k))
			return -1;
		started++;
	}
	while (n < started) {
		k = n % depth;
		if (spin_wait(compl(v, k)) != DSA_COMP_SUCCESS ||
		    memcmp(page(v, SRC_PAGE + k), page(v, DST_PAGE + k), PAGE)) {
			diag("copy %ld: status %#x", n, compl(v, k)->status);
			return -1;
		}
		n++;
		if (now_s() < end) {
			if (start_copy(v, k))
				return -1;
			started++;
		}
	}
	return n;
}

/*
 * A floods the shared WQ for @secs + 0.4 s; B copies for @secs in the
 * middle, keeping its WQ full (@depth, its size). B's copies and A's
 * descriptors in B's window, in @b and @a; 0, or -1 if B's copies failed
 * or A's writes were not all taken.
 */
static int flood_window(struct vdsa *a, struct vdsa *b, int depth, double secs, long *na,
			long *nb)
{
	long a0;
	pid_t pid;
	int status = -1;

	__atomic_store_n(flooded, 0, __ATOMIC_RELAXED);
	pid = fork();
	if (pid == 0)
		flood(a, secs + 0.4);
	usleep(200000);
	a0 = __atomic_load_n(flooded, __ATOMIC_RELAXED);
	*nb = pipelined(b, depth, secs);
	*na = __atomic_load_n(flooded, __ATOMIC_RELAXED) - a0;
	waitpid(pid, &status, 0);
	return *nb > 0 && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * A floods the shared WQ, far past its WQ's size, without waiting for
 * anything, while B copies as a driver does: B's copies are all right and
 * B sees no error; A's surplus is dropped with "WQ full" at worst.
 */
static void test_flood(struct vdsa *a, struct vdsa *b, int depth)
{
	long alone, na, nb;
	uint64_t e;
	int ret;

	swerr_take(a);
	swerr_take(b);
	alone = pipelined(b, depth, 1);
	ret = flood_window(a, b, depth, 2, &na, &nb);
	e = swerr_take(a);
	diag("B (depth %d): %ld copies in 1 s alone, %ld in 2 s while A wrote %ld; A's SWERR %#llx",
	     depth, alone, nb, na, (unsigned long long)e);
	result(!ret && alone > 0 && !swerr_take(b),
	       "A floods the shared WQ: every write taken; B's copies meanwhile all right, B sees no error");
	result(!(e & 1) || (e >> 8 & 0xff) == 0x32,
	       "A's surplus at worst dropped as by a full WQ (SWERR %#llx)", (unsigned long long)e);
	result(copy_all(a, 1, 90) && copy_all(b, 1, 91), "A and B copy after the flood");
}

/*
 * The benchmark: two vDSAs of the shared WQ, A flooding, B keeping its WQ
 * full; prints what each got in @secs seconds.
 */
static int run_bench(double secs)
{
	char ua[64], ub[64];
	struct vdsa a, b;
	long na = 0, nb = 0, depth;
	int ok;

	make_uuid(ua, 0x5200);
	make_uuid(ub, 0x5201);
	depth = debugfs_field("vdsa_swq ", " of size ");
	ok = result(!mdev_create(ua) && !mdev_create(ub) && !cdev_open(ua, &a, 0) &&
		    !cdev_open(ub, &b, 0) && !vdsa_enable(a.fd) && !vdsa_enable(b.fd),
		    "two vDSAs of the shared WQ open and enabled");
	if (ok)
		ok = result(!flood_window(&a, &b, depth, secs, &na, &nb),
			    "A floods, B copies %ld deep, each copy right", depth);
	vdsa_close(&a);
	vdsa_close(&b);
	mdev_remove(ua);
	mdev_remove(ub);
	if (ok)
		printf("# swq_fair b_per_s=%.0f a_per_s=%.0f\n", nb / secs, na / secs);
	return ktap_finish();
}

/*
 * One vDSA copying, each copy checked, until @stopfile exists (at most
 * an hour).
 */
static int run_tenant(const char *stopfile)
{
	struct vdsa v;
	struct stat st;
	char uuid[64];
	long copies = 0, bad = 0;
	time_t end = time(NULL) + 3600;

	make_uuid(uuid, 0x5100);
	if (!result(!mdev_create(uuid) && !cdev_open(uuid, &v, 0) && !vdsa_enable(v.fd),
		    "tenant: a vDSA of the shared WQ created, opened and enabled"))
		return ktap_finish();
	while (stat(stopfile, &st) && time(NULL) < end) {
		if (!copy_all(&v, 1, copies++))
			bad++;
	}
	vdsa_close(&v);
	result(!mdev_remove(uuid), "tenant: removed");
	result(copies > 0 && !bad, "tenant: %ld copies in its own IOAS, %ld wrong", copies, bad);
	return ktap_finish();
}

int main(int argc, char **argv)
{
	static char uuids[MAX_VDSAS][64];
	static struct vdsa v[MAX_VDSAS];
	uint16_t handles[MAX_VDSAS];
	struct stat st;
	char path[600];
	long avail, wq_size;
	int n, i, ok;

	flooded = mmap(NULL, sizeof(*flooded), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (flooded == MAP_FAILED)
		return 1;
	n = argc == 3 ? atoi(argv[2]) : 0;
	if (argc == 4 ? strcmp(argv[2], "tenant") && strcmp(argv[2], "bench") :
	    argc != 3 || n < 2 || n > MAX_VDSAS) {
		fprintf(stderr, "usage: %s BDF N (2..%d) | %s BDF bench|tenant ARG\n",
			argv[0], MAX_VDSAS, argv[0]);
		return 2;
	}
	select_dsa(argv[1]);
	snprintf(types_dir, sizeof(types_dir),
		 "/sys/bus/pci/devices/%s/mdev_supported_types/" TYPE_NAME, bdf);
	printf("TAP version 13\n");
	if (!n && !strcmp(argv[2], "bench"))
		return run_bench(atof(argv[3]));
	if (!n)
		return run_tenant(argv[3]);

	avail = type_long("available_instances");
	result(stat(types_dir, &st) == 0 && avail == n,
	       "type " TYPE_NAME " on %s: %ld available", bdf, avail);
	ok = 1;
	for (i = 0; i < n; i++) {
		make_uuid(uuids[i], 0x5000 + i);
		ok &= !mdev_create(uuids[i]);
	}
	result(ok && type_long("available_instances") == 0, "%d vDSAs created", n);
	make_uuid(path, 0x5000 + n);
	result(mdev_create(path) == -EUSERS, "one more is refused (EUSERS)");

	result(open_all(uuids, v, n), "all %d open, each with its own iommufd and IOAS, enabled",
	       n);
	test_region(&v[0]);
	wq_size = debugfs_field("vdsa_swq ", " of size ");
	test_size(&v[0], wq_size);
	result(copy_all(v, n, 1), "%d MEMMOVEs, one per vDSA, in the shared WQ at once, checked",
	       n);
	for (i = 0, ok = 1; i < 20 && ok; i++)
		ok = copy_all(v, n, 100 + i);
	result(ok, "20 more rounds of %d", n);

	test_interrupts(v, n, handles);
	test_checks(&v[0], handles[1]);
	test_pasid_rewrite(&v[0], &v[1], slot_pasid(1));
	test_isolation(&v[0], &v[1]);
	result(copy_all(v, n, 50), "all still copy after A's fault");
	test_commands(&v[0], &v[1]);
	test_flood(&v[0], &v[1], wq_size);
	result(!host_job("memmove dwq 4096 100") && !host_job("compare swq 4096 100"),
	       "the host's own WQs work meanwhile");

	for (i = 0; i < n; i++)
		vdsa_close(&v[i]);
	result(open_all(uuids, v, n) && copy_all(v, n, 60), "all closed, opened again, they copy");
	for (i = 0; i < n; i++)
		vdsa_close(&v[i]);
	for (i = 0, ok = 1; i < n; i++) {
		char uuid[64];

		make_uuid(uuid, 0x5000 + i);
		ok &= !mdev_remove(uuid) && !mdev_exists(uuid);
	}
	result(ok && type_long("available_instances") == n, "all removed");

	return ktap_finish();
}
