// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle soak of the vDSAs of one DSA: vDSAs created, opened through
 * their VFIO cdev and an iommufd of their own, used (a copy through the
 * portal, checked byte for byte), closed and removed, in a random
 * interleaving with the events a host throws at them:
 *
 *   - close with descriptors in flight (closing waits for them: every
 *     record must say success once close returned);
 *   - IOAS unmap during DMA (the descriptor completes or page-faults,
 *     never anything else; the vDSA keeps working once the area is mapped
 *     again);
 *   - VFIO_DEVICE_RESET with descriptors in flight (each completes or is
 *     dropped by the reset's abort, never anything else; once enabled
 *     again, the vDSA copies);
 *   - unbind of the DSA from idxd_vdcm and bind again (the unbind removes
 *     every vDSA, asking the users of open ones to close them through
 *     their request eventfd, which this program answers);
 *   - rmmod of idxd_vdcm (while a vDSA is open the module must refuse,
 *     EWOULDBLOCK or EBUSY; otherwise it must unload, then it is loaded
 *     again).
 *
 * A cycle is one vDSA's life, from create to its removal (by remove, by
 * unbind or by unload). The random sequence comes from a seed, printed
 * first; the same seed replays the same sequence. Afterwards: no vDSA is
 * left, every vDSA WQ is free and disabled (debugfs config), the host
 * PASIDs stayed (a vDSA on each WQ gets the PASIDs the first ones got),
 * and the host's own WQ still works.
 *
 * usage: lifecycle_soak BDF CYCLES [SEED]
 *
 * Output: TAP, one line per check; "# seed N" names the sequence.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "dsa_desc.h"
#include "iommufd_util.h"
#include "mdev_util.h"
#include "vdsa_regs.h"

#define TYPE		"idxd_vdcm-1dwq-v1"
#define MODULE		"idxd_vdcm"
#define DRIVER		"/sys/bus/pci/drivers/" MODULE

#define REGION(i)	((uint64_t)(i) << 40)
#define BAR2		REGION(VFIO_PCI_BAR2_REGION_INDEX)
#define PAGE		4096UL

/* Each open vDSA's memory: records, a source and a destination page ... */
#define IOVA_BASE	0x40000000UL
#define NPAGES		3
#define COMPL_PAGE	0	/* up to 128 completion records */
#define SRC_PAGE	1
#define DST_PAGE	2
/* ... and two pages in an IOAS area of their own, unmapped during DMA. */
#define IOVA_EXTRA	0x50000000UL

/* vDSAs alive at once, at most */
#define MAX_SLOTS	4
/* Descriptors in flight when a vDSA is closed under them */
#define IN_FLIGHT	8
/* How long an unbind or an unload may take, answering requests, in ms */
#define REMOVAL_MS	30000

static char bdf[64], debugfs[256];
static uint64_t rng_state;

/* xorshift64*: small, and the same sequence everywhere for a seed. */
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

enum slot_state { ABSENT, CREATED, OPEN };

struct slot {
	enum slot_state state;
	char uuid[64];
	int fd, iommufd, req;
	uint32_t ioas;
	uint8_t *mem, *extra;
	void *portal;
};

static struct slot slots[MAX_SLOTS];
static int nslots;
static unsigned long uuid_seq, cycles, step;
static struct {
	unsigned long creates, opens, copies, removes, closes, closes_in_flight;
	unsigned long unmaps, unmap_done, unmap_faulted, unbinds, unloads;
	unsigned long resets, reset_done, reset_dropped;
	unsigned long unload_refused, requests;
} n;

static void fail(const char *fmt, ...)
{
	int err = errno;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag("step %lu, cycle %lu: %s (errno %d)", step, cycles, msg, err);
}

static int read_config(char *buf, size_t size)
{
	return read_str(debugfs, buf, size);
}

static void *anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The slot's VFIO device and iommufd go; its memory stays if @keep_mem. */
static void slot_close(struct slot *s, int keep_mem)
{
	if (s->portal)
		munmap(s->portal, PAGE);
	if (s->fd >= 0)
		close(s->fd);
	if (s->iommufd >= 0)
		close(s->iommufd);
	if (s->req >= 0)
		close(s->req);
	if (!keep_mem && s->mem)
		munmap(s->mem, NPAGES * PAGE);
	if (s->extra)
		munmap(s->extra, 2 * PAGE);
	s->portal = NULL;
	s->mem = NULL;
	s->extra = NULL;
	s->fd = -1;
	s->iommufd = -1;
	s->req = -1;
	s->state = CREATED;
}

static int set_request(struct slot *s)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (void *)buf;

	s->req = eventfd(0, EFD_NONBLOCK);
	if (s->req < 0)
		return -errno;
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &s->req, sizeof(int));
	return ioctl(s->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/*
 * Open the created vDSA of @s: its cdev bound to a new iommufd, a new
 * IOAS with its memory attached, the request eventfd set, the limited
 * portal mapped.
 */
static int slot_open(struct slot *s)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char node[300];
	void *p;

	if (mdev_cdev_node(s->uuid, node, sizeof(node)))
		return -1;
	s->state = OPEN;
	s->fd = open(node, O_RDWR);
	s->iommufd = open("/dev/iommu", O_RDWR);
	s->mem = anon(NPAGES * PAGE);
	s->extra = anon(2 * PAGE);
	if (s->fd < 0 || s->iommufd < 0 || !s->mem || !s->extra)
		goto err;
	bind.iommufd = s->iommufd;
	if (ioctl(s->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) || ioas_alloc(s->iommufd, &s->ioas))
		goto err;
	if (ioas_map(s->iommufd, s->ioas, s->mem, IOVA_BASE, NPAGES * PAGE) ||
	    ioas_map(s->iommufd, s->ioas, s->extra, IOVA_EXTRA, 2 * PAGE))
		goto err;
	if (attach_pt(s->fd, s->ioas) || set_request(s))
		goto err;
	p = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, s->fd, BAR2 + PAGE);
	if (p == MAP_FAILED)
		goto err;
	s->portal = p;
	/* What a guest driver does first: enable the device and its WQ. */
	if (vdsa_enable(s->fd))
		goto err;
	return 0;
err:
	slot_close(s, 0);
	return -1;
}

static struct dsa_completion_record *record(struct slot *s, int i)
{
	return (void *)(s->mem + COMPL_PAGE * PAGE + i * 32);
}

static void memmove_desc(struct dsa_hw_desc *d, int rec, uint64_t src,
			 uint64_t dst, uint32_t len)
{
	dsa_desc_init(d, DSA_OPCODE_MEMMOVE, IOVA_BASE + COMPL_PAGE * PAGE + rec * 32);
	d->src_addr = src;
	d->dst_addr = dst;
	d->xfer_size = len;
}

static void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

/* A 4 KiB copy through the portal, checked byte for byte. */
static int use(struct slot *s)
{
	struct dsa_hw_desc d;
	uint8_t st;

	pattern(s->mem + SRC_PAGE * PAGE, PAGE, (unsigned int)step);
	memset(s->mem + DST_PAGE * PAGE, 0, PAGE);
	memmove_desc(&d, 0, IOVA_BASE + SRC_PAGE * PAGE, IOVA_BASE + DST_PAGE * PAGE, PAGE);
	st = dsa_submit(s->portal, false, &d, record(s, 0));
	if (st != DSA_COMP_SUCCESS ||
	    memcmp(s->mem + SRC_PAGE * PAGE, s->mem + DST_PAGE * PAGE, PAGE)) {
		fail("copy through %s: status %#x", s->uuid, st);
		return -1;
	}
	n.copies++;
	return 0;
}

/*
 * IN_FLIGHT copies of 512 bytes each, from the source page to successive
 * parts of the cleared destination page, submitted without waiting.
 */
static void submit_in_flight(struct slot *s)
{
	struct dsa_hw_desc d;
	int i;

	memset(record(s, 0), 0, IN_FLIGHT * 32);
	memset(s->mem + DST_PAGE * PAGE, 0, PAGE);
	pattern(s->mem + SRC_PAGE * PAGE, PAGE, (unsigned int)step);
	for (i = 0; i < IN_FLIGHT; i++) {
		memmove_desc(&d, i, IOVA_BASE + SRC_PAGE * PAGE,
			     IOVA_BASE + DST_PAGE * PAGE + i * 512, 512);
		dsa_movdir64b(s->portal, &d);
	}
}

/* Whether in-flight copy @i of submit_in_flight() in @mem completed, right. */
static int in_flight_done(const uint8_t *mem, int i)
{
	const struct dsa_completion_record *r = (const void *)(mem + COMPL_PAGE * PAGE + i * 32);

	return r->status == DSA_COMP_SUCCESS &&
	       !memcmp(mem + SRC_PAGE * PAGE, mem + DST_PAGE * PAGE + i * 512, 512);
}

/* Close with IN_FLIGHT copies submitted: all are done once close returns. */
static int close_in_flight(struct slot *s)
{
	uint8_t *mem = s->mem;
	int i, done = 0;

	submit_in_flight(s);
	slot_close(s, 1);
	for (i = 0; i < IN_FLIGHT; i++)
		done += in_flight_done(mem, i);
	munmap(mem, NPAGES * PAGE);
	if (done != IN_FLIGHT) {
		fail("close with %d in flight: %d done when it returned", IN_FLIGHT, done);
		return -1;
	}
	n.closes_in_flight++;
	return 0;
}

/*
 * A copy between the two pages of the separate area, which is unmapped
 * right after the submission: the copy completes or faults, and once the
 * area is mapped again a copy works.
 */
static int unmap_during_dma(struct slot *s)
{
	struct dsa_hw_desc d;
	uint8_t st;

	pattern(s->extra, PAGE, (unsigned int)step);
	memset(record(s, 1), 0, 32);
	memmove_desc(&d, 1, IOVA_EXTRA, IOVA_EXTRA + PAGE, PAGE);
	dsa_movdir64b(s->portal, &d);
	if (ioas_unmap(s->iommufd, s->ioas, IOVA_EXTRA, 2 * PAGE)) {
		fail("IOAS unmap during DMA");
		return -1;
	}
	st = dsa_wait(record(s, 1), DSA_WAIT_MS);
	/* Bit 7 of a fault's status says the access was a write. */
	if (st == DSA_COMP_SUCCESS) {
		n.unmap_done++;
	} else if ((st & 0x7f) == DSA_COMP_PAGE_FAULT_NOBOF) {
		n.unmap_faulted++;
	} else {
		fail("copy across an IOAS unmap: status %#x", st);
		return -1;
	}
	if (ioas_map(s->iommufd, s->ioas, s->extra, IOVA_EXTRA, 2 * PAGE)) {
		fail("IOAS map again");
		return -1;
	}
	memset(s->extra + PAGE, 0, PAGE);
	st = dsa_submit(s->portal, false, &d, record(s, 1));
	if (st != DSA_COMP_SUCCESS || memcmp(s->extra, s->extra + PAGE, PAGE)) {
		fail("copy after the area is mapped again: status %#x", st);
		return -1;
	}
	n.unmaps++;
	return 0;
}

/*
 * VFIO_DEVICE_RESET with IN_FLIGHT copies submitted: each either completed
 * (its data right) or was dropped (its record untouched); then the device
 * and WQ are enabled again and a copy works.
 */
static int reset_during_dma(struct slot *s)
{
	struct dsa_completion_record *r;
	uint8_t *mem = s->mem, seen[IN_FLIGHT];
	int i, done = 0, dropped = 0;

	submit_in_flight(s);
	if (ioctl(s->fd, VFIO_DEVICE_RESET)) {
		fail("VFIO_DEVICE_RESET with %d in flight", IN_FLIGHT);
		return -1;
	}
	for (i = 0; i < IN_FLIGHT; i++) {
		r = record(s, i);
		seen[i] = r->status;
		if (in_flight_done(mem, i)) {
			done++;
		} else if (r->status == 0) {
			dropped++;
		} else {
			fail("descriptor %d across a reset: status %#x", i, r->status);
			return -1;
		}
	}
	/* Once the reset returned, nothing may write any more. */
	usleep(2000);
	for (i = 0; i < IN_FLIGHT; i++)
		if (record(s, i)->status != seen[i]) {
			fail("record %d written after the reset returned", i);
			return -1;
		}
	n.reset_done += done;
	n.reset_dropped += dropped;
	if (vdsa_enable(s->fd)) {
		fail("enable after the reset");
		return -1;
	}
	n.resets++;
	return use(s);
}

static void gone(struct slot *s)
{
	s->state = ABSENT;
	cycles++;
}

static int (*removal_fn)(void);
static int removal_err, removal_done;

static void *removal_thread(void *arg)
{
	(void)arg;
	removal_err = removal_fn();
	__atomic_store_n(&removal_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Run @what (an unbind or an unload, which removes the vDSAs) in a thread
 * of this process (a child would hold the VFIO files open too), and close
 * every open vDSA whose request eventfd fires meanwhile. Returns 0, or the
 * negative errno @what failed with.
 */
static int removing(int (*what)(void))
{
	pthread_t thread;
	int i, ms = 0;

	removal_fn = what;
	removal_done = 0;
	if (pthread_create(&thread, NULL, removal_thread, NULL))
		return -EAGAIN;
	while (!__atomic_load_n(&removal_done, __ATOMIC_ACQUIRE)) {
		struct pollfd p[MAX_SLOTS];
		int np = 0, k = 0;

		for (i = 0; i < nslots; i++)
			if (slots[i].state == OPEN) {
				p[np].fd = slots[i].req;
				p[np++].events = POLLIN;
			}
		if (np && poll(p, np, 10) > 0) {
			for (i = 0; i < nslots; i++) {
				uint64_t cnt;

				if (slots[i].state != OPEN)
					continue;
				if (p[k++].revents & POLLIN &&
				    read(slots[i].req, &cnt, sizeof(cnt)) == sizeof(cnt)) {
					n.requests++;
					slot_close(&slots[i], 0);
				}
			}
		} else if (!np) {
			usleep(10000);
		}
		ms += 10;
		if (ms > REMOVAL_MS)
			/* Stuck in the kernel: the run fails, the runner sees the hang. */
			return -ETIMEDOUT;
	}
	pthread_join(thread, NULL);
	return removal_err;
}

static int do_unbind(void)
{
	return -write_str(DRIVER "/unbind", bdf);
}

static int do_unload(void)
{
	return syscall(SYS_delete_module, MODULE, O_NONBLOCK) ? -errno : 0;
}

/* After an unbind or an unload: every vDSA is gone, open ones closed. */
static int all_gone(const char *what)
{
	int i;

	for (i = 0; i < nslots; i++) {
		if (slots[i].state == OPEN) {
			fail("%s: %s still open, never asked to close", what, slots[i].uuid);
			return -1;
		}
		if (slots[i].state == CREATED) {
			if (mdev_exists(slots[i].uuid)) {
				fail("%s: %s still exists", what, slots[i].uuid);
				return -1;
			}
			gone(&slots[i]);
		}
	}
	return 0;
}

static int bound(void)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), DRIVER "/%s", bdf);
	return stat(path, &st) == 0 && stat(types_dir, &st) == 0;
}

static int unbind_rebind(void)
{
	int err = removing(do_unbind);

	if (err) {
		errno = -err;
		fail("unbind of %s", bdf);
		return -1;
	}
	if (all_gone("unbind"))
		return -1;
	if (write_str(DRIVER "/bind", bdf) || !bound()) {
		fail("bind of %s again", bdf);
		return -1;
	}
	n.unbinds++;
	return 0;
}

static int unload(void)
{
	int i, open = 0, err;

	for (i = 0; i < nslots; i++)
		open += slots[i].state == OPEN;
	err = removing(do_unload);
	if (err == -EWOULDBLOCK || err == -EBUSY) {
		/* Refused: nothing may have changed. */
		if (!open) {
			errno = -err;
			fail("rmmod refused with no vDSA open");
			return -1;
		}
		for (i = 0; i < nslots; i++)
			if (slots[i].state != ABSENT && !mdev_exists(slots[i].uuid)) {
				fail("rmmod refused, yet %s is gone", slots[i].uuid);
				return -1;
			}
		n.unload_refused++;
		return 0;
	}
	if (err) {
		errno = -err;
		fail("rmmod");
		return -1;
	}
	if (all_gone("rmmod"))
		return -1;
	if (system("modprobe " MODULE) || !bound()) {
		fail("modprobe " MODULE " again");
		return -1;
	}
	n.unloads++;
	return 0;
}

/* One random step on a random slot. */
static int one_step(void)
{
	struct slot *s = &slots[rnd(nslots)];
	uint32_t r = rnd(1000);

	/* Rare events of the whole DSA. */
	if (r < 2)
		return unbind_rebind();
	if (r < 4)
		return unload();

	switch (s->state) {
	case ABSENT:
		sprintf(s->uuid, "50a10000-0000-4000-8000-%012lx", uuid_seq++);
		if (mdev_create(s->uuid)) {
			fail("create %s", s->uuid);
			return -1;
		}
		s->state = CREATED;
		n.creates++;
		return 0;
	case CREATED:
		if (r < 400) {
			if (mdev_remove(s->uuid)) {
				fail("remove %s", s->uuid);
				return -1;
			}
			gone(s);
			n.removes++;
			return 0;
		}
		if (slot_open(s)) {
			fail("open %s", s->uuid);
			return -1;
		}
		n.opens++;
		/* A vDSA is used once open: that is the cycle's copy. */
		return use(s);
	case OPEN:
		if (r < 100)
			return close_in_flight(s);
		if (r < 200)
			return unmap_during_dma(s);
		if (r < 300)
			return reset_during_dma(s);
		if (r < 550)
			return use(s);
		slot_close(s, 0);
		n.closes++;
		return 0;
	}
	return -1;
}

/* "vdsa_wqs FIRST-LAST size N taken MASK" and the vdsa_wq lines. */
static int wq_state(unsigned long *taken, int *enabled, int pasids[64], int *first, int *last)
{
	char buf[8192], *p;
	int wq, pasid;
	char state[16];

	if (read_config(buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "vdsa_wqs ");
	if (!p || sscanf(p, "vdsa_wqs %d-%d size %*d taken %lx", first, last, taken) != 3)
		return -1;
	*enabled = 0;
	for (p = buf; (p = strstr(p, "\nvdsa_wq ")); p++) {
		if (sscanf(p, "\nvdsa_wq %d %15s pasid %d", &wq, state, &pasid) != 3 ||
		    wq < 0 || wq >= 64)
			return -1;
		*enabled += !strcmp(state, "enabled");
		pasids[wq] = pasid;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Create a vDSA on every free WQ and give the sorted host PASIDs their
 * WQs hold in @out (count in *@count); remove them again.
 */
static int pasids_of_all(int *out, int *count, long avail)
{
	int pasids[64] = { 0 }, first, last, enabled, i, k = 0;
	unsigned long taken;
	char uuid[64];
	int ok = 1;

	for (i = 0; i < avail; i++) {
		sprintf(uuid, "50a1ffff-0000-4000-8000-%012x", i);
		ok &= !mdev_create(uuid);
	}
	if (ok && !wq_state(&taken, &enabled, pasids, &first, &last))
		for (i = first; i <= last && i < 64; i++)
			if (taken & (1UL << i))
				out[k++] = pasids[i];
	for (i = 0; i < avail; i++) {
		sprintf(uuid, "50a1ffff-0000-4000-8000-%012x", i);
		ok &= !mdev_remove(uuid);
	}
	qsort(out, k, sizeof(*out), cmp_int);
	*count = k;
	return ok && k == avail ? 0 : -1;
}

static int host_job(const char *spec)
{
	char path[300];

	snprintf(path, sizeof(path), "/sys/kernel/debug/" MODULE "-%s/submit", bdf);
	return write_str(path, spec);
}

int main(int argc, char **argv)
{
	int before[64], after[64], nbefore = 0, nafter = 0, pasids[64], first, last;
	int enabled = -1, ok, i;
	unsigned long target, taken = ~0UL;
	struct timespec t0, t1;
	unsigned long long seed;
	long avail;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BDF CYCLES [SEED]\n", argv[0]);
		return 2;
	}
	snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	target = strtoul(argv[2], NULL, 0);
	if (argc > 3) {
		seed = strtoull(argv[3], NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &t0);
		seed = (unsigned long long)t0.tv_sec * 1000003 ^ t0.tv_nsec ^ getpid();
	}
	rng_state = seed ? seed : 1;
	snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/" MODULE "-%s/config", bdf);
	snprintf(types_dir, sizeof(types_dir),
		 "/sys/bus/pci/devices/%s/mdev_supported_types/" TYPE, bdf);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	printf("# seed %llu (replay: lifecycle_soak %s %lu %llu)\n", seed, bdf, target, seed);

	avail = type_long("available_instances");
	if (!result(avail >= 1 && !pasids_of_all(before, &nbefore, avail),
		    "%s offers %ld vDSAs; a vDSA on each gets a host PASID", bdf, avail)) {
		printf("1..%d\n", test_n);
		return 1;
	}
	nslots = avail < MAX_SLOTS ? avail : MAX_SLOTS;
	for (i = 0; i < nslots; i++) {
		slots[i].state = ABSENT;
		slots[i].fd = -1;
		slots[i].iommufd = -1;
		slots[i].req = -1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = 1;
	for (step = 0; cycles < target; step++) {
		if (one_step()) {
			ok = 0;
			break;
		}
	}
	/* The end of every vDSA still alive is a cycle too. */
	for (i = 0; ok && i < nslots; i++) {
		if (slots[i].state == OPEN) {
			slot_close(&slots[i], 0);
			n.closes++;
		}
		if (slots[i].state == CREATED) {
			ok = !mdev_remove(slots[i].uuid);
			gone(&slots[i]);
			n.removes++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %lu steps, %lu cycles in %.1f s\n", step, cycles,
	       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("# %lu creates, %lu opens, %lu copies, %lu closes, %lu removes\n",
	       n.creates, n.opens, n.copies, n.closes, n.removes);
	printf("# %lu closes with %d descriptors in flight\n", n.closes_in_flight, IN_FLIGHT);
	printf("# %lu IOAS unmaps during DMA: %lu copies done, %lu faulted\n",
	       n.unmaps, n.unmap_done, n.unmap_faulted);
	printf("# %lu resets during DMA: %lu descriptors done, %lu dropped\n",
	       n.resets, n.reset_done, n.reset_dropped);
	printf("# %lu unbind/bind, %lu unloads, %lu unloads refused while a vDSA was open\n",
	       n.unbinds, n.unloads, n.unload_refused);
	printf("# %lu close requests answered\n", n.requests);
	result(ok, "%lu vDSA lifecycles, randomly interleaved (seed %llu)", cycles, seed);

	result(type_long("available_instances") == avail && bound(),
	       "afterwards: the DSA is bound and offers %ld vDSAs again", avail);
	ok = !wq_state(&taken, &enabled, pasids, &first, &last);
	result(ok && taken == 0 && enabled == 0,
	       "afterwards: every vDSA WQ is free and disabled (taken %#lx, %d enabled)",
	       taken, enabled);
	ok = !pasids_of_all(after, &nafter, avail) && nafter == nbefore &&
	     !memcmp(before, after, nafter * sizeof(int));
	result(ok, "afterwards: a vDSA on each WQ gets the host PASIDs of the first ones (%d..%d)",
	       nafter ? after[0] : -1, nafter ? after[nafter - 1] : -1);
	result(!host_job("memmove dwq 4096 10"), "afterwards: the host's own WQ works");
	return ktap_finish();
}
