// SPDX-License-Identifier: GPL-2.0
/*
 * Migration of a vDSA through the VFIO migration uAPI (v2), as a VMM does
 * it, on two vDSAs A and B of one DSA (different WQs, host PASIDs and IMS
 * entries), opened through their VFIO cdevs and iommufd, or through their
 * groups and the container iommufd emulates:
 *
 * - the features: STOP_COPY and P2P, the stream's size, the DMA log;
 * - A, enabled with an interrupt handle and copies in flight, quiesced
 *   (RUNNING_P2P): every copy completed by then; BAR0 writes refused;
 *   saved (STOP_COPY), read to its end; the data file ends with the state;
 *   sent back to RUNNING, A copies on with its handle;
 * - B resumes A's stream, written in 1-, 7- and 4096-byte pieces: its
 *   configuration space and registers are A's, but for the interrupt
 *   handle, which is revoked (INTCAUSE bit 31 on vector 0); B's guest
 *   gets a handle of its own; a descriptor with A's old handle completes
 *   with 0x19 and raises nothing; copies with the new one are verified and
 *   raise vector 1;
 * - bad streams (each header field, the CRC, a body byte, short, long) are
 *   refused, at write() or at RESUMING -> STOP, and leave B as it was;
 *   VFIO_DEVICE_RESET gets B out of RESUMING; invalid states are refused;
 * - the dirty log reports A's memory dirty while its WQ may write it, and
 *   clean once reported after the WQ stopped;
 * - a data file outlives its device: reads and writes fail with ENODEV after
 *   the device is closed and removed.
 *
 * usage: vdsa_migrate_test BDF cdev|group
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include "vdsa_dev.h"
#include "ktap.h"

#define INTCAUSE_REVOKED	(1u << 31)
#define COMP_INT_HANDLE_INVAL	0x19
#define IN_FLIGHT		16
#define MSIX			VFIO_PCI_MSIX_IRQ_INDEX

static int use_cdev;

/* A vDSA with the eventfds of its vectors 0 and 1. */
struct dev {
	struct vdsa v;
	int ev[2];
	char uuid[64];
};

static int log_start(int fd)
{
	struct vfio_device_feature_dma_logging_range r = {
		.iova = IOVA_BASE, .length = NPAGES * PAGE,
	};
	struct vfio_device_feature_dma_logging_control c = {
		.page_size = PAGE, .num_ranges = 1, .ranges = (uintptr_t)&r,
	};

	return vfio_feature(fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
		       &c, sizeof(c));
}

static int log_stop(int fd)
{
	return vfio_feature(fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
		       NULL, 0);
}

/* A report of [@iova, @iova + @length): 0 or -errno. */
static int log_report(int fd, uint64_t iova, uint64_t length)
{
	uint64_t bitmap[(NPAGES + 63) / 64] = {};
	struct vfio_device_feature_dma_logging_report r = {
		.iova = iova, .length = length, .page_size = PAGE, .bitmap = (uintptr_t)bitmap,
	};

	return vfio_feature(fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
			    &r, sizeof(r));
}

/* The pages of A's memory the log reports dirty, or -errno. */
static int log_dirty(int fd)
{
	uint64_t bitmap[(NPAGES + 63) / 64] = {};
	struct vfio_device_feature_dma_logging_report r = {
		.iova = IOVA_BASE, .length = NPAGES * PAGE, .page_size = PAGE,
		.bitmap = (uintptr_t)bitmap,
	};
	int ret = vfio_feature(fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
			  &r, sizeof(r));
	int i, n = 0;

	if (ret)
		return ret;
	for (i = 0; i < NPAGES; i++)
		n += !!(bitmap[i / 64] & (1ull << (i % 64)));
	return n;
}

static int dev_open(struct dev *d, unsigned int n)
{
	int ret;

	make_uuid(d->uuid, n);
	d->ev[0] = d->ev[1] = -1;
	if (mdev_create(d->uuid))
		return -1;
	ret = use_cdev ? cdev_open(d->uuid, &d->v, 1) : group_open(d->uuid, &d->v);
	if (ret)
		return ret;
	d->ev[0] = eventfd(0, EFD_NONBLOCK);
	d->ev[1] = eventfd(0, EFD_NONBLOCK);
	if (d->ev[0] < 0 || d->ev[1] < 0)
		return -errno;
	return vfio_set_eventfds(d->v.fd, MSIX, 0, 2, d->ev);
}

static void dev_close(struct dev *d)
{
	vdsa_close(&d->v);
	if (d->ev[0] >= 0)
		close(d->ev[0]);
	if (d->ev[1] >= 0)
		close(d->ev[1]);
	d->ev[0] = d->ev[1] = -1;
}

/* The interrupt handle for vector 1, or -1. */
static int request_handle(int fd)
{
	uint32_t sts = vdsa_cmd(fd, C_REQUEST_INT_HANDLE, 1, 0);

	return sts & 0xff ? -1 : (int)(sts >> 8 & 0xffff);
}

/*
 * A verified 4 KiB copy through @d's portal, with a completion interrupt
 * on @handle; returns the record's status (0 if none came), and whether
 * vector 1 fired in *@irq.
 */
static uint8_t copy_irq(struct dev *d, int handle, unsigned int seed, int *irq)
{
	struct dsa_hw_desc desc;
	uint8_t st;

	pattern(page(&d->v, SRC_PAGE), PAGE, seed);
	memset(page(&d->v, DST_PAGE), 0, PAGE);
	fired(d->ev[1], 0);
	dsa_desc_init(&desc, DSA_OPCODE_MEMMOVE, compl_iova(0));
	desc.src_addr = IOVA(SRC_PAGE);
	desc.dst_addr = IOVA(DST_PAGE);
	desc.xfer_size = PAGE;
	desc.flags |= IDXD_OP_FLAG_RCI;
	desc.int_handle = handle;
	st = submit(&d->v, &desc);
	*irq = fired(d->ev[1], st == DSA_COMP_SUCCESS ? 2000 : 200);
	if (st == DSA_COMP_SUCCESS &&
	    memcmp(page(&d->v, SRC_PAGE), page(&d->v, DST_PAGE), PAGE))
		return 0xff;
	return st;
}

/* Submits IN_FLIGHT copies of 4 KiB without waiting, records 1 to IN_FLIGHT. */
static void submit_in_flight(struct dev *d)
{
	struct dsa_hw_desc desc;
	int i;

	for (i = 1; i <= IN_FLIGHT; i++) {
		memset(compl(&d->v, i), 0, 32);
		dsa_desc_init(&desc, DSA_OPCODE_MEMMOVE, compl_iova(i));
		desc.src_addr = IOVA(SRC_PAGE + i % 16);
		desc.dst_addr = IOVA(DST_PAGE + i % 16);
		desc.xfer_size = PAGE;
		dsa_movdir64b(d->v.portal, &desc);
	}
}

static int all_completed(struct dev *d)
{
	int i;

	for (i = 1; i <= IN_FLIGHT; i++)
		if (__atomic_load_n(&compl(&d->v, i)->status, __ATOMIC_ACQUIRE) != DSA_COMP_SUCCESS)
			return 0;
	return 1;
}

/* Reads what the data fd gives until its end; returns the bytes or -errno. */
static ssize_t read_all(int fd, uint8_t *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, size - n)) > 0)
		n += r;
	return r < 0 ? -errno : (ssize_t)n;
}

/* Writes @len bytes of @buf in pieces of @piece; returns 0 or -errno. */
static int write_pieces(int fd, const uint8_t *buf, size_t len, size_t piece)
{
	size_t n = 0;

	while (n < len) {
		size_t k = len - n < piece ? len - n : piece;
		ssize_t w = write(fd, buf + n, k);

		if (w < 0)
			return -errno;
		n += w;
	}
	return 0;
}

/* Configuration space (256 bytes) and BAR0 (4 KiB) of a vDSA. */
struct regs {
	uint8_t cfg[256];
	uint32_t bar0[1024];
};

static int read_regs(int fd, struct regs *r)
{
	unsigned int off;

	if (vdsa_rw(fd, 0, VDSA_CFG, 0, r->cfg, sizeof(r->cfg)))
		return -1;
	for (off = 0; off < 4096; off += 4)
		r->bar0[off / 4] = bar0_read32(fd, off);
	return 0;
}

/*
 * Resumes @stream of @len bytes on @fd, written in pieces of @piece; leaves
 * the device in STOP. Returns 0, or where it was refused: 1 at write(), 2 at
 * RESUMING -> STOP, -1 if the set-up failed.
 */
static int resume(int fd, const uint8_t *stream, size_t len, size_t piece)
{
	int dfd = mig_set_state(fd, VFIO_DEVICE_STATE_RESUMING), ret = 0;

	if (dfd < 0)
		return -1;
	if (write_pieces(dfd, stream, len, piece))
		ret = 1;
	else if (mig_set_state(fd, VFIO_DEVICE_STATE_STOP) != -1)
		ret = 2;
	close(dfd);
	return ret;
}

static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78 & -(crc & 1));
	}
	return ~crc;
}

int main(int argc, char **argv)
{
	static uint8_t stream[8192], bad[8192];
	struct vfio_device_feature_migration mig = {};
	struct vfio_device_feature_mig_data_size size = {};
	struct timespec t0, t1;
	struct regs ra, rb;
	struct dev a, b;
	int ha, hb, irq, dfd, ok, i, st, n;
	ssize_t len;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BDF cdev|group\n", argv[0]);
		return 2;
	}
	select_dsa(argv[1]);
	use_cdev = !strcmp(argv[2], "cdev");
	printf("TAP version 13\n");

	if (!result(!dev_open(&a, 0xa000) && !dev_open(&b, 0xa001),
		    "%s: create and open vDSAs A and B, eventfds on vectors 0 and 1", argv[2]))
		return ktap_finish();
	ok = !vfio_feature(a.v.fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
		      &mig, sizeof(mig)) &&
	     !vfio_feature(a.v.fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE,
		      &size, sizeof(size));
	result(ok && mig.flags == (VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P) &&
	       size.stop_copy_length > 24 && size.stop_copy_length < 4096 &&
	       mig_get_state(a.v.fd) == VFIO_DEVICE_STATE_RUNNING,
	       "migration: STOP_COPY and P2P (flags %#llx), a stream of %llu bytes, RUNNING",
	       (unsigned long long)mig.flags, (unsigned long long)size.stop_copy_length);

	/*
	 * B's WQ, disabled before the log starts, writes nothing until it is
	 * enabled again.
	 */
	st = vdsa_cmd(b.v.fd, C_DISABLE_WQ, 1, 0) ? -EIO : log_start(b.v.fd);
	n = st ? st : log_dirty(b.v.fd);
	i = st ? st : log_dirty(b.v.fd);
	ok = !st && !vdsa_cmd(b.v.fd, C_ENABLE_WQ, 0, 0);
	result(ok && !n && !i && log_dirty(b.v.fd) == NPAGES && !log_stop(b.v.fd),
	       "dirty log of B, its WQ disabled when the log started: %d, then %d pages dirty; all once enabled",
	       n, i);

	/* A: as a guest's driver leaves it, with a handle and copies running. */
	bar0_write32(a.v.fd, R_GENCTRL, GENCTRL_SOFTERR | GENCTRL_HALT);
	ha = request_handle(a.v.fd);
	st = ha >= 0 ? copy_irq(&a, ha, 1, &irq) : 0;
	result(ha >= 0 && st == DSA_COMP_SUCCESS && irq,
	       "A: handle %d; a verified copy raises vector 1", ha);
	result(!log_start(a.v.fd) && log_start(a.v.fd) == -EBUSY && log_dirty(a.v.fd) == NPAGES,
	       "dirty log started (twice: EBUSY); A's memory reported dirty while its WQ runs");
	result(log_report(a.v.fd, IOVA_BASE + 1, PAGE) == -EINVAL &&
	       log_report(a.v.fd, IOVA_BASE, PAGE + 1) == -EINVAL &&
	       log_report(a.v.fd, IOVA_BASE, 0) == -EINVAL &&
	       log_report(a.v.fd, 0x400dbe757dfc7fd5ull, 0xc384a2193b947c3ull) == -EINVAL,
	       "dirty log reports of unaligned or empty ranges: EINVAL");

	submit_in_flight(&a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = mig_set_state(a.v.fd, VFIO_DEVICE_STATE_RUNNING_P2P) == -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("quiesce (RUNNING -> RUNNING_P2P) with %d copies in flight: %lld us", IN_FLIGHT,
	     (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000);
	result(ok && all_completed(&a) && mig_get_state(a.v.fd) == VFIO_DEVICE_STATE_RUNNING_P2P,
	       "A -> RUNNING_P2P: the %d copies in flight completed by then", IN_FLIGHT);
	result(bar0_write32(a.v.fd, R_GENCTRL, 0) == -EBUSY &&
	       bar0_read32(a.v.fd, R_GENCTRL) == (GENCTRL_SOFTERR | GENCTRL_HALT),
	       "quiesced: a BAR0 write fails with EBUSY, reads work");
	n = log_dirty(a.v.fd);
	result(n == NPAGES && log_dirty(a.v.fd) == 0,
	       "dirty log: all %d pages dirty once after the WQ stopped, then clean", n);

	ok = mig_set_state(a.v.fd, VFIO_DEVICE_STATE_STOP) == -1 && !read_regs(a.v.fd, &ra);
	dfd = ok ? mig_set_state(a.v.fd, VFIO_DEVICE_STATE_STOP_COPY) : -1;
	len = dfd >= 0 ? read_all(dfd, stream, sizeof(stream)) : -1;
	result(len == (ssize_t)size.stop_copy_length && !memcmp(stream, "vDSAmig", 8),
	       "A -> STOP -> STOP_COPY: the data fd gives %zd bytes, then its end", len);
	ok = mig_set_state(a.v.fd, VFIO_DEVICE_STATE_STOP) == -1;
	result(ok && read(dfd, bad, 1) == -1 && errno == ENODEV,
	       "A -> STOP: the data fd's reads fail with ENODEV");
	if (dfd >= 0)
		close(dfd);
	ok = mig_set_state(a.v.fd, VFIO_DEVICE_STATE_RUNNING) == -1;
	st = copy_irq(&a, ha, 2, &irq);
	result(ok && st == DSA_COMP_SUCCESS && irq && log_dirty(a.v.fd) == NPAGES,
	       "A back to RUNNING (migration abandoned): copies with its handle, memory dirty again");
	result(!log_stop(a.v.fd) && log_dirty(a.v.fd) == -EINVAL,
	       "dirty log stopped: reports fail with EINVAL");

	/* B resumes A's stream. */
	for (i = 0; i < 2; i++)
		fired(b.ev[i], 0);
	dfd = mig_set_state(b.v.fd, VFIO_DEVICE_STATE_RESUMING);
	ok = dfd >= 0 && mig_get_state(b.v.fd) == VFIO_DEVICE_STATE_RESUMING &&
	     !write_pieces(dfd, stream, 1, 1) && !write_pieces(dfd, stream + 1, 7, 7) &&
	     !write_pieces(dfd, stream + 8, len - 8, 4096);
	ok = ok && mig_set_state(b.v.fd, VFIO_DEVICE_STATE_STOP) == -1;
	result(ok && write(dfd, stream, 1) == -1 && errno == ENODEV,
	       "B: RUNNING -> RESUMING, the stream in 1-, 7- and 4096-byte writes, -> STOP; its data fd ended");
	if (dfd >= 0)
		close(dfd);
	result(!fired(b.ev[0], 0) && !fired(b.ev[1], 0),
	       "no interrupt while stopped");
	ok = mig_set_state(b.v.fd, VFIO_DEVICE_STATE_RUNNING) == -1 && !read_regs(b.v.fd, &rb);
	result(ok && fired(b.ev[0], 2000) && fired(b.ev[1], 2000),
	       "B -> RUNNING: vector 0 (the revocation) and vector 1 (raised once) fire");
	ok = !memcmp(ra.cfg, rb.cfg, sizeof(ra.cfg));
	for (i = 0; i < 1024; i++) {
		uint32_t want = ra.bar0[i] | (i == R_INTCAUSE / 4 ? INTCAUSE_REVOKED : 0);

		if (rb.bar0[i] != want) {
			diag("BAR0 %#x: B %#x, A %#x", i * 4, rb.bar0[i], ra.bar0[i]);
			ok = 0;
		}
	}
	result(ok, "B's configuration space and BAR0 are A's, INTCAUSE bit 31 (handle revoked) added");
	bar0_write32(b.v.fd, R_INTCAUSE, INTCAUSE_REVOKED);
	hb = request_handle(b.v.fd);
	result(hb >= 0 && hb != ha, "B's guest asks again: handle %d, not A's %d", hb, ha);
	st = copy_irq(&b, ha, 3, &irq);
	result(st == COMP_INT_HANDLE_INVAL && !irq,
	       "a descriptor with A's handle on B: status %#x (0x19), no interrupt", st);
	for (i = 0, ok = 1; i < 8 && ok; i++) {
		st = copy_irq(&b, hb, 10 + i, &irq);
		ok = st == DSA_COMP_SUCCESS && irq;
	}
	result(ok, "8 verified copies through B with its handle, each on vector 1");

	/* Bad streams: B as it was after each, RESUMING until reset. */
	for (i = 0; i < 9; i++) {
		static const char *const what[] = {
			"bad magic", "major version 2", "minor version 1", "flags set",
			"CRC wrong", "a body byte changed", "truncated by one byte",
			"one byte too long", "a length field too long",
		};
		size_t blen = len;
		int where, want = i == 6 ? 2 : 1;
		uint32_t crc;

		memcpy(bad, stream, len);
		switch (i) {
		case 0:
			bad[0] ^= 1;
			break;
		case 1:
			bad[8] = 2;
			break;
		case 2:
			bad[10] = 1;
			break;
		case 3:
			bad[12] = 1;
			break;
		case 4:
			bad[20] ^= 0x80;
			break;
		case 5:
			bad[40] ^= 1;
			break;
		case 6:
			blen = len - 1;
			break;
		case 7:
			blen = len + 1;
			break;
		case 8:
			bad[16] += 1;
			break;
		}
		if (i == 5) {
			/* The CRC made right: the field check refuses it. */
			crc = crc32c(bad + 24, len - 24);
			memcpy(bad + 20, &crc, 4);
		}
		read_regs(b.v.fd, &ra);
		where = resume(b.v.fd, bad, blen, 64);
		read_regs(b.v.fd, &rb);
		ok = where == want && mig_get_state(b.v.fd) == VFIO_DEVICE_STATE_RESUMING &&
		     !memcmp(&ra, &rb, sizeof(ra));
		ok = ok && !ioctl(b.v.fd, VFIO_DEVICE_RESET) &&
		     mig_get_state(b.v.fd) == VFIO_DEVICE_STATE_RUNNING;
		result(ok, "a stream with %s: refused at %s, B untouched; VFIO_DEVICE_RESET: RUNNING",
		       what[i], want == 1 ? "write()" : "RESUMING -> STOP");
	}
	result(mig_set_state(b.v.fd, VFIO_DEVICE_STATE_ERROR) == -EINVAL &&
	       mig_set_state(b.v.fd, VFIO_DEVICE_STATE_PRE_COPY) == -EINVAL &&
	       mig_set_state(b.v.fd, 8) == -EINVAL && mig_set_state(b.v.fd, 0x80000000u) == -EINVAL &&
	       mig_get_state(b.v.fd) == VFIO_DEVICE_STATE_RUNNING,
	       "ERROR, PRE_COPY (not offered), 8, 2^31 as targets: EINVAL, B still RUNNING");
	result(!ioctl(b.v.fd, VFIO_DEVICE_RESET) && !vdsa_enable(b.v.fd) &&
	       (hb = request_handle(b.v.fd)) >= 0 && copy_irq(&b, hb, 30, &irq) == DSA_COMP_SUCCESS &&
	       irq, "B after the bad streams and a reset: enabled again, it copies");

	/* A data fd outlives its device. */
	ok = mig_set_state(b.v.fd, VFIO_DEVICE_STATE_STOP) == -1;
	dfd = ok ? mig_set_state(b.v.fd, VFIO_DEVICE_STATE_STOP_COPY) : -1;
	n = mig_set_state(a.v.fd, VFIO_DEVICE_STATE_RESUMING);
	dev_close(&b);
	dev_close(&a);
	ok = dfd >= 0 && n >= 0 && read(dfd, bad, 8) == -1 && errno == ENODEV &&
	     write(n, stream, 8) == -1 && errno == ENODEV;
	result(ok, "data fds of closed devices: reads and writes fail with ENODEV");
	ok = !mdev_remove(a.uuid) && !mdev_remove(b.uuid) && !mdev_exists(a.uuid);
	result(ok && read(dfd, bad, 8) == -1 && errno == ENODEV &&
	       write(n, stream, 8) == -1 && errno == ENODEV,
	       "after both are removed too; closing the data fds");
	if (dfd >= 0)
		close(dfd);
	if (n >= 0)
		close(n);
	return ktap_finish();
}
