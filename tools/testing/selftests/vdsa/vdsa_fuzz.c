// SPDX-License-Identifier: GPL-2.0
/*
 * A VFIO fuzzer for vDSAs: random configuration space and BAR0 accesses of
 * any offset and size, commands with any operand, SET_IRQS requests,
 * resets, mmap attempts, IOAS unmaps, remaps and replaces, random
 * descriptors through the portal, mapped or trapped (pwrite to BAR 2, any
 * size and offset), random migration states, data file
 * reads and writes (random bytes, or a saved stream with bytes changed)
 * and dirty log requests, on one vDSA, while a second vDSA (in a child
 * process) and the host's own dedicated WQ run verified copies.
 *
 * After every batch of operations: the other vDSA's and the host's copies
 * are right, nothing reached the other vDSA (its SWERR, INTCAUSE and
 * vector 0 stay quiet), the kernel log grows by a bounded amount. Every
 * tenth batch and at the end, the fuzzed vDSA resets to a working state.
 *
 * usage: vdsa_fuzz BDF [OPS [SEED]]
 *   OPS: operations (default 10000); SEED: the random seed (default: from
 *   the clock), printed so that a run can be repeated. With VDSA_FUZZ_TRACE
 *   set in the environment, each operation is named on stderr first, so
 *   that the last one named is the one a hang is in. With VDSA_TYPE=1swq-v1,
 *   both vDSAs are of that type: on the same shared WQ, their portals
 *   trapped.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "vdsa_dev.h"

#define BATCH		100
#define NFDS		4
/* A page only the other vDSA maps, at this IOVA of its own address space. */
#define IOVA_OTHER	0x60000000UL

/* Shared with the children. */
struct shared {
	volatile int stop;
	volatile long victim_copies, victim_bad, victim_noise;
	volatile long host_jobs, host_bad;
	volatile long cross_attempts, cross_faults;
};

static struct shared *sh;
static uint64_t rng, seed;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* The other vDSA: verified copies until told to stop. */
static void victim(const char *uuid)
{
	uint8_t *canary;
	struct vdsa v;
	uint64_t cnt;
	int ev0, i;

	canary = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (canary == MAP_FAILED || cdev_open(uuid, &v, 1) ||
	    ioas_map(v.iommufd, v.ioas, canary, IOVA_OTHER, PAGE)) {
		sh->victim_bad++;
		return;
	}
	memset(canary, 0x5a, PAGE);
	ev0 = eventfd(0, EFD_NONBLOCK);
	vfio_set_eventfds(v.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &ev0);
	bar0_write32(v.fd, R_GENCTRL, GENCTRL_SOFTERR | GENCTRL_HALT);
	for (i = 0; !sh->stop; i++) {
		pattern(page(&v, SRC_PAGE), PAGE, i);
		memset(page(&v, DST_PAGE), 0, PAGE);
		if (memmove_iova(&v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) != DSA_COMP_SUCCESS ||
		    memcmp(page(&v, SRC_PAGE), page(&v, DST_PAGE), PAGE))
			sh->victim_bad++;
		sh->victim_copies++;
		if (bar0_read64(v.fd, R_SWERR) || bar0_read32(v.fd, R_INTCAUSE) ||
		    read(ev0, &cnt, sizeof(cnt)) == sizeof(cnt))
			sh->victim_noise++;
		if (!all_bytes(canary, PAGE, 0x5a))
			sh->victim_bad++;
	}
	vdsa_close(&v);
	close(ev0);
}

/* The host's dedicated WQ: verified jobs until told to stop. */
static void host(void)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/idxd_vdcm-%s/submit", bdf);
	while (!sh->stop) {
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "memmove dwq 4096 20", 19) != 19)
			sh->host_bad++;
		if (fd >= 0)
			close(fd);
		sh->host_jobs++;
	}
}

/* The fuzzed vDSA. */
static struct vdsa f;
static int evfds[NFDS];
static uint32_t ioas2;
static long long log_bytes0;
static long ops_by_kind[11];
/* The last migration data fd, a stream saved from F, its length. */
static int data_fd = -1;
static uint8_t saved[1024];
static size_t saved_len;
/* Data fd reads and writes that failed with an unexpected error. */
static long data_odd;
/* VDSA_FUZZ_TRACE set: each operation's kind on stderr, for a hang. */
static int trace;
/*
 * The dirty bitmap of the log reports: the kernel writes as much of it as
 * the range asked for needs, up to the guard page after it.
 */
#define BITMAP_PAGES	4
static uint64_t *dirty_bitmap;

static long long log_bytes(void)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf));

	return n < 0 ? 0 : n;
}

/* An offset that is usually near a register or a boundary. */
static uint64_t offset(uint64_t size)
{
	switch (below(4)) {
	case 0:
		return below(size + 64);
	case 1:
		return below(size / 8) * 8;
	case 2:
		return (size - 8 + below(24)) & ~0ull;
	default:
		return R_GENCTRL + below(0x60);
	}
}

static size_t access_size(void)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 8, 16, 0, 4, 8, 4096 };

	return sizes[below(10)];
}

static void op_region(int write, uint64_t region, uint64_t size)
{
	static uint8_t buf[4096];
	size_t len = access_size();
	uint64_t off = offset(size);
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = rnd();
	vdsa_rw(f.fd, write, region, off, buf, len);
}

static void op_command(void)
{
	uint32_t code = below(4) ? 1 + below(14) : below(32);

	vdsa_cmd(f.fd, code, rnd(), below(2));
}

static void op_set_irqs(void)
{
	char buf[sizeof(struct vfio_irq_set) + 4 * 8];
	struct vfio_irq_set *s = (void *)buf;
	static const uint32_t actions[] = { VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
					    VFIO_IRQ_SET_ACTION_TRIGGER, 1 << 7 };
	static const uint32_t data[] = { VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
					 VFIO_IRQ_SET_DATA_EVENTFD, 1 << 3 };
	unsigned int i, n = below(4);

	s->index = below(3) ? VFIO_PCI_MSIX_IRQ_INDEX : below(8);
	s->start = below(4) ? below(2) : rnd();
	s->count = n;
	s->flags = actions[below(4)] | data[below(4)];
	for (i = 0; i < 8; i++) {
		int fd = below(4) ? evfds[below(NFDS)] : below(3) ? -1 : (int)(rnd() % 1000);

		memcpy(s->data + 4 * i, &fd, 4);
	}
	s->argsz = below(8) ? sizeof(*s) + 4 * n : below(sizeof(buf) + 1);
	ioctl(f.fd, VFIO_DEVICE_SET_IRQS, s);
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_WRITE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_EXEC };
	uint64_t region = VDSA_REGION(below(4) ? VFIO_PCI_BAR2_REGION_INDEX : below(10));
	size_t len = (1 + below(4)) * PAGE;
	void *p = mmap(NULL, len, prots[below(4)], below(4) ? MAP_SHARED : MAP_PRIVATE, f.fd,
		       region + below(5) * PAGE);

	if (p != MAP_FAILED)
		munmap(p, len);
}

static void op_ioas(void)
{
	switch (below(3)) {
	case 0:
		/* Unmap the vDSA's memory, maybe while descriptors use it, and map it back. */
		ioas_unmap(f.iommufd, f.ioas, IOVA_BASE, NPAGES * PAGE);
		ioas_map(f.iommufd, f.ioas, f.mem, IOVA_BASE, NPAGES * PAGE);
		break;
	case 1:
		/* Replace the address space with an empty one, then back. */
		attach_pt(f.fd, ioas2);
		attach_pt(f.fd, f.ioas);
		break;
	default:
		/* A bad attach. */
		attach_pt(f.fd, rnd());
		break;
	}
}

static void op_descriptor(void)
{
	struct dsa_hw_desc d;
	uint64_t q[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		q[i] = rnd();
	memcpy(&d, q, sizeof(d));
	if (below(2)) {
		/* Mostly plausible: a known opcode, addresses in the vDSA's memory. */
		d.opcode = below(0x20);
		d.completion_addr = compl_iova(below(128)) + (below(8) ? 0 : below(32));
		d.src_addr = IOVA(below(NPAGES)) + below(PAGE);
		d.dst_addr = IOVA(below(NPAGES)) + below(PAGE);
		d.xfer_size = below(2 * PAGE);
	}
	if (below(4) && f.portal != MAP_FAILED) {
		dsa_movdir64b(f.portal, &d);
		return;
	}
	/*
	 * Through the trapped portal: mostly a whole descriptor at a slot of
	 * the portal pages, else any size at any offset of BAR 2.
	 */
	if (below(4))
		pwrite(f.fd, &d, sizeof(d), VDSA_REGION(VFIO_PCI_BAR2_REGION_INDEX) +
		       below(2 * PAGE / 64) * 64);
	else
		pwrite(f.fd, &d, below(sizeof(d) + 1),
		       VDSA_REGION(VFIO_PCI_BAR2_REGION_INDEX) + below(5 * PAGE));
}

/*
 * A migration state (any value), then with the data fd it gave: reads, or
 * writes of random bytes or of the saved stream with a few bytes changed;
 * or a dirty log request with random ranges.
 */
static void op_migration(void)
{
	static const uint32_t states[] = {
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP_COPY,
		VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_RUNNING_P2P,
	};
	struct vfio_device_feature_dma_logging_range range[2];
	struct vfio_device_feature_dma_logging_control ctl;
	struct vfio_device_feature_dma_logging_report rep;
	uint8_t buf[1024];
	int fd, i, n;

	n = below(6);
	if (trace)
		fprintf(stderr, "migration op %d\n", n);
	switch (n) {
	case 0:
		fd = mig_set_state(f.fd, below(4) ? states[below(ARRAY_SIZE(states))] : rnd());
		if (fd >= 0) {
			if (data_fd >= 0)
				close(data_fd);
			data_fd = fd;
		}
		break;
	case 1:
		if (data_fd < 0)
			break;
		n = read(data_fd, buf, 1 + below(sizeof(buf)));
		if (n < 0 && errno != ENODEV && errno != EBADF)
			data_odd++;
		if (n > 0 && saved_len + n <= sizeof(saved)) {
			memcpy(saved + saved_len, buf, n);
			saved_len += n;
		}
		break;
	case 2:
		if (data_fd < 0)
			break;
		n = 1 + below(sizeof(buf));
		if (saved_len && below(2)) {
			n = saved_len;
			memcpy(buf, saved, n);
			for (i = below(3); i >= 0; i--)
				buf[below(n)] ^= 1 << below(8);
		} else {
			for (i = 0; i < n; i++)
				buf[i] = rnd();
		}
		if (write(data_fd, buf, n) < 0 && errno != EINVAL && errno != ENODEV &&
		    errno != EBADF)
			data_odd++;
		break;
	case 3:
		for (i = 0; i < 2; i++) {
			range[i].iova = below(2) ? IOVA_BASE + below(NPAGES) * PAGE : rnd();
			range[i].length = below(2) ? PAGE * (1 + below(NPAGES)) : rnd();
		}
		ctl = (struct vfio_device_feature_dma_logging_control){
			.page_size = below(2) ? PAGE : rnd(), .num_ranges = below(3),
			.ranges = (uintptr_t)range,
		};
		vfio_feature(f.fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
			     &ctl, sizeof(ctl));
		break;
	case 4:
		rep = (struct vfio_device_feature_dma_logging_report){
			.iova = below(2) ? IOVA_BASE : rnd(),
			.length = below(2) ? PAGE * (1 + below(8 * 64)) : rnd(),
			.page_size = below(2) ? PAGE : rnd(), .bitmap = (uintptr_t)dirty_bitmap,
		};
		if (trace)
			fprintf(stderr, "report iova %#llx length %#llx page size %#llx\n",
				(unsigned long long)rep.iova, (unsigned long long)rep.length,
				(unsigned long long)rep.page_size);
		vfio_feature(f.fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
			     &rep, sizeof(rep));
		break;
	default:
		vfio_feature(f.fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
			     NULL, 0);
		break;
	}
}

static void op_reset(void)
{
	ioctl(f.fd, VFIO_DEVICE_RESET);
}

static void one_op(void)
{
	unsigned int k = below(11);

	if (trace)
		fprintf(stderr, "op kind %u\n", k);
	ops_by_kind[k]++;
	switch (k) {
	case 0:
		op_region(0, VDSA_CFG, 4096);
		break;
	case 1:
		op_region(1, VDSA_CFG, 4096);
		break;
	case 2:
		op_region(0, VDSA_BAR0, 4096);
		break;
	case 3:
		op_region(1, VDSA_BAR0, 4096);
		break;
	case 4:
		op_command();
		break;
	case 5:
		op_set_irqs();
		break;
	case 6:
		op_mmap();
		break;
	case 7:
		op_ioas();
		break;
	case 8:
		op_descriptor();
		op_descriptor();
		break;
	case 9:
		op_migration();
		break;
	default:
		below(8) ? op_command() : op_reset();
		break;
	}
}

/*
 * The fuzzed vDSA reads and writes the page only the other vDSA maps (at
 * an IOVA its own address space does not map): both must fault.
 */
static void cross(void)
{
	struct dsa_hw_desc d;
	uint64_t at;
	int i, w;

	for (i = 0; i < 10; i++) {
		w = i & 1;
		at = IOVA_OTHER + below(PAGE / 64) * 64;
		dsa_desc_init(&d, DSA_OPCODE_MEMMOVE, compl_iova(0));
		d.src_addr = w ? IOVA(SRC_PAGE) : at;
		d.dst_addr = w ? at : IOVA(DST_PAGE);
		d.xfer_size = 64;
		sh->cross_attempts++;
		if ((submit(&f, &d) & 0x7f) == DSA_COMP_PAGE_FAULT_NOBOF)
			sh->cross_faults++;
	}
}

/* The fuzzed vDSA, reset, enabled again, copies right. */
static int recovers(void)
{
	int ok;

	ok = !ioctl(f.fd, VFIO_DEVICE_RESET);
	ok &= !attach_pt(f.fd, f.ioas);
	ioas_unmap(f.iommufd, f.ioas, IOVA_BASE, NPAGES * PAGE);
	ok &= !ioas_map(f.iommufd, f.ioas, f.mem, IOVA_BASE, NPAGES * PAGE);
	ok &= !vdsa_enable(f.fd);
	pattern(page(&f, SRC_PAGE), PAGE, 3);
	memset(page(&f, DST_PAGE), 0, PAGE);
	ok &= memmove_iova(&f, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS &&
	      !memcmp(page(&f, SRC_PAGE), page(&f, DST_PAGE), PAGE);
	if (ok)
		cross();
	return ok;
}

int main(int argc, char **argv)
{
	long ops = argc > 2 ? atol(argv[2]) : 10000, done, batches = 0, bad_recover = 0;
	char uf[64], uv[64];
	long long grew, bound;
	pid_t kids[2];
	time_t t0;
	int i, ok;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [OPS [SEED]]\n", argv[0]);
		return 2;
	}
	rng = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	if (!rng)
		rng = 1;
	seed = rng;
	select_dsa(argv[1]);
	trace = !!getenv("VDSA_FUZZ_TRACE");
	printf("TAP version 13\n# seed %#llx, %ld operations\n", (unsigned long long)seed, ops);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	make_uuid(uf, 0x8000);
	make_uuid(uv, 0x8001);
	if (!result(sh != MAP_FAILED && !mdev_create(uf) && !mdev_create(uv) &&
		    !cdev_open(uf, &f, 1) && !ioas_alloc(f.iommufd, &ioas2),
		    "create vDSAs F (fuzzed) and V, open F"))
		return 1;
	for (i = 0; i < NFDS; i++)
		evfds[i] = eventfd(0, EFD_NONBLOCK);
	dirty_bitmap = mmap(NULL, (BITMAP_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dirty_bitmap == MAP_FAILED ||
	    mprotect((uint8_t *)dirty_bitmap + BITMAP_PAGES * PAGE, PAGE, PROT_NONE))
		return 1;
	kids[0] = fork();
	if (!kids[0]) {
		victim(uv);
		_exit(0);
	}
	kids[1] = fork();
	if (!kids[1]) {
		host();
		_exit(0);
	}
	log_bytes0 = log_bytes();
	t0 = time(NULL);
	for (done = 0; done < ops; batches++) {
		for (i = 0; i < BATCH && done < ops; i++, done++)
			one_op();
		if (sh->victim_bad || sh->victim_noise || sh->host_bad)
			break;
		if (batches % 10 == 9 && !recovers()) {
			bad_recover++;
			diag("batch %ld: the fuzzed vDSA did not recover", batches);
			break;
		}
	}
	/* Let the others run a little longer, past the last operations. */
	usleep(200000);
	sh->stop = 1;
	waitpid(kids[0], NULL, 0);
	waitpid(kids[1], NULL, 0);
	diag("operations by kind: cfg r %ld w %ld, bar0 r %ld w %ld, cmd %ld, set_irqs %ld, mmap %ld, ioas %ld, desc %ld, migration %ld, cmd/reset %ld",
	     ops_by_kind[0], ops_by_kind[1], ops_by_kind[2], ops_by_kind[3], ops_by_kind[4],
	     ops_by_kind[5], ops_by_kind[6], ops_by_kind[7], ops_by_kind[8], ops_by_kind[9],
	     ops_by_kind[10]);
	result(done == ops, "%ld of %ld operations on F in %ld batches, seed %#llx", done, ops,
	       batches, (unsigned long long)seed);
	result(sh->victim_copies > 0 && !sh->victim_bad && !sh->victim_noise,
	       "V: %ld verified copies, %ld wrong, %ld errors or interrupts it did not cause",
	       sh->victim_copies, sh->victim_bad, sh->victim_noise);
	result(sh->host_jobs > 0 && !sh->host_bad, "host: %ld jobs of 20 verified copies, %ld failed",
	       sh->host_jobs, sh->host_bad);
	ok = !bad_recover && recovers();
	result(ok, "F resets to a working state (every 10 batches and at the end)");
	result(sh->cross_attempts > 0 && sh->cross_faults == sh->cross_attempts,
	       "F's reads and writes of a page only V maps: %ld attempts, %ld faulted, V's page intact",
	       sh->cross_attempts, sh->cross_faults);
	grew = log_bytes() - log_bytes0;
	bound = 4096 + 2000 * (long long)(time(NULL) - t0 + 1);
	result(grew <= bound, "the kernel log grew by %lld bytes in %lld s (bound %lld)", grew,
	       (long long)(time(NULL) - t0), bound);
	result(!data_odd, "migration data fds: reads and writes fail only with EINVAL, ENODEV or EBADF (%ld others)",
	       data_odd);
	if (data_fd >= 0)
		close(data_fd);
	vdsa_close(&f);
	result(!mdev_remove(uf) && !mdev_remove(uv) && !mdev_exists(uf),
	       "remove both");
	return ktap_finish();
}
